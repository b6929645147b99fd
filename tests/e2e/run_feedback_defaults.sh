#!/usr/bin/env bash
# What in-run feedback does with less to go on: without a prediction section it measures against
# the tasks' hints and says so; without a provision section --feedback resize changes only the
# capacity wf-run schedules into, and says so; observe never changes anything; --feedback off (the
# default) adds no feedback section. None of this fails the run.
source "$(dirname "$0")/lib.sh"
need_bin wf-run
need_cmd jq
make_tmp

{
  echo "name: hinted"
  echo "tasks:"
  for i in $(seq 0 7); do
    echo "  - {id: t$i, category: t, run: 'sleep 0.6', duration: 0.2s, cpus: 0.5, mem: 10MiB}"
  done
} >"$T/wf.yaml"

wf_run "$T/wf.yaml" >"$T/off.json" 2>"$T/off.err" || fail "wf-run exited $?"
assert_eq "$(jq '.run | has("feedback")' "$T/off.json")" false "a feedback section without --feedback"
grep -q "feedback:" "$T/off.err" && fail "feedback talked without --feedback: $(cat "$T/off.err")"

wf_run --cpus 1 --feedback observe --feedback-confirm 1 --feedback-interval 0 --events "$T/ev.jsonl" "$T/wf.yaml" \
  >"$T/obs.json" 2>"$T/obs.err" || fail "wf-run --feedback observe exited $?"
grep -q "no prediction section" "$T/obs.err" || fail "no note about the missing prediction: $(cat "$T/obs.err")"
assert_eq "$(jq -r .run.feedback.mode "$T/obs.json")" observe "mode"
assert_eq "$(jq -r '[.run.feedback.decisions[] | select(.to.cpus > .from.cpus)][0].action' "$T/obs.json")" grow \
  "observed decision on cpus (tasks take 3x their hint)"
assert_eq "$(jq -r '[.run.feedback.decisions[].outcome] | unique | join(",")' "$T/obs.json")" observed "outcomes in observe mode"
assert_eq "$(jq -s '[.[] | select(.event == "capacity_changed")] | length' "$T/ev.jsonl")" 0 "capacity changes in observe mode"
assert_eq "$(jq -s '[.[] | select(.event == "feedback")] | length > 0' "$T/ev.jsonl")" true "feedback events"

wf_run --cpus 1 --feedback resize --feedback-confirm 1 --feedback-interval 0 --feedback-max-cpus 4 --events "$T/ev2.jsonl" "$T/wf.yaml" \
  >"$T/res.json" 2>"$T/res.err" || fail "wf-run --feedback resize exited $?"
grep -q "no provision section" "$T/res.err" || fail "no note about the missing provision: $(cat "$T/res.err")"
assert_eq "$(jq -r '.run.feedback.decisions[0].outcome' "$T/res.json")" applied "outcome without a provider"
to=$(jq '[.run.feedback.decisions[] | select(.to.cpus > .from.cpus)][0].to.cpus' "$T/res.json")
awk -v t="$to" 'BEGIN { exit !(t > 1 && t <= 4) }' || fail "grown to $to cpus (ceiling 4)"
assert_eq "$(jq -s --argjson t "$to" '[.[] | select(.event == "capacity_changed" and .capacity_cpus == $t)] | length' "$T/ev2.jsonl")" 1 \
  "capacity_changed to the decision"
echo "$E2E_NAME: ok"
