#!/usr/bin/env bash
# In-run feedback grows a local lease: a stream of 16 chunks (a fetch every 0.25 s, each feeding a
# worker) whose forecast says each worker takes 1 s and 23.5 MiB — so about four at once, and
# wf-provision leases 1.1 cpus — while each really takes 2 s and twice the memory. wf-run
# --feedback resize notices the workers running past their forecast, re-forecasts the rest, and
# grows the lease (ledger spec, pool row, events, run.feedback) before the backlog builds; the
# same run without feedback is slower.
source "$(dirname "$0")/lib.sh"
need_bin wf-run wf-provision
need_cmd jq python3 sqlite3
make_tmp
export WF_LEDGER=$T/ledger.db WF_HISTORY=$T/history.db
stream_doc() { python3 "$WF_SOURCE_DIR/tests/bench/control_stream.py" "$@"; }

stream_doc 16 2 >"$T/doc.json"
"$WF_BIN/wf-provision" --wait 120 --provider local --scratch-root "$T/scratch" "$T/doc.json" >"$T/prov.json" 2>"$T/prov.err" ||
  fail "wf-provision exited $?: $(cat "$T/prov.err")"
lease=$(jq -r .provision.lease "$T/prov.json")
cpus0=$(jq .provision.cpus "$T/prov.json")
note "lease $lease of $cpus0 cpus"
awk -v c="$cpus0" 'BEGIN { exit !(c > 1 && c < 1.5) }' || fail "the forecast should lease about 1.1 cpus, got $cpus0"

wf_run --feedback resize --feedback-interval 2 --feedback-confirm 1 --events "$T/ev.jsonl" "$T/prov.json" \
  >"$T/out.json" 2>"$T/run.err" || fail "wf-run exited $?: $(cat "$T/run.err")"
assert_eq "$(jq -r .run.status "$T/out.json")" succeeded "run status"
note "decisions: $(jq -c '[.run.feedback.decisions[] | [.t_s, .action, .to.cpus, .to.mem_bytes, .outcome]]' "$T/out.json")"
fb() { jq -r "$1" "$T/out.json"; }
# The first decision that changes cpus (one on memory alone may come first).
D="[.run.feedback.decisions[] | select(.to.cpus > .from.cpus)][0]"
assert_eq "$(fb .run.feedback.mode)" resize "feedback mode"
assert_eq "$(fb "$D.action")" grow "first decision on cpus"
assert_eq "$(fb "$D.outcome")" granted "its outcome"
granted=$(fb "$D.granted.cpus")
t_grow=$(fb "$D.t_s")
elapsed=$(fb .run.elapsed_s)
note "grown to $granted cpus at ${t_grow}s of ${elapsed}s: $(fb "$D.reason")"
awk -v g="$granted" -v c="$cpus0" 'BEGIN { exit !(g > c * 1.25) }' || fail "granted $granted cpus, not more than $cpus0"
# Early: before half the workers could have started under the old lease.
awk -v t="$t_grow" -v e="$elapsed" 'BEGIN { exit !(t < e / 2) }' || fail "grown at ${t_grow}s of ${elapsed}s"
awk -v r="$(fb .run.feedback.categories.work.runtime)" 'BEGIN { exit !(r > 1.6) }' || fail "workers ratio $(fb .run.feedback.categories.work.runtime)"

# The provider holds what the last granted decision left (the tail of the run may have shrunk it
# again): the ledger's spec and the pool's lease row.
last=$(fb '[.run.feedback.decisions[] | select(.outcome == "granted")] | last | .granted.cpus')
spec_cpus=$(sqlite3 "$T/ledger.db" "select spec from resources where id = '$lease'" | jq .cpus)
pool_cpus=$(sqlite3 "$T/ledger.db" "select cpus from leases where id = '$lease'")
assert_eq "$spec_cpus" "$last" "ledger spec cpus"
awk -v p="$pool_cpus" -v g="$last" 'BEGIN { exit !(p == g) }' || fail "pool lease holds $pool_cpus cpus, granted $last"
# Every decision is an event; the executor scheduled into the grant.
assert_eq "$(jq -s '[.[] | select(.event == "feedback" and .phase == "answer" and .outcome == "granted")] | length > 0' "$T/ev.jsonl")" \
  true "feedback answer event"
assert_eq "$(jq -s --argjson c "$cpus0" '[.[] | select(.event == "capacity_changed" and .capacity_cpus > $c)][0].capacity_cpus' "$T/ev.jsonl")" \
  "$granted" "the first capacity_changed to more cpus"
grep -q "feedback: grow" "$T/run.err" || fail "no decision on stderr"

# The same run without feedback, on the same lease size (in a pool of its own: the first lease
# holds most of this machine until it expires).
export WF_LEDGER=$T/ledger2.db
stream_doc 16 2 >"$T/doc2.json"
"$WF_BIN/wf-provision" --wait 120 --provider local --scratch-root "$T/scratch2" "$T/doc2.json" >"$T/prov2.json" 2>/dev/null ||
  fail "second wf-provision exited $?"
wf_run "$T/prov2.json" >"$T/out2.json" 2>/dev/null || fail "wf-run without feedback exited $?"
base=$(jq .run.elapsed_s "$T/out2.json")
note "makespan: ${elapsed}s with feedback, ${base}s without"
awk -v a="$elapsed" -v b="$base" 'BEGIN { exit !(a < b * 0.9) }' || fail "feedback did not shorten the run: ${elapsed}s vs ${base}s"
echo "$E2E_NAME: ok"
