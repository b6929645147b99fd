#!/usr/bin/env bash
# Pre-warming: with every cloud node powered down, wf-run on the cloud partition powers up as many
# nodes as the forecast needs (a peak of 2 cpus on 2-cpu nodes: one node, not all), waits until it
# is idle, and only then submits; the job runs on the node it woke. Then, with that node up and
# the other still down, a forecast that needs both: --no-prewarm submits at once, powering nothing
# up ahead (the jobs wake the node themselves; tests/slurm/bench_prewarm.sh measures the cost).
source "$(dirname "$0")/lib.bash"
cloud_all_down 40

doc() { # doc NAME PEAK_CPUS TASK_IDS...: a document whose forecast peaks at PEAK_CPUS
  local name=$1 peak=$2 tasks="" id
  shift 2
  for id in "$@"; do
    tasks+="${tasks:+,}{\"id\": \"$id\", \"run\": \"echo \$SLURMD_NODENAME > $id.txt; sleep 2\", \"cpus\": 2}"
  done
  cat <<EOF
{"apiVersion": "wf/v1", "workflow": {"name": "$TAG-$name", "tasks": [$tasks]},
 "prediction": {"peaks": {"reserved_cpus": {"p50": $peak, "p95": $peak}, "reserved_mem_bytes": {"p50": 0, "p95": 0}}}}
EOF
}
doc warm 2 x >"$T/one.json"
wf_slurm --partition "$WF_SLURM_CLOUD_PARTITION" --events "$T/events.jsonl" "$T/one.json" >"$T/out.json" 2>"$T/err" ||
  fail "wf-run exited $? ($(tail -n3 "$T/err"))"
warmed=$(jq -r '.run.slurm.prewarm.nodes | join(",")' "$T/out.json")
assert_eq "$(jq -r '.run.slurm.prewarm.nodes | length' "$T/out.json")" 1 "nodes pre-warmed ($warmed)"
assert_eq "$(jq -r .run.slurm.prewarm.ready "$T/out.json")" true "pre-warmed node idle before submission"
grep -q "powering up $warmed" "$T/err" || fail "no note of the pre-warm: $(cat "$T/err")"
work=$(jq -r .run.workdir "$T/out.json")
assert_eq "$(cat "$work/x.txt")" "$warmed" "the node the job ran on"
t_sub=$(jq -r 'select(.event == "task_submitted") | .t' "$T/events.jsonl" | head -n1)
t_start=$(jq -r 'select(.event == "task_started") | .t' "$T/events.jsonl" | head -n1)
say "ok - pre-warmed $warmed in $(jq -r .run.slurm.prewarm.waited_s "$T/out.json")s; the job ran there, started" \
  "$(awk -v a="$t_start" -v b="$t_sub" 'BEGIN { printf "%.1f", a - b }')s after submission"

down=$(sinfo -h -N -p "$WF_SLURM_CLOUD_PARTITION" -o '%N %T' | awk '$2 == "idle~" { print $1 }' | tr '\n' ' ')
[ -n "$down" ] || fail "no cloud node left powered down for the --no-prewarm check"
doc cold 4 y z >"$T/two.json"
"${WF_SLURM[@]}" --no-prewarm --partition "$WF_SLURM_CLOUD_PARTITION" --events "$T/events2.jsonl" "$T/two.json" \
  >"$T/out2.json" 2>"$T/err2" &
pid=$!
for i in $(seq 1 100); do
  [ "$(grep -c task_submitted "$T/events2.jsonl" 2>/dev/null)" = 2 ] && break
  sleep 0.1
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" 130 "wf-run --no-prewarm, interrupted"
assert_eq "$(jq -r '.run.slurm.prewarm.nodes | length' "$T/out2.json")" 0 "nodes pre-warmed with --no-prewarm"
grep -q "powering up" "$T/err2" && fail "--no-prewarm powered nodes up: $(cat "$T/err2")"
say "ok - --no-prewarm: submitted at once with ${down% } still powered down, nothing powered up ahead"
