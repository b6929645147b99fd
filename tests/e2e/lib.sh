# Helpers shared by the end-to-end scripts (sourced, never run by itself).
#
#   source "$(dirname "$0")/lib.sh"
#   need_bin wf-run          # exit 77 (skipped) when the build has no such tool
#   make_tmp                 # $T: a fresh directory, removed (with what runs from it) at exit
#   wf_run ARGS...           # wf-run with --run-root and --history inside $T, no progress line
#   "${WF_RUN[@]}" ARGS &    # the same as a plain command, so that $! is wf-run's own pid
#   fail "message"           # exit 1 with the script's name
#   nf_trace_header / nf_trace_row ...   # a Nextflow trace to seed a history (nextflow_trace.bash)
#
# Scripts run with `set -euo pipefail`; a helper that checks something fails the script itself.
set -euo pipefail

E2E_NAME=$(basename "$0" .sh)
# shellcheck source=nextflow_trace.bash
source "$(dirname "${BASH_SOURCE[0]}")/nextflow_trace.bash"

fail() {
  echo "$E2E_NAME: FAIL: $*" >&2
  exit 1
}

skip() {
  echo "$E2E_NAME: skipped: $*" >&2
  exit 77
}

note() { echo "$E2E_NAME: $*" >&2; }

# WF_BIN is the build's bin directory (CTest sets it); tools missing from it skip the test.
need_bin() {
  [[ -n "${WF_BIN:-}" ]] || skip "WF_BIN is not set (run through ctest, or export WF_BIN=BUILD/bin)"
  local b
  for b in "$@"; do
    [[ -x "$WF_BIN/$b" ]] || skip "$WF_BIN/$b is not built"
  done
}

need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
  done
}

# Processes whose command line contains the fixed string $1 (pids, one a line; none: empty).
procs_matching() {
  local pid cmdline
  for pid in /proc/[0-9]*; do
    pid=${pid#/proc/}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    cmdline=$( { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || continue
    [[ $cmdline == *"$1"* ]] && echo "$pid"
  done
  return 0
}

# Fails when any process holding marker $1 in its command line is alive (zombies excepted: their
# parent reaps them), after allowing ${2:-2} seconds for the last ones to go.
assert_no_procs() {
  local marker=$1 wait_s=${2:-2} left pid state deadline=$((SECONDS + ${2:-2}))
  while :; do
    left=""
    for pid in $(procs_matching "$marker"); do
      state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || continue
      [[ $state == Z ]] || left+=" $pid"
    done
    [[ -z $left ]] && return 0
    ((SECONDS < deadline)) || break
    sleep 0.1
  done
  ps -o pid,ppid,pgid,stat,args -p "${left# }" >&2 || true
  fail "processes with '$marker' still alive after ${wait_s}s:$left"
}

# Kills (SIGKILL) every process holding marker $1: cleanup after a failed assertion.
kill_marked() {
  local pid
  for pid in $(procs_matching "$1"); do kill -9 "$pid" 2>/dev/null || true; done
}

# Waits up to $2 seconds (default 10) for file $1 to exist.
wait_for_file() {
  local deadline=$((SECONDS + ${2:-10}))
  until [[ -e $1 ]]; do
    ((SECONDS < deadline)) || fail "timed out waiting for $1"
    sleep 0.05
  done
}

# new_marker VAR: sets VAR to a string unique to this test, usable as a sleep length
# ("30.<pid><n>7"), to find the test's task processes by command line; cleanup kills leftovers.
E2E_MARKERS=()
new_marker() {
  local -n var=$1
  var="30.$$${#E2E_MARKERS[@]}7"
  E2E_MARKERS+=("$var")
}

e2e_cleanup() {
  local m
  for m in "${E2E_MARKERS[@]}"; do kill_marked "sleep $m"; done
  [[ -n "${T:-}" && -d "$T" ]] && rm -rf "$T"
  return 0
}

# $T: the test's scratch directory; removed at exit together with marked leftovers.
make_tmp() {
  T=$(mktemp -d "${TMPDIR:-/tmp}/wf-e2e-$E2E_NAME.XXXXXX")
  trap e2e_cleanup EXIT
  WF_RUN=("$WF_BIN/wf-run" --run-root "$T/runs" --history "$T/history.db" --progress never)
}

wf_run() { "${WF_RUN[@]}" "$@"; }

# Asserts that $1 (actual) equals $2 (expected); $3 names what is compared.
assert_eq() {
  [[ "$1" == "$2" ]] || fail "${3:-value}: expected '$2', got '$1'"
}

# The one run directory under $T/runs (scripts that started exactly one run).
only_run_dir() {
  local dirs=("$T"/runs/*)
  [[ ${#dirs[@]} -eq 1 && -d ${dirs[0]} ]] || fail "expected one run directory in $T/runs, found: ${dirs[*]}"
  echo "${dirs[0]}"
}
