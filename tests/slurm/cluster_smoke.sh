#!/usr/bin/env bash
# End-to-end check of the cluster scripts/slurm-up starts: afterok chains (and kill_invalid_depend),
# sacct accounting (MaxRSS, TotalCPU), memory enforcement (OverMemoryKill), reservations, and a
# power-saving cloud node that boots for a job. Exit 77 (skipped) when no cluster is up.
#   scripts/slurm-up && bash tests/slurm/cluster_smoke.sh
set -euo pipefail

dir=${WF_SLURM_DIR:-/var/lib/wf-slurm}
skip() { echo "cluster_smoke: skipped: $*" >&2; exit 77; }
[ -r "$dir/env" ] || skip "no $dir/env (start the cluster with scripts/slurm-up)"
set -a
. "$dir/env"
set +a
command -v sbatch >/dev/null || skip "no Slurm client commands"
timeout 10 sinfo -h >/dev/null 2>&1 || skip "sinfo fails: the cluster is not up"
[ "$(id -u)" = 0 ] || skip "reservations need Slurm administrator rights (run as root)"

T0=$(date +%s%3N)
ms() { echo $(( $(date +%s%3N) - $1 )); }
say() { echo "cluster_smoke: $*" >&2; }
jobs_submitted=()
resv=""
work=$(mktemp -d /tmp/wf-slurm-smoke.XXXXXX)
chmod 755 "$work"
cd "$work"
cleanup() {
  [ ${#jobs_submitted[@]} -eq 0 ] || scancel "${jobs_submitted[@]}" 2>/dev/null || true
  [ -z "$resv" ] || scontrol delete reservation="$resv" 2>/dev/null || true
  cd / && rm -rf "$work"
}
trap cleanup EXIT
fail() {
  say "FAIL: $*"
  local j
  for j in "${jobs_submitted[@]}"; do scontrol show job -o "$j" 2>/dev/null | cut -c1-400 >&2 || true; done
  exit 1
}

submit() { # submit SBATCH-ARGS...: prints the job id
  local id
  id=$(sbatch --parsable "$@") || fail "sbatch $* failed"
  id=${id%%;*}
  jobs_submitted+=("$id")
  echo "$id"
}
field() { scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"; }
finished() {
  case "$(field "$1" JobState)" in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED|DEADLINE|BOOT_FAIL) return 0 ;;
  esac
  return 1
}
wait_done() { # wait_done SECONDS JOB...
  local limit=$1 j i
  shift
  for j in "$@"; do
    for i in $(seq 1 $((limit * 4))); do finished "$j" && break; sleep 0.25; done
    finished "$j" || fail "job $j not finished after ${limit}s (state $(field "$j" JobState))"
  done
}
expect_state() { # expect_state JOB REGEX
  local s; s=$(field "$1" JobState)
  [[ $s =~ ^($2)$ ]] || fail "job $1: state $s, expected $2"
}
epoch() { date -d "$1" +%s; }
kib() { # sacct size (e.g. 104592K, 1.5G) -> KiB
  awk -v v="$1" 'BEGIN { n = v + 0; u = substr(v, length(v));
    f = (u == "K") ? 1 : (u == "M") ? 1024 : (u == "G") ? 1048576 : (u == "T") ? 1073741824 : 1 / 1024;
    printf "%d\n", n * f }'
}
millis() { # sacct duration ([D-]HH:MM:SS, MM:SS.mmm) -> milliseconds
  awk -v v="$1" 'BEGIN { d = 0; if (index(v, "-")) { split(v, a, "-"); d = a[1]; v = a[2] }
    n = split(v, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i];
    printf "%d\n", (d * 86400 + s) * 1000 }'
}

part=$WF_SLURM_PARTITION
say "cluster $WF_SLURM_CLUSTER: $part=$WF_SLURM_NODES, ${WF_SLURM_CLOUD_PARTITION:-no cloud}=${WF_SLURM_CLOUD_NODES:-}"

# --- 1. jobs on the static partition, all submitted at once (the nodes run them in parallel) ---
t=$(date +%s%3N)
a=$(submit -J smoke-a -p "$part" -c1 --mem=50M -o a.out --wrap 'sleep 2; date +%s.%N >a.done')
b=$(submit -J smoke-b -p "$part" -c1 --mem=50M -o b.out -d "afterok:$a" \
      --wrap 'test -e a.done && date +%s.%N >b.start')
