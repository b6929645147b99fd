#!/usr/bin/env bash
# Pre-warming: with every cloud node powered down, wf-run on the cloud partition powers up as many
# nodes as the forecast needs (here: two tasks of 2 cpus at once on 2-cpu nodes: two nodes),
# waits until they are idle, and only then submits; the jobs run on the nodes it woke. With
# --no-prewarm the jobs are submitted at once, onto nodes still powered down (they wake them
# themselves; tests/slurm/bench_prewarm.sh measures what that costs).
source "$(dirname "$0")/lib.bash"
cloud_all_down 40

cat >"$T/doc.json" <<EOF
{"apiVersion": "wf/v1",
 "workflow": {"name": "$TAG-warm", "tasks": [
   {"id": "x", "run": "echo \$SLURMD_NODENAME > x.txt; sleep 2", "cpus": 2},
   {"id": "y", "run": "echo \$SLURMD_NODENAME > y.txt; sleep 2", "cpus": 2}]},
 "prediction": {"peaks": {"reserved_cpus": {"p50": 4, "p95": 4}, "reserved_mem_bytes": {"p50": 0, "p95": 0}}}}
EOF
wf_slurm --partition "$WF_SLURM_CLOUD_PARTITION" --events "$T/events.jsonl" "$T/doc.json" >"$T/out.json" 2>"$T/err" ||
  fail "wf-run exited $? ($(tail -n3 "$T/err"))"
warmed=$(jq -r '.run.slurm.prewarm.nodes | join(",")' "$T/out.json")
assert_eq "$(jq -r '.run.slurm.prewarm.nodes | length' "$T/out.json")" 2 "nodes pre-warmed ($warmed)"
assert_eq "$(jq -r .run.slurm.prewarm.ready "$T/out.json")" true "pre-warmed nodes idle before submission"
grep -q "powering up" "$T/err" || fail "no note of the pre-warm: $(cat "$T/err")"
work=$(jq -r .run.workdir "$T/out.json")
ran="$(cat "$work/x.txt") $(cat "$work/y.txt")"
for n in $ran; do [[ ",$warmed," == *",$n,"* ]] || fail "a job ran on $n, not on a pre-warmed node ($warmed)"; done
# The submissions came after the wait: the run_started event, then the first task_submitted.
wait_s=$(jq -r .run.slurm.prewarm.waited_s "$T/out.json")
t_run=$(jq -r 'select(.event == "run_started") | .t' "$T/events.jsonl")
t_sub=$(jq -r 'select(.event == "task_submitted") | .t' "$T/events.jsonl" | head -n1)
t_start=$(jq -r 'select(.event == "task_started") | .t' "$T/events.jsonl" | head -n1)
say "ok - pre-warmed $warmed in ${wait_s}s; jobs ran on $ran; first start $(awk -v a="$t_start" -v b="$t_sub" 'BEGIN { printf "%.1f", a - b }')s after submission"

cloud_all_down 40
"${WF_SLURM[@]}" --no-prewarm --partition "$WF_SLURM_CLOUD_PARTITION" --events "$T/events2.jsonl" "$T/doc.json" \
  >"$T/out2.json" 2>"$T/err2" &
pid=$!
for i in $(seq 1 100); do
  [ "$(grep -c task_submitted "$T/events2.jsonl" 2>/dev/null)" = 2 ] && break
  sleep 0.1
done
states=$(sinfo -h -N -p "$WF_SLURM_CLOUD_PARTITION" -o '%N=%T' | tr '\n' ' ')
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" 130 "wf-run --no-prewarm, interrupted"
assert_eq "$(jq -r '.run.slurm.prewarm.nodes | length' "$T/out2.json")" 0 "nodes pre-warmed with --no-prewarm"
grep -q "powering up" "$T/err2" && fail "--no-prewarm powered nodes up: $(cat "$T/err2")"
say "ok - --no-prewarm: submitted at once onto nodes still down ($states), nothing powered up ahead"
