# shellcheck shell=bash
# Shared by scripts/slurm-up and scripts/slurm-down: where the single-machine Slurm cluster keeps
# its state, and small process helpers. Sourced, never run.
#
# Everything the cluster writes lives under one state directory, WF_SLURM_DIR (default
# /var/lib/wf-slurm):
#   etc/    slurm.conf, slurmdbd.conf, node-resume, node-suspend, db.pass
#   spool/  ctld (StateSaveLocation), slurmd/<node> (SlurmdSpoolDir)
#   run/    PID files, the MariaDB socket
#   log/    one log per daemon, power.log (resume/suspend), mariadb.log
#   mysql/  the MariaDB data directory of the accounting database
#   env     KEY=value lines for tests and tools (see slurm-up)
# The only things outside it: munged's default key and socket (/etc/munge, /run/munge), which
# Slurm's auth/munge expects, and a convenience link /etc/slurm/slurm.conf when no other
# slurm.conf is there.

WF_SLURM_DIR=${WF_SLURM_DIR:-/var/lib/wf-slurm}
SLURM_CONF=$WF_SLURM_DIR/etc/slurm.conf
export WF_SLURM_DIR SLURM_CONF

ETC=$WF_SLURM_DIR/etc
SPOOL=$WF_SLURM_DIR/spool
RUN=$WF_SLURM_DIR/run
LOG=$WF_SLURM_DIR/log
DBDIR=$WF_SLURM_DIR/mysql
MUNGE_PID=/run/munge/munged.pid
# munged is shared system infrastructure: stop it only if this marker says we started it.
MUNGE_OURS=$RUN/munged.ours

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "error: $*"; exit 1; }

now_ms() { date +%s%3N; }
since() { # since START_MS -> "1.234s"
  local d=$(( $(now_ms) - $1 ))
  printf '%d.%03ds' $((d / 1000)) $((d % 1000))
}

pid_of() { [ -s "$1" ] && tr -dc 0-9 <"$1" || true; }

# alive PID [COMM]: the process exists, is not a zombie (PID 1 here reaps late, and kill -0
# succeeds on zombies) and, when COMM is given, its name starts with COMM (guards against a
# stale PID file whose number was reused).
alive() {
  local pid=${1:-} comm=${2:-} st
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ] || return 1
  [ -z "$comm" ] || [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$comm"* ]]
}

# stop_pidfile NAME FILE COMM: SIGTERM the process named in FILE, wait up to 15 s, then SIGKILL;
# remove FILE. Silent when nothing runs. Appends the PID to STOPPED_PIDS.
STOPPED_PIDS=()
stop_pidfile() {
  local name=$1 file=$2 comm=$3 pid i
  pid=$(pid_of "$file")
  if alive "$pid" "$comm"; then
    STOPPED_PIDS+=("$pid")
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 150); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      say "$name ($pid) ignored SIGTERM, killing it"
      kill -9 "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    fi
    say "stopped $name ($pid)"
  fi
  rm -f "$file"
}

# reap_wait SECONDS: wait until the stopped daemons are gone from the process table. They were
# reparented to PID 1, which here reaps with a delay of a second or two; until then they linger
# as zombies that `ps` still lists.
reap_wait() {
  local i pid left
  for i in $(seq 1 $(($1 * 10))); do
    left=0
    for pid in "${STOPPED_PIDS[@]}"; do [ -e "/proc/$pid" ] && left=1 && break; done
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  return 0
}

# wait_for SECONDS WHAT CMD...: poll CMD every 0.2 s until it succeeds, or fail naming WHAT and
# showing CMD's last output.
wait_for() {
  local limit=$1 what=$2 i out=""
  shift 2
  for i in $(seq 1 $((limit * 5))); do
    out=$("$@" 2>&1) && return 0
    sleep 0.2
  done
  [ -z "$out" ] || printf '%s\n' "$out" | tail -n 5 >&2
  die "timed out after ${limit}s waiting for $what"
}

# resume_running: a copy of our ResumeProgram runs (it may be about to start a cloud node's
# slurmd). Builtins only: /proc may list hundreds of processes.
resume_running() {
  local p argv
  for p in /proc/[0-9]*; do
    { mapfile -d '' -t argv <"$p/cmdline"; } 2>/dev/null || continue
    [ "${argv[1]:-}" = "$ETC/node-resume" ] && alive "${p#/proc/}" && return 0
  done
  return 1
}