f=$(submit -J smoke-f -p "$part" -c1 --mem=50M -o f.out --wrap 'exit 3')
g=$(submit -J smoke-g -p "$part" -c1 --mem=50M -o g.out -d "afterok:$f" --wrap 'touch g.ran')
# ~100 MiB resident while spinning the CPU for 3 s.
r=$(submit -J smoke-rss -p "$part" -c1 --mem=400M -o r.out \
      --wrap 'perl -e '\''$x = "x" x (100 << 20); $t = time; 1 while time - $t < 3'\''')
# Touches 600 MiB under a 100 MiB limit; without enforcement it would sleep 30 s and complete.
o=$(submit -J smoke-oom -p "$part" -c1 --mem=100M -o o.out \
      --wrap 'perl -e '\''$x = "x" x (600 << 20); sleep 30'\''')

wait_done 40 "$a" "$b" "$f" "$g" "$r" "$o"
expect_state "$a" COMPLETED
expect_state "$b" COMPLETED
[ "$(epoch "$(field "$b" StartTime)")" -ge "$(epoch "$(field "$a" EndTime)")" ] ||
  fail "job $b started before its afterok parent $a ended"
awk '{ exit !($1 >= 0) }' a.done && [ -e b.start ] &&
  awk -v a="$(cat a.done)" '{ exit !($1 >= a) }' b.start || fail "afterok child ran before its parent finished"
say "ok - afterok chain $a -> $b ran in order"
expect_state "$f" FAILED
[ "$(field "$f" ExitCode)" = 3:0 ] || fail "job $f: exit code $(field "$f" ExitCode), expected 3:0"
expect_state "$g" CANCELLED
[ ! -e g.ran ] || fail "job $g ran although its parent $f failed"
say "ok - failed parent $f (exit 3) cancelled its dependent $g"
expect_state "$o" 'FAILED|OUT_OF_MEMORY'
[ "$(field "$o" ExitCode)" = 0:9 ] || fail "job $o: exit code $(field "$o" ExitCode), expected 0:9 (SIGKILL)"
o_secs=$(( $(epoch "$(field "$o" EndTime)") - $(epoch "$(field "$o" StartTime)") ))
[ "$o_secs" -lt 20 ] || fail "job $o over its --mem ran ${o_secs}s, it should have been killed"
grep -qi 'memory limit' o.out || fail "job $o: no memory-limit message in its output"
say "ok - job $o over --mem=100M killed after ${o_secs}s: $(field "$o" JobState), $(grep -m1 -io 'exceeded.*memory limit.*' o.out)"
expect_state "$r" COMPLETED
say "ok - main partition jobs done in $(ms "$t") ms"

# --- 2. accounting: sacct reports the step's peak RSS and CPU time ---
t=$(date +%s%3N)
row=""
for i in $(seq 1 80); do
  row=$(sacct -n -P -j "$r.batch" -o MaxRSS,TotalCPU,Elapsed,State 2>/dev/null | head -n1)
  [[ $row =~ ^[0-9] ]] && break
  sleep 0.25
done
IFS='|' read -r maxrss totalcpu elapsed state <<<"$row"
[ -n "${maxrss:-}" ] || fail "sacct: no MaxRSS for step $r.batch after 20 s (row '$row')"
[ "$(kib "$maxrss")" -ge $((80 * 1024)) ] || fail "sacct: MaxRSS $maxrss for $r.batch, expected >= 80M"
# The step spins for 3 s of wall time; on a loaded 2-core machine it may get a fraction of a CPU.
[ "$(millis "$totalcpu")" -ge 100 ] || fail "sacct: TotalCPU $totalcpu for $r.batch, expected >= 0.1 s"
[ "$(millis "$elapsed")" -ge 3000 ] || fail "sacct: Elapsed $elapsed for $r.batch, expected >= 3 s"
say "ok - sacct $r.batch: MaxRSS=$maxrss TotalCPU=$totalcpu Elapsed=$elapsed State=$state (visible after $(ms "$t") ms)"
sacct -n -P -j "$o" -o JobID,State,ExitCode,MaxRSS,ReqMem | sed 's/^/cluster_smoke:     oom job: /' >&2

# --- 3. reservations: create, run a job in it, delete ---
t=$(date +%s%3N)
node=${WF_SLURM_NODES%%,*}
resv=wf_smoke_$$
scontrol create reservation reservationname="$resv" starttime=now duration=5 users=root \
  nodes="$node" flags=ignore_jobs >/dev/null || fail "cannot create reservation $resv"
scontrol show reservation "$resv" | grep -q "Nodes=$node " || fail "reservation $resv is not on $node"
v=$(submit -J smoke-resv --reservation="$resv" -c1 --mem=10M -o v.out \
      --wrap 'echo "$SLURM_JOB_RESERVATION $SLURMD_NODENAME"')
wait_done 20 "$v"
expect_state "$v" COMPLETED
[ "$(cat v.out)" = "$resv $node" ] || fail "job $v in reservation printed '$(cat v.out)'"
scontrol delete reservation="$resv" || fail "cannot delete reservation $resv"
scontrol show reservation "$resv" >/dev/null 2>&1 && fail "reservation $resv still exists"
sbatch --reservation="$resv" --wrap true >/dev/null 2>&1 && fail "sbatch accepted deleted reservation $resv"
resv=""
say "ok - reservation created, used by job $v on $node, deleted ($(ms "$t") ms)"

# --- 4. a powered-down cloud node boots for a job ---
if [ -z "${WF_SLURM_CLOUD_PARTITION:-}" ]; then
  say "no cloud partition configured: cloud check not run"
else
  cnode_state() { sinfo -h -N -n "$1" -o %T 2>/dev/null | head -n1; }
  pick_down() { sinfo -h -N -p "$WF_SLURM_CLOUD_PARTITION" -o '%N %T' | awk '$2 == "idle~" { print $1; exit }'; }
  cnode=$(pick_down)
  if [ -z "$cnode" ]; then # all up (e.g. a previous run): power one down and wait for it
    cnode=${WF_SLURM_CLOUD_NODES%%,*}
    say "no powered-down cloud node; powering $cnode down"
    scontrol update nodename="$cnode" state=power_down_force
    for i in $(seq 1 120); do [ "$(cnode_state "$cnode")" = 'idle~' ] && break; sleep 0.25; done
    [ "$(cnode_state "$cnode")" = 'idle~' ] || fail "cloud node $cnode did not power down"
  fi
  t=$(date +%s%3N)
  timeout 90 srun -p "$WF_SLURM_CLOUD_PARTITION" -w "$cnode" -N1 -c1 --mem=64M \
    bash -c 'echo $SLURMD_NODENAME' >srun.out 2>srun.err &
  srun_pid=$!
  seen=""
  while kill -0 "$srun_pid" 2>/dev/null; do
    s=$(cnode_state "$cnode")
    [[ " $seen " == *" $s "* ]] || seen="$seen $s"
    sleep 0.25
  done
  wait "$srun_pid" || fail "srun on cloud node $cnode failed: $(tail -n3 srun.err)"
  up_ms=$(ms "$t")
  [ "$(cat srun.out)" = "$cnode" ] || fail "srun on $cnode printed '$(cat srun.out)'"
  [[ $seen == *'#'* ]] || fail "sinfo never showed $cnode powering up (states:$seen)"
  s=$(cnode_state "$cnode")
  [[ $s != *'~'* && $s != *'#'* ]] || fail "cloud node $cnode is '$s' after its job, expected powered up"
  say "ok - cloud node $cnode powered up and ran a step in $up_ms ms (sinfo:$seen -> $s)"
  # A batch job on the now powered-up node starts at once (on a node still booting, slurmctld
  # 22.05 launches batch jobs only on its 30 s periodic pass).
  t=$(date +%s%3N)
  w=$(submit -J smoke-cloud -p "$WF_SLURM_CLOUD_PARTITION" -w "$cnode" -c1 --mem=64M -o w.out \
        --wrap 'echo $SLURMD_NODENAME')
  wait_done 30 "$w"
  expect_state "$w" COMPLETED
  [ "$(cat w.out)" = "$cnode" ] || fail "batch job $w on $cnode printed '$(cat w.out)'"
  say "ok - batch job $w on powered-up $cnode done in $(ms "$t") ms"
fi

say "ALL OK in $(ms "$T0") ms"
