#!/usr/bin/env bash
# A document from an untrusted source cannot make wf-reap release what the ledger does not attribute
# to the document's run (provision.run_id), nor run a program of its choosing:
#   - another run's ids, another ledger's ids, made-up ids, provider ids posing as ids: skipped;
#   - a run section naming another run than the provision section: adds no owner (warned about);
#   - no provision.run_id at all: nothing released;
#   - provider names and provider ids written into the document are ignored: the ledger's own
#     provider is called with the ledger's own provider id, so a document naming exec:/some/program
#     never runs it;
#   - what the document lists and the ledger attributes to its run is released, and only that.
# (A document that names another run of this ledger as its own is that run's document: wf-reap
# acts for whoever may write the ledger, as `wf-reap --run` does. See wf-reap(1), SECURITY.)
source "$(dirname "$0")/lib.sh"
need_bin wf-reap wf-provision
need_cmd jq
make_tmp
export WF_LEDGER=$T/ledger.db WF_HISTORY=$T/history.db WF_SCRATCH_ROOT=$T/scratch
cat >"$T/wf.yaml" <<'YAML'
name: tamper
tasks:
  - {id: a, cpus: 0.1, run: "true"}
YAML
"$WF_BIN/wf-provision" "$T/wf.yaml" --run-id run-mine -q >"$T/mine.json" || fail "wf-provision (mine) exited $?"
"$WF_BIN/wf-provision" "$T/wf.yaml" --run-id run-theirs -q >"$T/theirs.json" || fail "wf-provision (theirs) exited $?"
# Another ledger, whose ids mean nothing here.
WF_LEDGER=$T/other.db WF_SCRATCH_ROOT=$T/other-scratch "$WF_BIN/wf-provision" "$T/wf.yaml" --run-id run-mine -q \
  >"$T/other.json" || fail "wf-provision (other ledger) exited $?"
mine=$(jq -r '.provision.resources[0].id' "$T/mine.json")
theirs=$(jq -r '.provision.resources[0].id' "$T/theirs.json")
other=$(jq -r '.provision.resources[0].id' "$T/other.json")
theirs_pid=$(jq -r '.provision.resources[0].provider_id // empty' "$T/theirs.json")
live() { "$WF_BIN/wf-reap" --list --format json | jq -r '[.resources[].id] | sort | join(" ")'; }
before=$(live)

# A program the tampered documents name as the provider: it must never run.
cat >"$T/evil" <<SCRIPT
#!/bin/sh
touch "$T/evil-ran"
echo '{"ok":true,"already_gone":false}'
SCRIPT
chmod +x "$T/evil"

released() { jq -r '[.reap.released[].id] | join(" ")' "$T/$1.out"; }

jq --arg t "$theirs" --arg o "$other" --arg p "$theirs_pid" \
  '.provision.resources = [{id: $t, run_id: "run-mine"}, {id: $o}, {id: "res-00000000deadbeef"}, {id: $p}, {id: "../../etc"}]' \
  "$T/mine.json" >"$T/foreign.json"
"$WF_BIN/wf-reap" "$T/foreign.json" --format json >"$T/foreign.out" 2>"$T/foreign.err" || fail "foreign: wf-reap exited $?"
assert_eq "$(released foreign)" "" "released from a document listing foreign ids"
assert_eq "$(live)" "$before" "live rows after the foreign ids"

jq --arg t "$theirs" '.provision.resources += [{id: $t}] | .run = {run_id: "run-theirs"}' "$T/mine.json" >"$T/two-runs.json"
"$WF_BIN/wf-reap" "$T/two-runs.json" --dry-run --format json >"$T/two-runs.out" 2>"$T/two-runs.err" ||
  fail "two-runs: wf-reap exited $?"
grep -q "is not provision.run_id" "$T/two-runs.err" || fail "no warning about the run section: $(cat "$T/two-runs.err")"
assert_eq "$(jq -r '[.reap.would_release[].id] | join(" ")' "$T/two-runs.out")" "$mine" "what a dry run would release"

jq 'del(.provision.run_id)' "$T/mine.json" >"$T/no-owner.json"
"$WF_BIN/wf-reap" "$T/no-owner.json" --format json >"$T/no-owner.out" 2>"$T/no-owner.err" || fail "no-owner: wf-reap exited $?"
assert_eq "$(released no-owner)" "" "released from a document naming no run"

# Provider and provider id rewritten: the ledger's are used; the named program never runs.
jq --arg e "exec:$T/evil" '.provision.provider = $e | .provision.resources[0].provider = $e
  | .provision.resources[0].provider_id = "/" | .provision.ledger = "/nonexistent"' "$T/mine.json" >"$T/evil.json"
"$WF_BIN/wf-reap" "$T/evil.json" --format json >"$T/evil.out" 2>"$T/evil.err" || fail "evil: wf-reap exited $?: $(cat "$T/evil.err")"
[[ ! -e $T/evil-ran ]] || fail "wf-reap ran the program a document named"
assert_eq "$(released evil)" "$mine" "what the ledger attributes to the document's run"
assert_eq "$(jq -r '.reap.released[0].provider' "$T/evil.out")" local "the provider used"
assert_eq "$(live)" "$theirs" "live rows left: theirs only"
"$WF_BIN/wf-reap" "$T/theirs.json" -q >/dev/null || fail "wf-reap of their own document exited $?"
assert_eq "$(live)" "" "live rows at the end"
echo "$E2E_NAME: ok"
