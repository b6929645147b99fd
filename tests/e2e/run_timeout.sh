#!/usr/bin/env bash
# `sleep 30` with `timeout: 1s` ends as `timeout` within a few seconds, the run exits 1, and no
# process of the task is left — also when one of them ignores SIGTERM and outlives the task's
# shell (killed after the grace period), or sits in the background.
source "$(dirname "$0")/lib.sh"
need_bin wf-run
need_cmd jq
make_tmp
new_marker m1
new_marker m2
new_marker m3

cat >"$T/wf.yaml" <<EOF
name: timeout
tasks:
  - {id: plain, run: "sleep $m1", timeout: 1s}
  - {id: stubborn, run: "(trap '' TERM; sleep $m2) & sleep $m2", timeout: 1s}
  - {id: background, run: "sleep $m3 & sleep $m3", timeout: 1s}
EOF
start=$SECONDS
status=0
wf_run --cpus 3 "$T/wf.yaml" >"$T/out.json" 2>"$T/err" || status=$?
elapsed=$((SECONDS - start))
assert_eq "$status" 1 "exit status"
# 1 s timeout + 3 s grace for the one ignoring SIGTERM, plus start-up.
((elapsed <= 8)) || fail "the run took ${elapsed}s"
assert_eq "$(jq -r '[.run.tasks[] | "\(.id)=\(.status)"] | join(" ")' "$T/out.json")" \
  "plain=timeout stubborn=timeout background=timeout" "statuses"
assert_eq "$(jq -r .run.status "$T/out.json")" failed "run status"
runtime=$(jq '.run.tasks[0].measured.runtime_s' "$T/out.json")
awk -v r="$runtime" 'BEGIN { exit !(r >= 0.9 && r < 3) }' || fail "plain: runtime $runtime s, expected ~1 s"
grep -q "task 'plain' passed its timeout" "$T/err" || fail "no warning about the timeout: $(cat "$T/err")"
assert_no_procs "sleep $m1" 1
assert_no_procs "sleep $m2" 1
assert_no_procs "sleep $m3" 1
if command -v sqlite3 >/dev/null; then
  assert_eq "$(sqlite3 "$T/history.db" "SELECT group_concat(status) FROM executions")" \
    "timeout,timeout,timeout" "history statuses"
fi
echo "$E2E_NAME: ok"
