#!/usr/bin/env bash
# Crash consistency, as randomized trials with a fixed seed. Each trial kills -9 one of wf-provision,
# wf-run and wf-reap at a random moment of its life (a delay drawn from the seed, between 0 and 1.2
# times the median duration measured first: start, middle and end), through the local pool or an
# exec: plugin, then recovers as a user would — `wf-reap --run RUN` after a killed wf-provision,
# `wf-run --resume RUN` after a killed wf-run, wf-reap again after a killed wf-reap — and checks:
#   - no task that succeeded before the kill runs again, and none is lost (all succeed at the end);
#   - nothing is left: the ledger holds no live row and no lease, the scratch root is empty, and the
#     plugin's own state (its list and its state directory) holds nothing; a killed reaper's claims
#     are taken over at once by the next (no --claim-timeout wait: its holder is known to be gone);
#   - the history and the ledger pass PRAGMA integrity_check.
# WF_CRASH_SEED (default 20261129) and WF_CRASH_TRIALS (default 24) choose the trials; the draws of
# every trial are made up front, so WF_CRASH_ONLY=N replays trial N alone with the same seed (its
# tool and provider, and its fraction of the measured duration; WF_CRASH_DELAY_MS=MS pins the delay
# itself, since durations vary from machine to machine).
# A kill between saving the run's document and opening its journal leaves a run directory with no
# journal: --resume runs every task (nothing had started); such resumes are counted.
# Trials are independent: each has its own ledger, history, run root and plugin state.
source "$(dirname "$0")/lib.sh"
need_bin wf-provision wf-run wf-reap
need_cmd jq python3 pgrep
make_tmp
SEED=${WF_CRASH_SEED:-20261129}
TRIALS=${WF_CRASH_TRIALS:-24}
ONLY=${WF_CRASH_ONLY:-}
note "seed $SEED, $TRIALS trials (WF_CRASH_SEED, WF_CRASH_TRIALS; WF_CRASH_ONLY=N replays one)"
PLUGIN_SRC="$WF_SOURCE_DIR/tests/unit/provider/plugins/state.sh"
[[ -r $PLUGIN_SRC ]] || skip "$PLUGIN_SRC is missing"

# A price catalog with one small type, so that an exec: provision creates one vm per plan item.
cat >"$T/catalog.yaml" <<'EOF'
provider: trial
types:
  - name: small
    vcpu: 2
    memory: 4GiB
    regions:
      here: {on_demand: 0.10}
EOF

