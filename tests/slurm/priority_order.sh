#!/usr/bin/env bash
# Workflow priority on Slurm: three runs queued behind jobs that hold every node of the partition,
# started in the order p0 (priority 0), hi1 (priority 10), hi2 (priority 10). Their jobs carry
# nice 0, -1000 and -1000 (squeue %y, scontrol Nice=), Slurm ranks them hi1 > hi2 > p0 (squeue
# %Q), and once the nodes are free they start in that order (sacct Start): the higher priority
# first, then at equal priority the older. The test cluster's PriorityType is priority/basic, where
# without nice every job ranks one below the one submitted before it: p0's jobs, submitted first,
# would start first, so the order seen here is the priority's doing.
# Then an unprivileged user (nobody): a negative nice is refused by Slurm, so a priority-10 run
# goes at nice 0 with a note, and a priority -2 run at nice 200.
source "$(dirname "$0")/lib.bash"

P=$WF_SLURM_PARTITION
read -r nodes cpus < <(sinfo -h -p "$P" -o '%D %c' | head -n1)
[[ $nodes -ge 1 && $cpus -ge 1 ]] || fail "cannot read the partition's size from sinfo"
say "partition $P: $nodes nodes of $cpus cpus"

# Holders: one job per node, each the node's only job, until $T/release appears (at most 120 s).
for i in $(seq 1 "$nodes"); do
  sbatch --parsable -J "wf.$TAG-hold.h$i" -p "$P" -N1 --exclusive -o /dev/null \
    --wrap "for i in \$(seq 1200); do [ -e $T/release ] && exit 0; sleep 0.1; done" >/dev/null
done
for i in $(seq 1 600); do
  [[ $(squeue -h -o '%j %T' | awk -v p="wf.$TAG-hold." 'index($1, p) == 1 && $2 == "RUNNING"' | wc -l) -eq $nodes ]] && break
  sleep 0.1
done
[[ $i -lt 600 ]] || fail "the holders did not start within 60 s: $(squeue -h -o '%j %T %r')"

# A run: one whole-node task per node, each 3 s, so a run's jobs fill the partition together.
workflow() {  # NAME PRIORITY
  {
    echo "name: $TAG-$1"
    echo "priority: $2"
    echo "tasks:"
    for i in $(seq 1 "$nodes"); do
      printf '  - id: t%s\n    run: sleep 3\n    cpus: %s\n    mem: 100MiB\n' "$i" "$cpus"
    done
  } >"$T/$1.yaml"
}
queued() { squeue -h -o '%j' | grep -c "^wf\.$TAG-$1-" || true; }
start_run() {  # NAME PRIORITY: starts the run, returns once all its jobs are queued
  workflow "$1" "$2"
  "${WF_SLURM[@]}" --no-prewarm "$T/$1.yaml" >"$T/$1.json" 2>"$T/$1.err" &
  eval "pid_$1=$!"
  for i in $(seq 1 300); do
    [[ $(queued "$1") -eq $nodes ]] && return 0
    sleep 0.1
  done
  fail "run $1's jobs did not reach the queue: $(tail -n3 "$T/$1.err")"
}
start_run p0 0
start_run hi1 10
start_run hi2 10

# How Slurm holds them: nice per run, and the priority it computed from it.
squeue -h -o '%j|%y|%Q|%T' | grep "^wf\.$TAG-" >"$T/queue"
say "queue: $(tr '\n' ' ' <"$T/queue")"
for run in p0 hi1 hi2; do
  want=-1000
  [[ $run == p0 ]] && want=0
  for nice in $(awk -F'|' -v p="wf.$TAG-$run-" 'index($1, p) == 1 { print $2 }' "$T/queue"); do
    assert_eq "$nice" "$want" "nice of run $run's jobs"
  done
