#!/usr/bin/env bash
# wf-reap with a document: it releases the ledger rows the provision section lists whose owner is
# the document's run, adds a reap section, is idempotent, and a tampered document (another run's
# ids, made-up ids, provider ids) releases nothing.
source "$(dirname "$0")/lib.sh"
need_bin wf-reap
need_cmd jq
DRIVER="$WF_BIN/../tests/test_provider"
[[ -x $DRIVER ]] || skip "$DRIVER is not built"
make_tmp
export WF_LEDGER=$T/ledger.db WF_SCRATCH_ROOT=$T/scratch

# Two runs holding local leases with scratch directories.
provision() {  # RUN COUNT DOC
  WF_DRIVER_LEDGER=$WF_LEDGER WF_DRIVER_SCRATCH=$WF_SCRATCH_ROOT WF_DRIVER_RUN=$1 WF_DRIVER_COUNT=$2 \
    WF_DRIVER_TTL=600 WF_DRIVER_SPEC='{"cpus":0.01,"disk_bytes":4096}' WF_DRIVER_DOC=$3 \
    "$DRIVER" "[.driver]" >/dev/null || fail "the driver could not provision for $1"
}
provision run-mine 2 "$T/mine.json"
provision run-theirs 1 "$T/theirs.json"
[[ $(ls "$T/scratch" | wc -l) -eq 3 ]] || fail "expected 3 scratch directories"
theirs_id=$(jq -r '.provision.resources[0].id' "$T/theirs.json")

# A tampered copy of my document: their ledger id, a made-up one, a provider id posing as an id,
# and a run id that is not theirs.
jq --arg t "$theirs_id" '.provision.resources += [{id: $t}, {id: "res-00000000000000ff"}, {id: "/etc"}]' \
  "$T/mine.json" >"$T/tampered.json"
jq '.provision.run_id = "run-someone" | .provision.resources[0].provider_id = "/"' "$T/mine.json" >"$T/stolen.json"

"$WF_BIN/wf-reap" "$T/stolen.json" >"$T/stolen.out" 2>"$T/stolen.err" || fail "wf-reap on a stolen document exited $?"
assert_eq "$(jq '.reap.released | length' "$T/stolen.out")" 0 "released from a document naming another run"
assert_eq "$(jq '.reap.skipped | length' "$T/stolen.out")" 2 "skipped from a stolen document"
grep -q "not released: owned by run 'run-mine'" "$T/stolen.err" || fail "no warning for the skipped rows"

"$WF_BIN/wf-reap" <"$T/tampered.json" >"$T/out.json" 2>"$T/err" || fail "wf-reap exited $?"
assert_eq "$(jq -r .apiVersion "$T/out.json")" wf/v1 "the document is passed on"
assert_eq "$(jq '.reap.released | length' "$T/out.json")" 2 "released"
assert_eq "$(jq '.reap.skipped | length' "$T/out.json")" 3 "skipped"
assert_eq "$(jq -r '.reap.released[].run_id' "$T/out.json" | sort -u)" run-mine "owner of what was released"
[[ $(ls "$T/scratch" | wc -l) -eq 1 ]] || fail "their scratch directory must stay, mine must go"
[[ -d $T/scratch/$theirs_id ]] || fail "their scratch directory was removed"

# Again: nothing left to do, reported as already gone.
"$WF_BIN/wf-reap" "$T/mine.json" --format yaml >"$T/again.yaml" || fail "second wf-reap exited $?"
grep -q "note: released earlier" "$T/again.yaml" || fail "the second reap does not say 'released earlier'"

# Their run, by id; the ledger holds nothing live afterwards and is sound.
"$WF_BIN/wf-reap" --run run-theirs --dry-run --format json >"$T/dry.json"
assert_eq "$(jq '.would_release | length' "$T/dry.json")" 1 "dry run"
[[ -d $T/scratch/$theirs_id ]] || fail "a dry run removed something"
"$WF_BIN/wf-reap" --run run-theirs >"$T/table" || fail "wf-reap --run exited $?"
grep -q "^$theirs_id .* released" "$T/table" || fail "the table does not show the release: $(cat "$T/table")"
assert_eq "$("$WF_BIN/wf-reap" --list --format json | jq '.resources | length')" 0 "live resources left"
[[ -z $(ls "$T/scratch") ]] || fail "scratch directories left"
if command -v sqlite3 >/dev/null; then
  assert_eq "$(sqlite3 "$WF_LEDGER" 'PRAGMA integrity_check')" ok "integrity"
fi
