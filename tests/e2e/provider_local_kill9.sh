#!/usr/bin/env bash
# Local leases of a process killed with -9: while their TTL runs the pool is full for others
# (exit 75); once it passes, the capacity is back at once (a new lease is granted before any
# reaping), and wf-reap --expired deletes the dead leases and their scratch directories.
source "$(dirname "$0")/lib.sh"
need_bin wf-reap
need_cmd jq
DRIVER="$WF_BIN/../tests/test_provider"
[[ -x $DRIVER ]] || skip "$DRIVER is not built"
make_tmp
export WF_LEDGER=$T/ledger.db WF_SCRATCH_ROOT=$T/scratch
cpus=$(nproc)

lease() {  # RUN TTL HOLD_S  (the whole machine's cpus, and a scratch directory)
  WF_DRIVER_LEDGER=$WF_LEDGER WF_DRIVER_RUN=$1 WF_DRIVER_TTL=$2 WF_DRIVER_HOLD_S=$3 \
    WF_DRIVER_SPEC="{\"cpus\":$cpus,\"disk_bytes\":4096}" "$DRIVER" "[.driver]"
}
lease holder 2 60 >"$T/holder.out" 2>&1 &
holder=$!
until grep -q '^res-' "$T/holder.out" 2>/dev/null; do
  kill -0 "$holder" 2>/dev/null || fail "the holder died: $(cat "$T/holder.out")"
  sleep 0.05
done
[[ $(ls "$T/scratch" | wc -l) -eq 1 ]] || fail "no scratch directory for the lease"
kill -9 "$holder"
wait "$holder" 2>/dev/null || true

set +e
lease other 60 0 >/dev/null 2>"$T/full.err"
rc=$?
set -e
assert_eq "$rc" 75 "exit status of a lease while the dead holder's TTL runs"
grep -q "no room" "$T/full.err" || fail "no word of the full pool: $(cat "$T/full.err")"

sleep 2.2
lease other 60 0 >/dev/null || fail "the expired lease's capacity did not come back"
"$WF_BIN/wf-reap" --expired --format json >"$T/reap.json" || fail "wf-reap exited $?"
assert_eq "$(jq -r '.released[].run_id' "$T/reap.json")" holder "what --expired released"
"$WF_BIN/wf-reap" --run other -q >/dev/null
[[ -z $(ls "$T/scratch") ]] || fail "scratch directories left: $(ls "$T/scratch")"
assert_eq "$("$WF_BIN/wf-reap" --list --format json | jq '.resources | length')" 0 "live ledger rows"
