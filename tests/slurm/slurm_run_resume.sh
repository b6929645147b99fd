#!/usr/bin/env bash
# kill -9 of wf-run while its jobs are on the cluster, then --resume: the journal holds the job
# ids, so what completed is not run again and what is still queued or running is followed, not
# resubmitted: every task ends with exactly the one job the first invocation submitted.
source "$(dirname "$0")/lib.bash"

cat >"$T/wf.yaml" <<EOF
name: $TAG-res
tasks:
  - {id: quick, run: echo quick >> quick.count}
  - {id: slow, run: sleep 6; echo slow >> slow.count}
  - {id: after, needs: [slow], run: echo after >> after.count}
EOF
"${WF_SLURM[@]}" "$T/wf.yaml" >/dev/null 2>"$T/err1" &
pid=$!
run_dir=""
for i in $(seq 1 100); do
  run_dir=$(ls -d "$T"/runs/* 2>/dev/null | head -n1 || true)
  [ -n "$run_dir" ] && grep -q '"event":"finished","task":"quick"' "$run_dir/journal.jsonl" 2>/dev/null && break
  sleep 0.1
done
grep -q '"event":"finished","task":"quick"' "$run_dir/journal.jsonl" || fail "quick never finished: $(cat "$run_dir/journal.jsonl")"
kill -9 "$pid"
{ wait "$pid"; } 2>/dev/null || true
before=$(jq -r 'select(.event == "started") | "\(.task)=\(.job_id)"' "$run_dir/journal.jsonl" | sort | tr '\n' ' ')
slow_job=$(jq -r 'select(.event == "started" and .task == "slow") | .job_id' "$run_dir/journal.jsonl")
s=$(squeue -h -j "$slow_job" -o %T 2>/dev/null || true)
[[ $s == RUNNING || $s == PENDING ]] || fail "slow's job $slow_job is '$s' after the kill: the test needs it still running"
run_id=$(basename "$run_dir")
wf_slurm --resume "$run_id" >"$T/out.json" 2>"$T/err2" || fail "resume exited $? ($(tail -n3 "$T/err2"))"
assert_eq "$(jq -r .run.status "$T/out.json")" succeeded "resumed run.status"
assert_eq "$(jq -r '.run.tasks[] | select(.id == "quick") | .status' "$T/out.json")" resumed "quick"
assert_eq "$(jq -r '.run.tasks[] | select(.id == "slow") | .job_ids | join(",")' "$T/out.json")" "$slow_job" "slow's jobs on resume"
after=$(jq -r 'select(.event == "started") | "\(.task)=\(.job_id)"' "$run_dir/journal.jsonl" | sort | tr '\n' ' ')
assert_eq "$after" "$before" "jobs in the journal after the resume (no resubmission)"
work="$run_dir/work"
assert_eq "$(wc -l <"$work/quick.count")" 1 "quick ran"
assert_eq "$(wc -l <"$work/slow.count")" 1 "slow ran"
assert_eq "$(wc -l <"$work/after.count")" 1 "after ran"
grep -q "following job $slow_job" "$T/err2" || fail "the resume did not say it follows job $slow_job: $(cat "$T/err2")"
say "ok - after kill -9 and --resume: jobs $before each ran once; slow's job $slow_job was followed"