# Each task appends "<id> start <owner>" and "<id> done <owner>" to the trial's marks file, where
# <owner> is the pid of the wf-run that started it, or "orphan" when that wf-run is gone (killed):
# a task the killed invocation started just before the kill is then told from the recovery's own
# starts, however late it runs.
cat >"$T/task.sh" <<'EOF'
#!/bin/sh
dir=$1 id=$2
owner=orphan p=$PPID
for _ in 1 2 3 4; do
  [ "$(cat "/proc/$p/comm" 2>/dev/null)" = wf-run ] && { owner=$p; break; }
  p=$(sed 's/.*) . //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$p" ] && [ "$p" -gt 1 ] || break
done
echo "$id start $owner" >>"$dir/marks"
sleep 0.05
echo "$id done $owner" >>"$dir/marks"
EOF
chmod +x "$T/task.sh"
TASKS=(a b c d e f)

workflow() {  # DIR: a diamond and a tail, up to three tasks at once
  cat >"$1/wf.yaml" <<EOF
name: crash
tasks:
  - {id: a, cpus: 0.1, run: "$T/task.sh $1 a"}
  - {id: b, cpus: 0.1, needs: a, run: "$T/task.sh $1 b"}
  - {id: c, cpus: 0.1, needs: a, run: "$T/task.sh $1 c"}
  - {id: d, cpus: 0.1, needs: a, run: "$T/task.sh $1 d"}
  - {id: e, cpus: 0.1, needs: [b, c], run: "$T/task.sh $1 e"}
  - {id: f, cpus: 0.1, needs: [d, e], run: "$T/task.sh $1 f"}
EOF
}

# The tools of trial directory $D (set by the caller), with everything of theirs inside it.
provision_cmd() {  # PROVIDER
  local args=("$WF_BIN/wf-provision" "$D/wf.yaml" --run-id "$RUN" --ledger "$D/ledger.db" --scratch-root "$D/scratch" --wait 60 -q)
  if [[ $1 == exec ]]; then
    args+=(--provider "exec:$D/plugin.sh" --catalog "$T/catalog.yaml" --provider-env WF_PROVIDER_STATE
      --provider-env WF_PROVIDER_SLEEP_AFTER_CREATE)
  fi
  echo "${args[@]@Q}"
}
run_cmd() { echo "$WF_BIN/wf-run" --run-root "$D/runs" --history "$D/history.db" --ledger "$D/ledger.db" --progress never -q; }
reap_cmd() {
  echo "$WF_BIN/wf-reap" --ledger "$D/ledger.db" --scratch-root "$D/scratch" --provider-env WF_PROVIDER_STATE -q
}

new_trial() {  # N PROVIDER: sets D and RUN, makes the trial's files
  D=$T/trial-$1
  RUN=crash-$1
  mkdir -p "$D/state"
  workflow "$D"
  cp "$PLUGIN_SRC" "$D/plugin.sh"  # a copy per trial: its stragglers are found by path
  export WF_PROVIDER_STATE=$D/state WF_PROVIDER_SLEEP_AFTER_CREATE=0.05
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Runs the command line $1 (a quoted string) in the background, kills it -9 after $2 ms; sets
# KILLED=1 when it was still alive then (0 when it had already exited).
kill_after() {
  eval "exec $1" >"$D/killed.out" 2>"$D/killed.err" &
  local pid=$!
  KILLED_PID=$pid
  local wait_ms=$(($2 - SLEEP_COST_MS))  # starting sleep(1) takes time of its own
  ((wait_ms > 0)) && sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then KILLED=1; else KILLED=0; fi
  wait "$pid" 2>/dev/null || true
}

# A killed caller's plugin finishes its call on its own (it runs in its own process group): wait
# for it, as a reaper started later would.
wait_stragglers() {
  local deadline=$((SECONDS + 10))
  while pgrep -f "$D/plugin.sh" >/dev/null; do
    ((SECONDS < deadline)) || fail "trial $N: the plugin is still running 10 s after its caller was killed"
    sleep 0.02
  done
}

# The databases' view of trial $D, in one python3 start (they are slow under load): lines
# "ledger_integrity ...", "live ...", "leases ...", "history_integrity ...",
# "history_tasks N".
db_state() {
  python3 - "$D/ledger.db" "$D/history.db" "$RUN" <<'EOF'
import os, sqlite3, sys
ledger, history, run = sys.argv[1:4]
def rows(db, query, *args):
    return [str(r[0]) for r in db.execute(query, args)]
if os.path.exists(ledger):
    db = sqlite3.connect(ledger)
    print("ledger_integrity", " ".join(rows(db, "PRAGMA integrity_check")))
    print("live", " ".join(rows(db, "SELECT id || ':' || state FROM resources WHERE state != 'released' ORDER BY id")))
    print("leases", " ".join(rows(db, "SELECT id FROM leases ORDER BY id")))
if os.path.exists(history):
    db = sqlite3.connect(history)
    print("history_integrity", " ".join(rows(db, "PRAGMA integrity_check")))
    print("history_tasks", rows(db, "SELECT count(DISTINCT task_id) FROM executions WHERE run_id = ? AND status = 'succeeded'", run)[0])
EOF
}
field() { sed -n "s/^$1 \\{0,1\\}//p" <<<"$2"; }

# Everything a trial must leave behind it: nothing held, sound databases.
check_clean() {
  local state held
  state=$(db_state)
  if [[ -f $D/ledger.db ]]; then  # else killed before the ledger existed: nothing was ever recorded
    assert_eq "$(field ledger_integrity "$state")" ok "trial $N: ledger integrity"
    assert_eq "$(field live "$state")" "" "trial $N: live ledger rows"
    assert_eq "$(field leases "$state")" "" "trial $N: leases left in the pool"
  fi
  [[ ! -d $D/scratch || -z $(ls -A "$D/scratch") ]] || fail "trial $N: scratch left: $(ls "$D/scratch")"
  held=$(ls "$D/state" | grep '^vm-' || true)
  [[ -z $held ]] || fail "trial $N: the plugin's state holds: $held"
  assert_eq "$(echo '{"protocol":"wf-provider/1","op":"list"}' | "$D/plugin.sh" | jq '.resources | length')" 0 \
    "trial $N: resources the plugin lists"
  if [[ -f $D/history.db ]]; then
    assert_eq "$(field history_integrity "$state")" ok "trial $N: history integrity"
  fi
}

# What a failed run trial leaves to look at: the marks, the journal, wf-run's messages.
dump_run() {
  {
    echo "--- marks"; cat "$D/marks" 2>/dev/null
    echo "--- journal"; cat "$D/runs/$RUN/journal.jsonl" 2>/dev/null
    echo "--- killed wf-run's stderr"; cat "$D/killed.err" 2>/dev/null
    echo "--- recovery's stderr"; cat "$D/run.err" 2>/dev/null
  } >&2
}

# After the recovery of a run: every task succeeded once in the recovery or before the kill; one
# that wf-run had recorded as succeeded before the kill (status resumed) did not run again.
check_tasks() {  # RUN_JSON
  local t status before after
  assert_eq "$(jq -r .run.status "$1")" succeeded "trial $N: run status after the recovery"
  for t in "${TASKS[@]}"; do
    status=$(jq -r --arg t "$t" '.run.tasks[] | select(.id == $t) | .status' "$1")
    before=$(grep -cE "^$t done ($KILLED_PID|orphan)$" "$D/marks" || true)
    after=$(grep -E "^$t start " "$D/marks" | grep -cvE " ($KILLED_PID|orphan)$" || true)
    case $status in
      resumed)
        [[ $before -ge 1 ]] || fail "trial $N: $t is 'resumed' but never finished before the kill"
        [[ $after -eq 0 ]] || fail "trial $N: $t succeeded before the kill and ran again"
        ((++RESUMED)) ;;
      succeeded)
        [[ $after -eq 1 ]] || { dump_run; fail "trial $N: $t ran $after times in the recovery"; }
        assert_eq "$(grep -E "^$t done " "$D/marks" | grep -cvE " ($KILLED_PID|orphan)$")" 1 "trial $N: $t finished in the recovery"
        ((before == 0)) || ((++UNRECORDED)) ;;
      *) fail "trial $N: task $t is '$status' after the recovery" ;;
    esac
  done
  if [[ -f $D/history.db ]]; then
    assert_eq "$(field history_tasks "$(db_state)")" "${#TASKS[@]}" "trial $N: tasks with a successful execution in history"
  fi
}

