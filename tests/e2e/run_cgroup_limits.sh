#!/usr/bin/env bash
# A run inside a control group with a CPU quota of one CPU and a memory limit of 768 MiB (what
# `docker run --cpus 1 --memory 768m` sets), given no capacity: wf-run takes the quota and the
# limit as this machine's, runs the four one-cpu tasks one at a time, and wf-provision's local plan
# sees the same machine. Needs root and a writable cgroup cpu controller (v1, or v2 with cpu
# delegated); skipped otherwise.
source "$(dirname "$0")/lib.sh"
need_bin wf-run wf-analyze wf-predict wf-provision
need_cmd jq
[[ $(id -u) == 0 ]] || skip "needs root to create a cgroup"
# A quota of one CPU must be below what this process could use without it.
(($(nproc) >= 2)) || skip "needs at least 2 CPUs to tell a one-CPU quota from the machine"
make_tmp

# The directory of this process's cgroup in the hierarchy holding controller $1 ("" for v2).
cgroup_dir() {
  local want=$1 line path mount root point fstype super rest
  if [[ -z $want ]]; then
    path=$(awk -F: '$1 == "0" && $2 == "" { print $3 }' /proc/self/cgroup)
  else
    path=$(awk -F: -v c="$want" '{ n = split($2, cs, ","); for (i = 1; i <= n; i++) if (cs[i] == c) print $3 }' /proc/self/cgroup)
  fi
  [[ -n $path ]] || return 1
  while read -r line; do
    read -r _ _ _ root point rest <<<"${line%% - *}"
    read -r fstype _ super <<<"${line#* - }"
    if [[ -z $want && $fstype == cgroup2 ]] || [[ -n $want && $fstype == cgroup && ,$super, == *",$want,"* ]]; then
      [[ $root != / && $path == "$root"* ]] && path=${path#"$root"}
      [[ $root != / && $path != /* ]] && path=/$path
      echo "$point${path%/}"
      return 0
    fi
  done </proc/self/mountinfo
  return 1
}

CG_CPU="" CG_MEM="" MODE=""
cleanup() {
  local d
  for d in "$CG_CPU" "$CG_MEM"; do [[ -n $d && -d $d ]] && { rmdir "$d" 2>/dev/null || true; }; done
  e2e_cleanup
}
trap cleanup EXIT

name="wf-e2e-$$"
if dir=$(cgroup_dir cpu) && [[ -w $dir/cpu.cfs_quota_us || -w $dir ]] && mkdir "$dir/$name" 2>/dev/null; then
  CG_CPU=$dir/$name MODE=v1
  echo 100000 >"$CG_CPU/cpu.cfs_period_us"
  echo 100000 >"$CG_CPU/cpu.cfs_quota_us" || skip "cannot set a CPU quota in $CG_CPU"
  if mdir=$(cgroup_dir memory) && mkdir "$mdir/$name" 2>/dev/null; then
    CG_MEM=$mdir/$name
    echo $((768 << 20)) >"$CG_MEM/memory.limit_in_bytes" || skip "cannot set a memory limit in $CG_MEM"
  fi
elif dir=$(cgroup_dir "") && mkdir "$dir/$name" 2>/dev/null; then
  CG_CPU=$dir/$name MODE=v2
  [[ -e $CG_CPU/cpu.max ]] || skip "the cpu controller is not delegated to $dir (cgroup v2)"
  echo "100000 100000" >"$CG_CPU/cpu.max"
  if [[ -e $CG_CPU/memory.max ]]; then CG_MEM=$CG_CPU; echo $((768 << 20)) >"$CG_CPU/memory.max"; fi
else
  skip "no writable cgroup cpu controller"
fi
note "cgroup $MODE: $CG_CPU${CG_MEM:+ and $CG_MEM}"

# Runs "$@" inside the cgroup(s).
in_cgroup() {
  CG_CPU=$CG_CPU CG_MEM=$CG_MEM MODE=$MODE bash -c '
    echo $$ >"$CG_CPU/cgroup.procs"
    [[ $MODE == v1 && -n $CG_MEM ]] && echo $$ >"$CG_MEM/cgroup.procs"
    exec "$@"' in_cgroup "$@"
}

{
  echo "name: quota"
  echo "tasks:"
  for i in 1 2 3 4; do echo "  - {id: t$i, run: 'sleep 0.3', duration: 0.3s, cpus: 1, mem: 64MiB}"; done
} >"$T/wf.yaml"

in_cgroup "${WF_RUN[@]}" --no-history --events "$T/ev.jsonl" "$T/wf.yaml" >"$T/out.json" || fail "wf-run exited $?"
assert_eq "$(jq -r .run.status "$T/out.json")" succeeded "run status"
assert_eq "$(jq -r .run.capacity.source "$T/out.json")" machine "capacity source"
assert_eq "$(jq -r .run.capacity.cpus "$T/out.json")" 1 "capacity cpus under a one-CPU quota (the host has $(nproc))"
if [[ -n $CG_MEM ]]; then
  mem=$(jq -r .run.capacity.mem_bytes "$T/out.json")
  ((mem > 0 && mem <= 768 << 20)) || fail "capacity memory $mem is not within the 768 MiB limit"
fi
# One at a time: no task started before the one before it ended.
peak=$(jq -rs 'reduce .[] as $e ({n: 0, p: 0};
    if $e.event == "task_started" then .n += 1 | .p = ([.p, .n] | max)
    elif ($e.event | IN("task_finished", "task_failed", "task_retried")) then .n -= 1 else . end) | .p' "$T/ev.jsonl")
assert_eq "$peak" 1 "tasks at once under a one-CPU quota"

# Outside the cgroup the same run takes the host's CPUs.
wf_run --no-history "$T/wf.yaml" >"$T/host.json" || fail "wf-run outside the cgroup exited $?"
host=$(jq -r .run.capacity.cpus "$T/host.json")
note "capacity: 1 cpu in the cgroup, $host outside"
awk -v h="$host" 'BEGIN { exit !(h > 1) }' || fail "outside the cgroup the capacity is $host cpus, not more than its quota"

# wf-predict --cpus machine forecasts on the capacity wf-run takes here.
assert_eq "$(in_cgroup "$WF_BIN/wf-predict" -q --no-history --cpus machine --mem machine "$T/wf.yaml" | jq -r .prediction.capacity.cpus)" 1 \
  "wf-predict --cpus machine inside the cgroup"

# wf-provision's local plan sees the machine the run will get.
"$WF_BIN/wf-analyze" "$T/wf.yaml" | "$WF_BIN/wf-predict" >"$T/pred.json" || fail "analyze | predict failed"
in_cgroup "$WF_BIN/wf-provision" --plan --ledger "$T/ledger.db" --scratch-root "$T/scratch" "$T/pred.json" >"$T/plan.json" || fail "wf-provision --plan exited $?"
assert_eq "$(jq -r '.. | objects | select(has("machine_cpus")) | .machine_cpus' "$T/plan.json" | head -1)" 1 "the plan's machine cpus"
# The four tasks' forecast peak (4 cpus) does not fit: the lease is capped at 1 cpu, and the run
# under it is simulated — one task at a time: about 3 times the makespan (the sum of four draws against their maximum) and a quarter of the memory.
read -r lease ms50 lease_ms50 mem50 lease_mem50 < <(jq -r '[.plan.local.cpus, .prediction.makespan_s.p50,
  .plan.local.under_lease.makespan_s.p50, .prediction.peaks.used_mem_bytes.p50,
  .plan.local.under_lease.peak_used_mem_bytes.p50] | @tsv' "$T/plan.json")
note "lease $lease cpu: makespan p50 $ms50 s unlimited, $lease_ms50 s under the lease; peak memory p50 $mem50 / $lease_mem50 bytes"
assert_eq "$lease" 1 "the capped lease's cpus"
awk -v a="$lease_ms50" -v b="$ms50" -v m="$lease_mem50" -v n="$mem50" 'BEGIN { exit !(a > 2 * b && m < n / 2) }' ||
  fail "the run under the capped lease is not forecast one task at a time"
echo "$E2E_NAME: ok"
