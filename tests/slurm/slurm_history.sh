#!/usr/bin/env bash
# History from accounting: every task a Slurm run finished is one row in the same history
# database the local executor writes (executor "slurm", the job id as native id), with the
# runtime, CPU time and peak memory that sacct measured for the job's steps.
source "$(dirname "$0")/lib.bash"

cat >"$T/hold.py" <<'EOF'
import sys, time
x = bytearray(int(sys.argv[1]) << 20)
for i in range(0, len(x), 4096):
    x[i] = 1
t = time.time()
while time.time() - t < 2.5:
    pass
EOF
cat >"$T/wf.yaml" <<EOF
name: $TAG-hist
tasks:
  - {id: small, category: hold, run: [python3, "$T/hold.py", "40"], mem: 200MiB}
  - {id: big, category: hold, run: [python3, "$T/hold.py", "120"], mem: 400MiB}
  - {id: last, needs: [small, big], run: [python3, "$T/hold.py", "60"], mem: 200MiB}
EOF
wf_slurm "$T/wf.yaml" >"$T/out.json" 2>"$T/err" || fail "wf-run exited $? ($(tail -n3 "$T/err"))"
run_id=$(jq -r .run.id "$T/out.json")
q() { sqlite3 "$T/history.db" "$1"; }
assert_eq "$(q "select count(*) from executions where run_id = '$run_id' and executor = 'slurm'")" 3 "history rows"
assert_eq "$(q "select count(*) from executions where run_id = '$run_id' and peak_rss_bytes is not null")" 3 "rows with a peak RSS"
assert_eq "$(q "select count(*) from executions where run_id = '$run_id' and cpu_time_s > 0.5 and runtime_s >= 2")" 3 "rows with CPU time and runtime"
big=$(q "select peak_rss_bytes from executions where run_id = '$run_id' and task_id = 'big'")
[ "$big" -ge $((100 << 20)) ] || fail "big's peak RSS $big, expected >= 100 MiB"
for t in small big last; do
  job=$(jq -r --arg t "$t" '.run.tasks[] | select(.id == $t) | .job_ids[0]' "$T/out.json")
  assert_eq "$(q "select native_id || ' ' || status || ' ' || mem_reserved_bytes from executions where run_id = '$run_id' and task_id = '$t'")" \
    "$job succeeded $(jq -r --arg t "$t" '.workflow.tasks[] | select(.id == $t) | .mem_bytes' "$T/out.json")" "$t's row"
done
say "ok - $(q "select group_concat(task_id || ':' || native_id || ':' || round(runtime_s, 1) || 's:' || round(cpu_time_s, 2) || 'cpu-s:' || (peak_rss_bytes >> 20) || 'MiB@' || host, ' ') from executions where run_id = '$run_id'")"