# --- the tools' usual durations: the median of three undisturbed pipelines per provider -------------
declare -A DUR
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
for p in local exec; do
  declare -a t_prov=() t_run=() t_reap=()
  for k in 1 2 3; do
    N=calibrate-$p-$k
    new_trial "$N" "$p"
    t0=$(now_ms)
    eval "$(provision_cmd "$p")" >"$D/doc.json" || fail "calibration: wf-provision ($p) exited $?"
    t1=$(now_ms)
    eval "$(run_cmd)" "$D/doc.json" >"$D/run.json" || fail "calibration: wf-run ($p) exited $?"
    t2=$(now_ms)
    eval "$(reap_cmd)" "$D/run.json" >/dev/null || fail "calibration: wf-reap ($p) exited $?"
    t3=$(now_ms)
    t_prov+=($((t1 - t0))) t_run+=($((t2 - t1))) t_reap+=($((t3 - t2)))
    check_clean
    rm -rf "$D"
  done
  DUR[provision-$p]=$(median3 "${t_prov[@]}") DUR[run-$p]=$(median3 "${t_run[@]}") DUR[reap-$p]=$(median3 "${t_reap[@]}")
done
t0=$(now_ms); sleep 0.001; t1=$(now_ms); sleep 0.001; t2=$(now_ms); sleep 0.001; t3=$(now_ms)
SLEEP_COST_MS=$(median3 $((t1 - t0)) $((t2 - t1)) $((t3 - t2)))
note "usual durations (ms): provision ${DUR[provision-local]}/${DUR[provision-exec]}," \
  "run ${DUR[run-local]}/${DUR[run-exec]}, reap ${DUR[reap-local]}/${DUR[reap-exec]} (local/exec); starting sleep(1): $SLEEP_COST_MS"

# --- the draws, all made before any trial runs ----------------------------------------------------------
RANDOM=$SEED
VICTIMS=(provision run reap)
PROVIDERS=(local exec)
declare -a V P F
for ((i = 1; i <= TRIALS; i++)); do
  V[i]=${VICTIMS[RANDOM % 3]}
  P[i]=${PROVIDERS[RANDOM % 2]}
  F[i]=$((RANDOM % 1200))  # thousandths of the usual duration
