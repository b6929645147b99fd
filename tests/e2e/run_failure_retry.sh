#!/usr/bin/env bash
# Retries and failure propagation:
#   - a task failing twice then succeeding (a counter file) with retries: 2 succeeds at attempt 3;
#   - a task that always fails ends the run with exit 1 and its dependents `skipped`; under
#     fail-fast an independent branch queued behind it is never started, with --keep-going it runs.
source "$(dirname "$0")/lib.sh"
need_bin wf-run
need_cmd jq
make_tmp

# --- flaky: fails on attempts 1 and 2 -------------------------------------------------------
cat >"$T/flaky.yaml" <<EOF
name: flaky
tasks:
  - id: flaky
    retries: 2
    run: n=\$(cat "$T/count" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n > "$T/count"; [ \$n -ge 3 ]
  - id: after
    needs: flaky
    run: echo after >> "$T/after"
EOF
wf_run --retry-backoff 0 --cpus 1 "$T/flaky.yaml" >"$T/flaky.json" || fail "flaky run exited $?"
assert_eq "$(jq -r .run.status "$T/flaky.json")" succeeded "flaky run status"
assert_eq "$(jq -r '.run.tasks[0] | "\(.status) \(.attempts)"' "$T/flaky.json")" "succeeded 3" "flaky task"
assert_eq "$(jq -r '[.run.tasks[0].history[].status] | join(",")' "$T/flaky.json")" "failed,failed,succeeded" "flaky attempts"
assert_eq "$(jq -r '[.run.tasks[0].history[].exit_code] | join(",")' "$T/flaky.json")" "1,1,0" "flaky exit codes"
assert_eq "$(cat "$T/count")" 3 "executions of the flaky task"
assert_eq "$(cat "$T/after")" after "the dependent ran once"
assert_eq "$(jq .run.summary.retried "$T/flaky.json")" 1 "summary.retried"

# --- broken: one always fails; c depends on it (through b), side is independent -------------
# With one cpu, `bad` (longest path) starts first; `side` waits in the queue behind it.
cat >"$T/broken.yaml" <<EOF
name: broken
tasks:
  - {id: bad, run: "echo boom >&2; exit 3", duration: 10s, retries: 1}
  - {id: b, needs: bad, run: "touch $T/b.ran", duration: 10s}
  - {id: c, needs: b, run: "touch $T/c.ran", duration: 10s}
  - {id: side, run: "touch $T/side.ran", duration: 1s}
EOF
status=0
wf_run --retry-backoff 0 --cpus 1 "$T/broken.yaml" >"$T/fast.json" 2>"$T/fast.err" || status=$?
assert_eq "$status" 1 "fail-fast exit status"
assert_eq "$(jq -r '[.run.tasks[] | "\(.id)=\(.status)"] | join(" ")' "$T/fast.json")" \
  "bad=failed b=skipped c=skipped side=not_started" "fail-fast statuses"
assert_eq "$(jq -r '.run.tasks[0] | "\(.attempts) \(.measured.exit_code)"' "$T/fast.json")" "2 3" "bad: attempts, exit code"
assert_eq "$(jq -r .run.status "$T/fast.json")" failed "fail-fast run status"
[[ ! -e $T/side.ran && ! -e $T/b.ran ]] || fail "a task ran after the failure under fail-fast"
grep -q "task 'bad' failed" "$T/fast.err" || fail "no error naming the failed task: $(cat "$T/fast.err")"
log=$(jq -r '.run.tasks[0].log' "$T/fast.json")
grep -qx boom "$log" || fail "the failed task's stderr is not in its log $log"

status=0
wf_run --retry-backoff 0 --cpus 1 --keep-going "$T/broken.yaml" >"$T/keep.json" 2>/dev/null || status=$?
assert_eq "$status" 1 "--keep-going exit status"
assert_eq "$(jq -r '[.run.tasks[] | "\(.id)=\(.status)"] | join(" ")' "$T/keep.json")" \
  "bad=failed b=skipped c=skipped side=succeeded" "--keep-going statuses"
[[ -e $T/side.ran && ! -e $T/b.ran && ! -e $T/c.ran ]] || fail "--keep-going ran the wrong tasks"
assert_eq "$(jq -c '.run.summary | [.succeeded, .failed, .not_run]' "$T/keep.json")" "[1,1,2]" "--keep-going summary"
echo "$E2E_NAME: ok"
