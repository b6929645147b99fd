# Helpers shared by the Slurm scenarios (sourced, never run by itself; not a test: its name does
# not end in .sh). They need the cluster scripts/slurm-up starts and a wf-run that knows
# --executor slurm; without either they exit 77 (skipped).
#
#   source "$(dirname "$0")/lib.bash"
#   wf_slurm ARGS...      wf-run --executor slurm with --run-root/--history in $T
#   "${WF_SLURM[@]}" ARGS &   the same as a plain command, so that $! is wf-run's own pid
#   jobs_of_run           job ids of this test still known to squeue (any state but ended)
#   acct JOB FIELDS       one sacct -P line for the job (e.g. acct 12 AllocCPUS,ReqMem)
# Every workflow of a test is named "$TAG-..." (its run ids and job names start with it), so the
# cleanup cancels exactly this test's jobs.
set -euo pipefail

S_NAME=$(basename "$0" .sh)
# shellcheck source=../e2e/nextflow_trace.bash
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/nextflow_trace.bash"
say() { echo "$S_NAME: $*" >&2; }
fail() {
  echo "$S_NAME: FAIL: $*" >&2
  exit 1
}
skip() {
  echo "$S_NAME: skipped: $*" >&2
  exit 77
}

slurm_dir=${WF_SLURM_DIR:-/var/lib/wf-slurm}
[ -r "$slurm_dir/env" ] || skip "no $slurm_dir/env (start the cluster with scripts/slurm-up)"
set -a
. "$slurm_dir/env"
set +a
for c in sbatch squeue sacct scontrol jq sqlite3; do
  command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
done
timeout 10 sinfo -h >/dev/null 2>&1 || skip "sinfo fails: the cluster is not up"
[[ -n "${WF_BIN:-}" && -x "$WF_BIN/wf-run" ]] || skip "WF_BIN/wf-run is not built (run through ctest, or export WF_BIN)"
[[ $("$WF_BIN/wf-run" --help 2>&1) == *--partition* ]] || skip "this wf-run has no --executor slurm"  # no pipe: grep -q would SIGPIPE wf-run under pipefail

TAG="s$$"
T=$(mktemp -d "/tmp/wf-slurm-$S_NAME.XXXXXX")  # /tmp: the test cluster's nodes share this machine
chmod 755 "$T"
S_RESERVATIONS=()

slurm_cleanup() {
  local ids r p
  # A wf-run still in the background (a failed check) goes first, so that none writes into $T
  # after it is gone; `jobs -p` lists only this shell's own children not yet waited for.
  for p in $(jobs -p); do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ids=$(squeue -h -o '%i %j' 2>/dev/null | awk -v p="wf.$TAG-" 'index($2, p) == 1 { print $1 }')
  [ -z "$ids" ] || scancel $ids 2>/dev/null || true
  for r in "${S_RESERVATIONS[@]}"; do scontrol delete reservation="$r" >/dev/null 2>&1 || true; done
  rm -rf "$T"
}
trap slurm_cleanup EXIT

WF_SLURM=("$WF_BIN/wf-run" --executor slurm --run-root "$T/runs" --history "$T/history.db" --progress never
          --poll-interval 0.25 --max-poll-interval 1)
wf_slurm() { "${WF_SLURM[@]}" "$@"; }

# Job ids of this test's jobs squeue still lists as pending or running (completing counts).
jobs_of_run() {
  squeue -h -o '%i %j %T' 2>/dev/null | awk -v p="wf.$TAG-" 'index($2, p) == 1 && $3 != "COMPLETED" && $3 != "CANCELLED" && $3 != "FAILED" { print $1 }'
}

# acct JOB FIELDS: the job's own sacct line (fields '|'-separated); waits up to 10 s for it to be final.
acct() {
  local line i
  for i in $(seq 1 40); do
    line=$(sacct -n -P -X -j "$1" -o "State,$2" 2>/dev/null | head -n1)
    [[ -n $line && $line != PENDING* && $line != RUNNING* ]] && break
    sleep 0.25
  done
  echo "${line#*|}"
}

# The largest MaxRSS of a job's steps, in KiB (empty when accounting saw none).
step_rss_kib() {
  sacct -n -P -j "$1" -o JobID,MaxRSS 2>/dev/null | awk -F'|' '$1 ~ /\./ && $2 != "" {
    v = $2 + 0; u = substr($2, length($2)); f = (u == "K") ? 1 : (u == "M") ? 1024 : (u == "G") ? 1048576 : 1 / 1024
    if (v * f > m) m = v * f } END { if (m) printf "%d\n", m }'
}

epoch() { date -d "$1" +%s; }
assert_eq() { [[ "$1" == "$2" ]] || fail "${3:-value}: expected '$2', got '$1'"; }

# Powers every cloud node down (power_down_force) and waits until sinfo shows them all idle~,
# at most $1 seconds (default 40). Skips the test when the cluster has no cloud partition.
cloud_all_down() {
  [ -n "${WF_SLURM_CLOUD_PARTITION:-}" ] || skip "the cluster has no cloud partition"
  local limit=${1:-40} i states
  states=$(sinfo -h -N -p "$WF_SLURM_CLOUD_PARTITION" -o '%T' | sort -u | tr '\n' ' ')
  [[ $states == "idle~ " ]] && return 0
  scontrol update nodename="$WF_SLURM_CLOUD_NODES" state=power_down_force 2>/dev/null || true
  for i in $(seq 1 $((limit * 4))); do
    states=$(sinfo -h -N -p "$WF_SLURM_CLOUD_PARTITION" -o '%T' | sort -u | tr '\n' ' ')
    [[ $states == "idle~ " ]] && return 0
    sleep 0.25
  done
  fail "cloud nodes not powered down after ${limit}s: $states"
}