done
first_hi=$(awk -F'|' -v p="wf.$TAG-hi1-" 'index($1, p) == 1 { print $1; exit }' "$T/queue")
id=$(squeue -h -o '%i %j' | awk -v j="$first_hi" '$2 == j { print $1 }')
scontrol show job "$id" | grep -q 'Nice=-1000' || fail "scontrol shows no Nice=-1000 for $first_hi"
prio() { awk -F'|' -v p="wf.$TAG-$1-" -v f="$2" 'index($1, p) == 1 { v = $3 + 0; if (r == "" || (f == "min" ? v < r : v > r)) r = v } END { print r }' "$T/queue"; }
[[ $(prio hi1 min) -gt $(prio hi2 max) ]] || fail "hi1's jobs do not all rank above hi2's (equal priority: the older first)"
[[ $(prio hi2 min) -gt $(prio p0 max) ]] || fail "hi2's jobs do not all rank above p0's (priority 10 over 0)"
say "ok - jobs carry the priority: Slurm ranks hi1 > hi2 > p0"

touch "$T/release"
for run in p0 hi1 hi2; do
  pid_var=pid_$run
  wait "${!pid_var}" || fail "run $run exited $? ($(tail -n3 "$T/$run.err"))"
  assert_eq "$(jq -r .run.status "$T/$run.json")" succeeded "run $run's status"
done
assert_eq "$(jq -r .run.slurm.nice "$T/hi1.json")" -1000 "run.slurm.nice of hi1"
assert_eq "$(jq -r .run.slurm.nice "$T/p0.json")" 0 "run.slurm.nice of p0"
grep -q "priority 10 (nice -1000)" "$T/hi1.err" || fail "wf-run did not say the run's priority: $(cat "$T/hi1.err")"

starts() {  # RUN: the epoch start times of its jobs, sorted
  local job
  for job in $(jq -r '.run.tasks[].job_ids[0]' "$T/$1.json"); do
    date -d "$(sacct -n -P -X -j "$job" -o Start | head -n1)" +%s
  done | sort -n
}
p0_starts=$(starts p0) hi1_starts=$(starts hi1) hi2_starts=$(starts hi2)
say "start times: hi1 $(echo $hi1_starts) hi2 $(echo $hi2_starts) p0 $(echo $p0_starts)"
[[ $(tail -n1 <<<"$hi1_starts") -lt $(head -n1 <<<"$hi2_starts") ]] || fail "a hi2 job started before hi1's last"
[[ $(tail -n1 <<<"$hi2_starts") -lt $(head -n1 <<<"$p0_starts") ]] || fail "a p0 job started before hi2's last"
say "ok - served in the order hi1, hi2, p0"

# An unprivileged user: a negative nice is refused, so priority 10 goes at nice 0 (with a note);
# a negative priority still lowers the jobs.
command -v setpriv >/dev/null || skip "setpriv is not installed (the unprivileged case)"
mkdir -p "$T/nobody"
chown nobody "$T/nobody"
as_nobody() {  # NAME PRIORITY
  printf 'name: %s\npriority: %s\ntasks:\n  - id: t\n    run: "true"\n' "$TAG-$1" "$2" >"$T/nobody/$1.yaml"
  HOME=$T/nobody setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$WF_BIN/wf-run" --executor slurm --no-prewarm --run-root "$T/nobody/runs" --history "$T/nobody/history.db" \
    --progress never --poll-interval 0.25 --max-poll-interval 1 "$T/nobody/$1.yaml" \
    >"$T/nobody/$1.json" 2>"$T/nobody/$1.err" || fail "run $1 as nobody exited $? ($(tail -n3 "$T/nobody/$1.err"))"
}
as_nobody up 10
assert_eq "$(jq -r .run.status "$T/nobody/up.json")" succeeded "status of nobody's priority-10 run"
assert_eq "$(jq -r .run.slurm.nice "$T/nobody/up.json")" 0 "run.slurm.nice of nobody's priority-10 run"
grep -q "Slurm refused nice -1000" "$T/nobody/up.err" || fail "no note of the refused nice: $(cat "$T/nobody/up.err")"
as_nobody down -2
job=$(jq -r '.run.tasks[0].job_ids[0]' "$T/nobody/down.json")
scontrol show job "$job" | grep -q 'Nice=200' || fail "nobody's priority -2 job: $(scontrol show job "$job" | grep -o 'Nice=[-0-9]*')"
assert_eq "$(jq -r .run.slurm.nice "$T/nobody/down.json")" 200 "run.slurm.nice of nobody's priority -2 run"
say "ok - unprivileged: priority 10 at nice 0 with a note, priority -2 at nice 200"
