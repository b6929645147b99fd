#!/usr/bin/env bash
# Files that may hold secrets are private to the user, whatever the umask:
#   - the history and the ledger (and their -wal/-shm companions) are 0600, directories wf creates
#     for them 0700 (they name the user's commands, hosts and resources);
#   - a run directory and what wf-run writes in it — the saved document, the journal, the logs —
#     are not readable by others (a task's output and its command line may hold tokens), and
#     neither is an event file given with --events;
#   - a file that already exists keeps the mode its owner gave it.
# With umask 022, as most users have.
source "$(dirname "$0")/lib.sh"
need_bin wf-run wf-provision wf-reap
need_cmd jq
make_tmp
umask 022

mode() { stat -c %a "$1"; }
# Fails unless no one but the owner may read (or write) $1.
private() {
  local m
  m=$(mode "$1")
  (((8#$m & 8#077) == 0)) || fail "$1 is $m: readable or writable by others"
}

export WF_LEDGER=$T/data/wf/ledger.db WF_HISTORY=$T/data/wf/history.db WF_SCRATCH_ROOT=$T/data/wf/scratch
cat >"$T/wf.yaml" <<'EOF'
name: files
tasks:
  - {id: a, cpus: 0.1, run: "echo secret-output; echo secret-error >&2"}
  - {id: b, cpus: 0.1, needs: a, run: "echo b"}
EOF
"$WF_BIN/wf-provision" --wait 120 "$T/wf.yaml" -q >"$T/doc.json" || fail "wf-provision exited $?"
"$WF_BIN/wf-run" --run-root "$T/runs" --progress never --history "$WF_HISTORY" --events "$T/events.jsonl" "$T/doc.json" >"$T/run.json" 2>"$T/run.err" ||
  fail "wf-run exited $?: $(cat "$T/run.err")"

# The databases and their companions, while open by no one (the -wal/-shm may be gone by then:
# check them during a run below).
for f in "$WF_LEDGER" "$WF_HISTORY"; do
  assert_eq "$(mode "$f")" 600 "mode of $f"
done
assert_eq "$(mode "$T/data/wf")" 700 "mode of the data directory wf created"
assert_eq "$(mode "$T/data")" 700 "mode of the data directory's parent wf created"

# -wal and -shm of both databases exist while a run holds them open.
cat >"$T/slow.yaml" <<EOF
name: slow
tasks:
  - {id: a, cpus: 0.1, run: "touch $T/started; sleep 3"}
EOF
"$WF_BIN/wf-provision" --wait 120 "$T/slow.yaml" -q >"$T/slow-doc.json" || fail "wf-provision exited $?"
"$WF_BIN/wf-run" --run-root "$T/runs" --progress never --history "$WF_HISTORY" "$T/slow-doc.json" >/dev/null 2>&1 &
slow=$!
wait_for_file "$T/started" 10
sleep 0.3
checked=0
for f in "$WF_LEDGER" "$WF_HISTORY"; do
  for side in -wal -shm; do
    [[ -e $f$side ]] || continue
    assert_eq "$(mode "$f$side")" 600 "mode of $f$side"
    checked=$((checked + 1))
  done
done
wait "$slow" || fail "the slow run failed"
# The history is open for the whole run: its companions at least were there to check.
((checked >= 2)) || fail "only $checked -wal/-shm files existed during the run"

# The journal (which names every command) is private, and so are the run directory, its document
# and logs, and an --events file: they hold commands and task output, which may carry tokens.
run_dir=$(jq -r .run.run_dir "$T/run.json")
private "$run_dir/journal.jsonl"
open_files=""
for f in "$run_dir" "$run_dir/document.json" "$run_dir/logs" "$(jq -r '.run.tasks[0].logs.stdout' "$T/run.json")" \
  "$T/events.jsonl"; do
  (((8#$(mode "$f") & 8#077) == 0)) || open_files+=" $(mode "$f") ${f#"$T"/}"
done
[[ -z $open_files ]] || fail "wf-run's files readable by others:$open_files"

# Scratch directories of local leases.
[[ ! -d $WF_SCRATCH_ROOT ]] || private "$WF_SCRATCH_ROOT"

# An existing ledger keeps its owner's mode (a shared group ledger, say).
touch "$T/shared-ledger.db"
chmod 640 "$T/shared-ledger.db"
"$WF_BIN/wf-reap" --ledger "$T/shared-ledger.db" --list -q >/dev/null || fail "wf-reap --list exited $?"
assert_eq "$(mode "$T/shared-ledger.db")" 640 "mode of an existing ledger"

"$WF_BIN/wf-reap" "$T/doc.json" -q >/dev/null || fail "wf-reap exited $?"
"$WF_BIN/wf-reap" "$T/slow-doc.json" -q >/dev/null || fail "wf-reap exited $?"
echo "$E2E_NAME: ok"
