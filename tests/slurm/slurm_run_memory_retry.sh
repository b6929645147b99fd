#!/usr/bin/env bash
# A task that holds ~250 MiB under mem: 100MiB, with retries: 2. The cluster kills the first job
# (OverMemoryKill: FAILED 0:9, "exceeded memory limit"); wf-run calls it `oom` and resubmits it with
# --mem grown to 1.5x what accounting measured (MaxRSS), so the second job completes. Its dependent
# is resubmitted against the new job id and runs once. History holds the oom row, then success.
source "$(dirname "$0")/lib.bash"

cat >"$T/grow.py" <<'EOF'
import time
x = bytearray(250 << 20)
for i in range(0, len(x), 4096):
    x[i] = 1
time.sleep(2.5)
EOF
cat >"$T/wf.yaml" <<EOF
name: $TAG-mem
tasks:
  - id: grow
    run: [python3, "$T/grow.py"]
    mem: 100MiB
    retries: 2
  - id: after
    needs: [grow]
    run: echo after
EOF
wf_slurm --retry-backoff 0 "$T/wf.yaml" >"$T/out.json" 2>"$T/err" || fail "wf-run exited $? ($(tail -n3 "$T/err"))"
task=$(jq -c '.run.tasks[] | select(.id == "grow")' "$T/out.json")
statuses=$(jq -r '[.history[].status] | join(",")' <<<"$task")
assert_eq "$(jq -r .status <<<"$task")" succeeded "grow's final status"
[[ $statuses == oom,succeeded || $statuses == oom,oom,succeeded ]] || fail "attempt statuses: $statuses"
mapfile -t jobs < <(jq -r '.job_ids[]' <<<"$task")
first=${jobs[0]} second=${jobs[1]}
grep -q 'exceeded memory limit' "$(jq -r '.history[0].log' <<<"$task" 2>/dev/null || true)" 2>/dev/null ||
  grep -rq 'exceeded memory limit' "$(jq -r .run.run_dir "$T/out.json")/logs" || fail "no memory-limit message in the logs"
rss=$(step_rss_kib "$first")
req=$(acct "$second" ReqMem)
req_mib=${req%M}
[ -n "$rss" ] || fail "accounting has no MaxRSS for job $first"
[ "$req_mib" -ge $(( rss * 3 / 2 / 1024 )) ] || fail "retry asked ${req}, measured $((rss / 1024))M: expected at least 1.5x"
assert_eq "$(acct "$first" State,ExitCode)" "FAILED|0:9" "first job"
assert_eq "$(acct "$second" State)" COMPLETED "second job"
# The dependent waited for the new job: one job that ran, after the retry.
after_jobs=$(jq -r '.run.tasks[] | select(.id == "after") | .job_ids | length' "$T/out.json")
after_job=$(jq -r '.run.tasks[] | select(.id == "after") | .job_ids[-1]' "$T/out.json")
assert_eq "$(jq -r '.run.tasks[] | select(.id == "after") | .status' "$T/out.json")" succeeded "after"
[ "$(epoch "$(acct "$after_job" Start)")" -ge "$(epoch "$(acct "$second" End)")" ] || fail "after ran before the retry ended"
rows=$(sqlite3 "$T/history.db" "select group_concat(status || ':' || ifnull(peak_rss_bytes, 'null'), ' ') from executions where task_id = 'grow' order by attempt")
[[ $rows == oom:[0-9]*\ *succeeded:[0-9]* ]] || fail "history rows for grow: $rows"
say "ok - $statuses; job $first killed at MaxRSS $((rss / 1024))M under 100M, retry $second asked $req; after: $after_jobs job(s), last $after_job; history: $rows"
