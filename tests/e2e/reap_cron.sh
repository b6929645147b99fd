#!/usr/bin/env bash
# wf-reap from cron: silent with nothing to do, exit 75 when the ledger stays locked, expired local
# leases released with their scratch directories, and four reapers at once release each resource
# exactly once.
source "$(dirname "$0")/lib.sh"
need_bin wf-reap
need_cmd jq
DRIVER="$WF_BIN/../tests/test_provider"
[[ -x $DRIVER ]] || skip "$DRIVER is not built"
make_tmp
export WF_LEDGER=$T/ledger.db WF_SCRATCH_ROOT=$T/scratch

out=$("$WF_BIN/wf-reap" --expired --orphans 2>&1 </dev/null) || fail "idle wf-reap exited $?"
assert_eq "$out" "" "output with nothing to do"
assert_eq "$("$WF_BIN/wf-reap" --expired --orphans -v </dev/null)" "nothing to reap" "verbose output"
"$WF_BIN/wf-reap" </dev/null >/dev/null 2>&1 && fail "an empty document was accepted"

# 20 leases of one run, then 4 reapers at once.
WF_DRIVER_LEDGER=$WF_LEDGER WF_DRIVER_RUN=cron-run WF_DRIVER_COUNT=20 WF_DRIVER_TTL=600 \
  WF_DRIVER_SPEC='{"cpus":0.01,"disk_bytes":1}' "$DRIVER" "[.driver]" >/dev/null || fail "driver failed"
for i in 1 2 3 4; do
  "$WF_BIN/wf-reap" --run cron-run --format json >"$T/reaper-$i.json" &
done
wait
total=$(cat "$T"/reaper-*.json | jq -s 'map(.released | length) | add')
assert_eq "$total" 20 "resources released by the four reapers together"
[[ -z $(ls "$T/scratch") ]] || fail "scratch directories left"

# A holder that dies: its short-TTL leases expire, and --expired gives them back.
WF_DRIVER_LEDGER=$WF_LEDGER WF_DRIVER_RUN=dead-run WF_DRIVER_COUNT=2 WF_DRIVER_TTL=1 \
  WF_DRIVER_SPEC='{"cpus":0.01,"disk_bytes":1}' "$DRIVER" "[.driver]" >/dev/null || fail "driver failed"
assert_eq "$("$WF_BIN/wf-reap" --expired --format json | jq '.released | length')" 0 "released before expiry"
sleep 1.5
"$WF_BIN/wf-reap" --expired -q >"$T/expired.txt" || fail "wf-reap --expired exited $?"
assert_eq "$(grep -c ' released ' "$T/expired.txt")" 2 "expired leases released"
[[ -z $(ls "$T/scratch") ]] || fail "scratch directories of expired leases left"

# The ledger locked by someone else for longer than --lock-timeout: exit 75.
if command -v sqlite3 >/dev/null; then
  { echo "BEGIN IMMEDIATE;"; sleep 3; echo "COMMIT;"; } | sqlite3 "$WF_LEDGER" &
  holder=$!
  sleep 0.5
  set +e
  "$WF_BIN/wf-reap" --run cron-run --lock-timeout 0.5 2>"$T/lock.err"
  rc=$?
  set -e
  wait "$holder"
  assert_eq "$rc" 75 "exit status with the ledger locked"
  grep -q "locked" "$T/lock.err" || fail "no word of the lock: $(cat "$T/lock.err")"
fi

# Usage errors are 64.
set +e
"$WF_BIN/wf-reap" --no-such-flag 2>/dev/null
assert_eq "$?" 64 "exit status of a bad flag"
