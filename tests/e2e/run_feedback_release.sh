#!/usr/bin/env bash
# In-run feedback releases capacity early: the stream of run_feedback_grow.sh whose workers really
# take half the forecast (0.5 s, half the memory), so about two run at once where the lease of
# 1.1 cpus was sized for four. wf-run --feedback resize shrinks what it schedules into, then the
# lease itself (ledger spec, pool row), long before the run ends; the run is not slower for it,
# and holds fewer cpu-seconds than the lease would have.
source "$(dirname "$0")/lib.sh"
need_bin wf-run wf-provision
need_cmd jq python3 sqlite3
make_tmp
export WF_LEDGER=$T/ledger.db WF_HISTORY=$T/history.db
stream_doc() { python3 "$WF_SOURCE_DIR/tests/bench/control_stream.py" "$@"; }

stream_doc 24 0.5 >"$T/doc.json"
"$WF_BIN/wf-provision" --wait 120 --provider local --scratch-root "$T/scratch" "$T/doc.json" >"$T/prov.json" 2>"$T/prov.err" ||
  fail "wf-provision exited $?: $(cat "$T/prov.err")"
lease=$(jq -r .provision.lease "$T/prov.json")
cpus0=$(jq .provision.cpus "$T/prov.json")

wf_run --feedback resize --feedback-interval 2 --feedback-confirm 1 --events "$T/ev.jsonl" "$T/prov.json" \
  >"$T/out.json" 2>"$T/run.err" || fail "wf-run exited $?: $(cat "$T/run.err")"
fb() { jq -r "$1" "$T/out.json"; }
# The first decision that changes cpus (one on memory alone may come first).
D="[.run.feedback.decisions[] | select(.to.cpus < .from.cpus)][0]"
assert_eq "$(fb .run.status)" succeeded "run status"
note "decisions: $(jq -c '[.run.feedback.decisions[] | [.t_s, .action, .to.cpus, .to.mem_bytes, .outcome, .reason]]' "$T/out.json")"
assert_eq "$(fb "$D.action")" shrink "first decision on cpus"
assert_eq "$(fb "$D.outcome")" granted "its outcome"
granted=$(fb "$D.granted.cpus")
t_shrink=$(fb "$D.t_s")
elapsed=$(fb .run.elapsed_s)
note "shrunk from $cpus0 to $granted cpus at ${t_shrink}s of ${elapsed}s: $(fb "$D.reason")"
awk -v g="$granted" -v c="$cpus0" 'BEGIN { exit !(g < c * 0.8) }' || fail "granted $granted cpus, not less than $cpus0"
awk -v t="$t_shrink" -v e="$elapsed" 'BEGIN { exit !(t < e / 2) }' || fail "released at ${t_shrink}s of ${elapsed}s: not early"
awk -v r="$(fb .run.feedback.ratio.runtime)" 'BEGIN { exit !(r < 0.8) }' || fail "runtime ratio $(fb .run.feedback.ratio.runtime)"
# The lease (spec and pool row) is what the last granted decision left.
last=$(fb '[.run.feedback.decisions[] | select(.outcome == "granted")] | last | .granted.cpus')
assert_eq "$(sqlite3 "$T/ledger.db" "select spec from resources where id = '$lease'" | jq .cpus)" "$last" "ledger spec cpus"
awk -v p="$(sqlite3 "$T/ledger.db" "select cpus from leases where id = '$lease'")" -v g="$last" 'BEGIN { exit !(p == g) }' ||
  fail "the pool's lease does not hold $last cpus"
# Less held than the whole lease for the whole run.
held=$(fb .run.feedback.capacity_held.cpu_hours)
awk -v h="$held" -v c="$cpus0" -v e="$elapsed" 'BEGIN { exit !(h * 3600 < 0.85 * c * e) }' ||
  fail "held $held cpu-hours, the lease for the run is $(awk -v c="$cpus0" -v e="$elapsed" 'BEGIN { print c * e / 3600 }')"
# Not slower than the plan: 24 fetches of 0.25 s and a last worker.
awk -v e="$elapsed" 'BEGIN { exit !(e < 24 * 0.25 + 0.5 + 3) }' || fail "the run took ${elapsed}s"
echo "$E2E_NAME: ok"
