#!/usr/bin/env bash
# In-run alerts on Slurm: history says category "nap" takes ~1 s (10 imported executions); this
# run's job sleeps 15 s. While it runs, wf sees only its elapsed time (Slurm gives RSS, CPU time and
# I/O in accounting, at the end), and that is enough: one runtime alert, phase "running", reaches
# stderr, the event stream and an --alert-command that writes its stdin to a file, before the job
# ends. The job's end, read from sacct, raises nothing more (one alert per attempt and kind), and
# the zeros of what Slurm does not measure live raise no memory or CPU alert.
# Then in-run feedback: --feedback resize on Slurm only observes (said on stderr), decides against
# the partition from elapsed times and accounting's peaks, and changes no capacity.
source "$(dirname "$0")/lib.bash"
[[ $("$WF_BIN/wf-run" --help) == *--alert-command* ]] || skip "this wf-run has no alert options"
[[ -x "$WF_BIN/wf-history" ]] || skip "WF_BIN/wf-history is not built"

{
  nf_trace_header
  for i in $(seq 1 10); do nf_trace_row "$i" nap $((900 + i * 20)) 5.0 $((2000000 + i * 10000)); done
} >"$T/seed.csv"
"$WF_BIN/wf-history" import --history "$T/history.db" --run-id seed "$T/seed.csv" >/dev/null

cat >"$T/wf.yaml" <<EOF
name: $TAG-alerts
tasks:
  - {id: nap, category: nap, run: [sleep, "15"]}
EOF
cat >"$T/save.sh" <<EOF
#!/bin/sh
cat >"$T/command.json.tmp" && mv "$T/command.json.tmp" "$T/command.json"
EOF
chmod +x "$T/save.sh"
wf_slurm --events "$T/events.jsonl" --alert-time-floor 1 --alert-command "$T/save.sh" "$T/wf.yaml" \
  >"$T/out.json" 2>"$T/err" || fail "wf-run exited $? ($(tail -n3 "$T/err"))"
assert_eq "$(jq -r .run.status "$T/out.json")" succeeded "run status"

# stderr: exactly one alert, while the task ran.
grep -q "warning: alert: task 'nap' attempt 1 has run" "$T/err" || fail "no running alert on stderr: $(cat "$T/err")"
assert_eq "$(grep -c 'alert:' "$T/err")" 1 "alerts on stderr"
# The event stream: the alert, between the job's start and its end.
assert_eq "$(jq -r -s '[.[] | select(.event == "alert")] | length' "$T/events.jsonl")" 1 "alert events"
ev=$(jq -c -s '.[] | select(.event == "alert")' "$T/events.jsonl")
assert_eq "$(jq -r '.kind + "/" + .phase + "/" + .task + "/" + .category' <<<"$ev")" "runtime/running/nap/nap" "alert event"
jq -e '.value > .expected.limit and .expected.samples == 10 and .expected.p50 < 1.5 and .value < 15' <<<"$ev" >/dev/null \
  || fail "alert event values: $ev"
order=$(jq -r -s '[.[] | select(.event == "task_started" or .event == "alert" or .event == "task_finished") | .event] | join(",")' \
  "$T/events.jsonl")
assert_eq "$order" "task_started,alert,task_finished" "event order"
# The command got the same alert on its stdin.
for i in $(seq 1 40); do
  [ -s "$T/command.json" ] && break
  sleep 0.25
done
[ -s "$T/command.json" ] || fail "the alert command wrote nothing"
assert_eq "$(jq -r '.task + "/" + .kind + "/" + .phase' "$T/command.json")" "nap/runtime/running" "command's alert"
[[ $(jq -r .run_id "$T/command.json") == $(jq -r .run.id "$T/out.json") ]] || fail "command's run id: $(cat "$T/command.json")"

# Feedback: six 3 s jobs and one after them, hinted at 1 s: decisions observed, nothing resized.
{
  echo "name: $TAG-feedback"
  echo "tasks:"
  for i in 0 1 2 3 4 5; do echo "  - {id: t$i, category: t, run: 'sleep 3', duration: 1s, cpus: 1, mem: 10MiB}"; done
  echo "  - {id: last, category: t, needs: [t0, t1, t2, t3, t4, t5], run: 'sleep 3', duration: 1s, cpus: 1, mem: 10MiB}"
} >"$T/fb.yaml"
wf_slurm --no-alerts --feedback resize --feedback-confirm 1 --feedback-interval 0 --events "$T/fb.jsonl" "$T/fb.yaml" \
  >"$T/fb.json" 2>"$T/fb.err" || fail "wf-run --feedback exited $? ($(tail -n3 "$T/fb.err"))"
grep -q "feedback: no resize with --executor slurm" "$T/fb.err" || fail "no note that Slurm only observes: $(cat "$T/fb.err")"
assert_eq "$(jq -r .run.feedback.mode "$T/fb.json")" observe "feedback mode"
assert_eq "$(jq -r .run.feedback.initial.cpus "$T/fb.json")" "$(jq -r .run.capacity.cpus "$T/fb.json")" "feedback's capacity: the partition's"
jq -e '.run.feedback.evidence == 7 and .run.feedback.ratio.runtime > 2 and (.run.feedback.decisions | length) > 0' "$T/fb.json" >/dev/null \
  || fail "feedback summary: $(jq -c '.run.feedback | del(.decisions)' "$T/fb.json")"
assert_eq "$(jq -r '[.run.feedback.decisions[].outcome] | unique | join(",")' "$T/fb.json")" observed "decision outcomes"
assert_eq "$(jq -s '[.[] | select(.event == "capacity_changed")] | length' "$T/fb.jsonl")" 0 "capacity changes"
assert_eq "$(jq -s '[.[] | select(.event == "feedback")] | length > 0' "$T/fb.jsonl")" true "feedback events"
say "ok - alert at $(jq -r '.value' <<<"$ev") s against a limit of $(jq -r '.expected.limit' <<<"$ev") s (p50 $(jq -r '.expected.p50' <<<"$ev") s); feedback: $(jq -r '.run.feedback.decisions | length' "$T/fb.json") decisions observed, runtime ratio $(jq -r .run.feedback.ratio.runtime "$T/fb.json")"
