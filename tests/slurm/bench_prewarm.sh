#!/usr/bin/env bash
# Time to the first task start on a power-saved cloud node, with and without pre-warming.
# Each round powers every cloud node down, then runs a one-task workflow (1 cpu, sleep 1) on the
# cloud partition and measures wf-run's launch -> the first task_started event (what a user waits,
# the pre-warm included), and from accounting the job's Submit -> Start (Slurm's queue wait).
#   no-prewarm: the job is submitted at once; slurmctld resumes a node for it, but a batch job on a
#               freshly resumed node starts only on slurmctld's periodic pass (every 30 s).
#   prewarm:    wf-run powers the node up first, waits until it is idle, then submits.
# Prints one line per round and a summary; never fails on the figures (BENCH_ROUNDS, default 1).
source "$(dirname "$0")/lib.bash"
[ -n "${WF_SLURM_CLOUD_PARTITION:-}" ] || skip "the cluster has no cloud partition"
rounds=${BENCH_ROUNDS:-1}

cat >"$T/doc.json" <<EOF
{"apiVersion": "wf/v1", "workflow": {"name": "$TAG-bench", "tasks": [{"id": "first", "run": "sleep 1", "cpus": 1}]}}
EOF

measure() { # measure MODE FLAG...: prints "<run->start s> <submit->start s> <pre-warm wait s>"
  local mode=$1 ev="$T/events-$1-$2.jsonl" out="$T/out-$1-$2.json"
  shift 2
  cloud_all_down 60
  local t_launch
  t_launch=$(date +%s.%N)
  wf_slurm "$@" --partition "$WF_SLURM_CLOUD_PARTITION" --events "$ev" "$T/doc.json" >"$out" 2>>"$T/err" ||
    fail "$mode: wf-run exited $? ($(tail -n3 "$T/err"))"
  local t_run t_start job sub start
  t_run=$t_launch
  t_start=$(jq -r 'select(.event == "task_started" or .event == "task_finished") | .t' "$ev" | head -n1)
  job=$(jq -r '.run.tasks[0].job_ids[0]' "$out")
  IFS='|' read -r sub start <<<"$(acct "$job" Submit,Start)"
  awk -v a="$t_run" -v b="$t_start" -v s="$(epoch "$sub")" -v e="$(epoch "$start")" -v w="$(jq -r .run.slurm.prewarm.waited_s "$out")" \
    'BEGIN { printf "%.1f %d %.1f\n", b - a, e - s, w }'
}

declare -A total
for r in $(seq 1 "$rounds"); do
  for mode in no-prewarm prewarm; do
    flag=()
    [ "$mode" = no-prewarm ] && flag=(--no-prewarm)
    read -r run_to_start submit_to_start waited <<<"$(measure "$mode" "$r" "${flag[@]}")"
    total[$mode]=$(awk -v a="${total[$mode]:-0}" -v b="$run_to_start" 'BEGIN { print a + b }')
    printf '%s: round %d %-10s  wf-run launch -> first task start %6.1f s   (job submit -> start %2d s, pre-warm wait %.1f s)\n' \
      "$S_NAME" "$r" "$mode" "$run_to_start" "$submit_to_start" "$waited" >&2
  done
done
printf '%s: mean over %d round(s): no-prewarm %.1f s, prewarm %.1f s to the first task start on a cloud node\n' "$S_NAME" "$rounds" \
  "$(awk -v t="${total[no-prewarm]}" -v n="$rounds" 'BEGIN { print t / n }')" \
  "$(awk -v t="${total[prewarm]}" -v n="$rounds" 'BEGIN { print t / n }')" >&2