done

KILLED_ALIVE=0 EXITED_FIRST=0 RESUMED=0 UNRECORDED=0 NO_JOURNAL=0 DONE=0
declare -A COUNT
for ((N = 1; N <= TRIALS; N++)); do
  [[ -n $ONLY && $N != "$ONLY" ]] && continue
  victim=${V[N]} prov=${P[N]}
  new_trial "$N" "$prov"
  trial_t0=$(now_ms)
  delay=${WF_CRASH_DELAY_MS:-$((DUR[$victim-$prov] * F[N] / 1000))}
  case $victim in
    provision)
      kill_after "$(provision_cmd "$prov")" "$delay"
      wait_stragglers
      # A plugin's create may outlive its killed caller, so wf-reap leaves a row still `creating`
      # for --provider-timeout seconds. The plugin is known gone here: a short timeout, waited out.
      in_flight=()
      if [[ $prov != local ]]; then in_flight=(--provider-timeout 3); sleep 3; fi
      eval "$(reap_cmd)" --run "$RUN" "${in_flight[@]}" >"$D/reap.out" 2>"$D/reap.err" ||
        fail "trial $N: wf-reap --run after a killed wf-provision exited $?: $(cat "$D/reap.err")" ;;
    run)
      eval "$(provision_cmd "$prov")" >"$D/doc.json" || fail "trial $N: wf-provision exited $?"
      kill_after "$(run_cmd) ${D@Q}/doc.json" "$delay"
      resumed=0
      if [[ -f $D/runs/$RUN/document.json ]]; then
        [[ -e $D/runs/$RUN/journal.jsonl ]] || ((++NO_JOURNAL))
        if eval "$(run_cmd)" --resume "$RUN" >"$D/run.json" 2>"$D/run.err"; then
          resumed=1
        else
          fail "trial $N: wf-run --resume exited with: $(cat "$D/run.err")"
        fi
      fi
      if ((!resumed)); then  # killed before it saved the document (or opened its journal): nothing ran
        [[ ! -s $D/marks ]] || fail "trial $N: tasks ran but the run directory has no document"
        eval "$(run_cmd)" "$D/doc.json" >"$D/run.json" 2>"$D/run.err" ||
          fail "trial $N: wf-run after a kill before the start exited $?: $(cat "$D/run.err")"
      fi
      check_tasks "$D/run.json"
      eval "$(reap_cmd)" "$D/run.json" >"$D/reap.out" 2>"$D/reap.err" ||
        fail "trial $N: wf-reap after the recovered run exited $?: $(cat "$D/reap.err")" ;;
    reap)
      eval "$(provision_cmd "$prov")" >"$D/doc.json" || fail "trial $N: wf-provision exited $?"
      kill_after "$(reap_cmd) ${D@Q}/doc.json" "$delay"
      wait_stragglers
      # The killed reaper's claims are taken over at once: their holder is known to be gone.
      eval "$(reap_cmd)" "$D/doc.json" >"$D/reap.out" 2>"$D/reap.err" ||
        fail "trial $N: wf-reap after a killed wf-reap exited $?: $(cat "$D/reap.err")" ;;
  esac
  check_clean
  if ((KILLED)); then ((++KILLED_ALIVE)); else ((++EXITED_FIRST)); fi
  COUNT[$victim-$prov]=$((${COUNT[$victim-$prov]:-0} + 1))
  ((++DONE))
  [[ -n ${WF_CRASH_VERBOSE:-} ]] && note "trial $N: killed wf-$victim ($prov) after $delay ms: ok ($(($(now_ms) - trial_t0)) ms)"
  rm -rf "$D"
done
summary=""
for k in $(printf '%s\n' "${!COUNT[@]}" | sort); do summary+=" $k=${COUNT[$k]}"; done
note "$DONE trials, seed $SEED:$summary; killed while running $KILLED_ALIVE, exited before the kill $EXITED_FIRST;" \
  "tasks kept from before the kill $RESUMED, finished unrecorded around the kill, so run again $UNRECORDED;" \
  "resumes of a run killed before its journal existed $NO_JOURNAL"
echo "$E2E_NAME: ok ($DONE trials, seed $SEED)"
