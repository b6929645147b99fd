#!/usr/bin/env bash
# A task that grows to ~250 MiB while reserving 100MiB, run with --enforce-memory and retries: 2.
# The first attempt is killed as `oom`; the retry reserves more, from what was measured (the peak
# and how fast it was still rising), not a blind doubling; the task finally succeeds, and history
# holds the oom row before the succeeded one.
source "$(dirname "$0")/lib.sh"
need_bin wf-run
need_cmd jq python3
make_tmp

# 25 chunks of 10 MiB, one every 80 ms (each written, so resident), held briefly, then exit 0.
cat >"$T/grow.py" <<'EOF'
import time
chunks = []
for _ in range(25):
    chunks.append(b"\x01" * (10 << 20))
    time.sleep(0.08)
time.sleep(0.3)
EOF
cat >"$T/wf.yaml" <<EOF
name: memory
tasks:
  - id: grow
    run: [python3, "$T/grow.py"]
    mem: 100MiB
    duration: 2s
    retries: 2
EOF
wf_run --enforce-memory --retry-backoff 0 --sample-interval 0.1 --cpus 1 --mem 2GiB "$T/wf.yaml" \
  >"$T/out.json" 2>"$T/err" || fail "wf-run exited $? ($(cat "$T/err"))"

task=$(jq -c '.run.tasks[0]' "$T/out.json")
statuses=$(jq -r '[.history[].status] | join(",")' <<<"$task")
note "attempts: $statuses; reserved: $(jq -r '[.history[].reserved.mem_bytes] | join(", ")' <<<"$task")" \
  "measured peaks: $(jq -r '[.history[].peak_rss_bytes] | join(", ")' <<<"$task")"
assert_eq "$(jq -r .status <<<"$task")" succeeded "final status"
[[ $statuses == oom,succeeded || $statuses == oom,oom,succeeded ]] || fail "attempt statuses: $statuses"

first_reserved=$(jq '.history[0].reserved.mem_bytes' <<<"$task")
first_peak=$(jq '.history[0].peak_rss_bytes' <<<"$task")
second_reserved=$(jq '.history[1].reserved.mem_bytes' <<<"$task")
assert_eq "$first_reserved" $((100 << 20)) "first reservation"
((first_peak > first_reserved)) || fail "the oom attempt's measured peak $first_peak is not above its reservation"
((second_reserved > first_peak)) || fail "retry reserved $second_reserved, not above the measured peak $first_peak"
((second_reserved != 2 * first_reserved)) || fail "retry reservation is a blind doubling"
# The growth is projected from the measured rise, so it covers more than a flat margin would.
((second_reserved > first_peak * 5 / 4)) || fail "retry reserved $second_reserved: no projection of the rising memory"
grep -q "ran out of memory" "$T/err" || fail "no note about the memory retry"

if command -v sqlite3 >/dev/null; then
  rows=$(sqlite3 "$T/history.db" "SELECT group_concat(status || ':' || mem_reserved_bytes, ',') FROM
           (SELECT status, mem_reserved_bytes FROM executions WHERE task_id = 'grow' ORDER BY attempt)")
  note "history: $rows"
  [[ ${rows%%,*} == oom:$first_reserved ]] || fail "first history row: ${rows%%,*}"
  [[ ${rows##*,} == succeeded:* ]] || fail "last history row: ${rows##*,}"
else
  note "sqlite3 not installed: history rows not checked"
fi
echo "$E2E_NAME: ok"
