#!/usr/bin/env bash
# kill -9 of wf-run in the middle of a chain, then `wf-run --resume RUN`:
#   - the tasks that succeeded are not run again, the one that was running is (its leftover
#     process from the killed invocation is stopped first), the run completes with exit 0;
#   - history rows the killed invocation had not written are recorded from the journal;
#   - resuming a finished run runs nothing;
#   - after task 2's command is changed in the saved document, it runs again, and so does
#     everything below it (their inputs came from the old task 2).
# Each task appends its name to a count file, so executions are counted.
source "$(dirname "$0")/lib.sh"
need_bin wf-run
need_cmd jq
make_tmp
new_marker m

# t3 sleeps long the first time only.
cat >"$T/wf.yaml" <<EOF
name: chain
tasks:
  - {id: t1, run: "echo t1 >> $T/count; sleep 0.3"}
  - {id: t2, needs: t1, run: "echo t2 >> $T/count; touch $T/t2.marker; sleep 0.3"}
  - {id: t3, needs: t2, run: "echo t3 >> $T/count; if [ ! -e $T/slept ]; then touch $T/slept; sleep $m; fi"}
  - {id: t4, needs: t3, run: "echo t4 >> $T/count"}
EOF
counts() { sort "$T/count" | uniq -c | awk '{printf "%s%s=%s", sep, $2, $1; sep=" "}'; }

# Sampled often enough that t1 and t2 see the host's load (an attempt no sample saw has none).
"${WF_RUN[@]}" --sample-interval 0.05 "$T/wf.yaml" >/dev/null 2>&1 &
pid=$!
wait_for_file "$T/slept" 10
sleep 0.2
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
[[ -n $(procs_matching "sleep $m") ]] || fail "t3's process did not outlive the killed wf-run (the test needs it to)"
assert_eq "$(counts)" "t1=1 t2=1 t3=1" "executions before the resume"
run_dir=$(only_run_dir)
run_id=$(basename "$run_dir")
if command -v sqlite3 >/dev/null; then
  # As if the killed invocation had not written its last history batch: the resume records the
  # rows from the journal.
  sqlite3 "$T/history.db" "DELETE FROM executions"
fi

wf_run --resume "$run_id" >"$T/resume.json" 2>"$T/resume.err" || fail "resume exited $?: $(cat "$T/resume.err")"
assert_eq "$(counts)" "t1=1 t2=1 t3=2 t4=1" "executions after the resume"
assert_eq "$(jq -r '[.run.tasks[] | "\(.id)=\(.status)"] | join(" ")' "$T/resume.json")" \
  "t1=resumed t2=resumed t3=succeeded t4=succeeded" "statuses after the resume"
assert_eq "$(jq -r .run.id "$T/resume.json")" "$run_id" "run id"
grep -q "left running by the interrupted invocation" "$T/resume.err" || fail "no note about the leftover: $(cat "$T/resume.err")"
if command -v sqlite3 >/dev/null; then
  grep -q "recorded 2 executions of the interrupted invocation" "$T/resume.err" ||
    fail "the rows of t1 and t2 were not recorded from the journal: $(cat "$T/resume.err")"
  # The rows recorded from the journal kept the host's load, as the live ones have it.
  assert_eq "$(sqlite3 "$T/history.db" "SELECT count(*) FROM executions WHERE task_id IN ('t1', 't2')
      AND host_runnable IS NOT NULL AND host_cpus IS NOT NULL")" 2 "journal rows with the host's load"
fi
assert_no_procs "sleep $m" 1

# A finished run: nothing to do.
wf_run --resume "$run_id" >"$T/again.json" 2>/dev/null || fail "resuming a finished run exited $?"
assert_eq "$(counts)" "t1=1 t2=1 t3=2 t4=1" "executions after resuming a finished run"
assert_eq "$(jq -r '[.run.tasks[].status] | unique | join(",")' "$T/again.json")" resumed "statuses of a finished run"

# A changed command invalidates the task and what depends on it.
jq --arg cmd "echo t2 >> $T/count; echo changed > $T/t2.marker" '.workflow.tasks[1].run = $cmd' \
  "$run_dir/document.json" >"$T/doc.json"
mv "$T/doc.json" "$run_dir/document.json"
wf_run --resume "$run_id" >"$T/changed.json" 2>/dev/null || fail "resume after the change exited $?"
assert_eq "$(counts)" "t1=1 t2=2 t3=3 t4=2" "executions after changing t2"
assert_eq "$(cat "$T/t2.marker")" changed "t2 ran its new command"
assert_eq "$(jq -r '[.run.tasks[] | "\(.id)=\(.status)"] | join(" ")' "$T/changed.json")" \
  "t1=resumed t2=succeeded t3=succeeded t4=succeeded" "statuses after changing t2"
if command -v sqlite3 >/dev/null; then
  # Every execution is in history once: t1, t2 (from the journal), t3 and t4 after the resume, then
  # t2, t3, t4 again — the killed t3 left none.
  assert_eq "$(sqlite3 "$T/history.db" "SELECT count(*) FROM executions WHERE run_id = '$run_id'")" 7 "history rows"
fi
echo "$E2E_NAME: ok"
