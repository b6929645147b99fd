#!/usr/bin/env bash
# Aging on the local pool, with real runs: while a run holds the whole pool, a priority-0 run that
# ages one level per 2 s (--aging 2s) and a priority-0 run that never ages (--aging 0) queue, then
# after 2.5 s a priority-1 run. Once the holder is reaped, the aged run goes first (it has made up
# the level and is older), then the priority-1 run, then the run that did not age.
source "$(dirname "$0")/lib.sh"
need_bin wf-provision wf-run wf-reap
need_cmd jq
make_tmp
# wf-provision forecasts from a history the runs never write (wf-run keeps theirs in $T/history.db):
# each lease is then the tasks' cpus hint, the whole machine.
export WF_LEDGER=$T/ledger.db WF_SCRATCH_ROOT=$T/scratch WF_HISTORY=$T/provision-history.db
cpus=$(nproc)

workflow() {  # NAME PRIORITY: a run needing the whole machine; its one task writes its name
  cat >"$T/$1.yaml" <<EOF
name: $1
priority: $2
tasks:
  - id: mark
    run: echo $1 >> $T/order
    cpus: $cpus
    mem: 16MiB
    duration: 1s
EOF
}

queued() { "$WF_BIN/wf-reap" --list --format json | jq '[.resources[] | select(.state == "creating")] | length'; }

start_waiter() {  # NAME [wf-provision args...]: returns once its lease request is queued
  local name=$1 before
  shift
  before=$(queued)
  (
    rc=0
    "$WF_BIN/wf-provision" --wait 120 "$@" "$T/$name.yaml" >"$T/$name.prov.json" 2>"$T/$name.err" &&
      wf_run "$T/$name.prov.json" >"$T/$name.run.json" 2>>"$T/$name.err" &&
      "$WF_BIN/wf-reap" -q "$T/$name.run.json" >/dev/null 2>>"$T/$name.err" || rc=$?
    echo "$rc" >"$T/$name.rc"
  ) &
  for _ in $(seq 1 200); do
    [[ $(queued) -gt $before ]] && return 0
    [[ -e $T/$name.rc ]] && fail "$name ended before it queued: $(cat "$T/$name.err")"
    sleep 0.05
  done
  fail "$name's lease request was never queued"
}

workflow holder 0
"$WF_BIN/wf-provision" --wait 120 "$T/holder.yaml" >"$T/holder.prov.json" 2>"$T/holder.err" || fail "the holder got no lease: $(cat "$T/holder.err")"
workflow aged 0
workflow still 0
workflow one 1
start_waiter aged --aging 2s
start_waiter still --aging 0
sleep 2.5
start_waiter one
# The queue as the pool ranks it: the aged run has made up a level (effective 1) and is older.
"$WF_BIN/wf-provision" --pool >"$T/pool.json" || fail "wf-provision --pool exited $?"
assert_eq "$(jq -r '[.waiting[] | .run_id | split("-")[0]] | join(" ")' "$T/pool.json")" "aged one still" "the queue's order"
assert_eq "$(jq -r '[.waiting[] | .effective_priority >= 1] | map(tostring) | join(" ")' "$T/pool.json")" "true true false" \
  "effective priorities at least 1"
assert_eq "$(jq -r '[.waiting[] | .aging_s | tostring] | join(" ")' "$T/pool.json")" "2 300 0" "the waiters' aging"
assert_eq "$(jq -r '.leases[0].run_id | split("-")[0]' "$T/pool.json")" holder "the lease held"
"$WF_BIN/wf-provision" --pool --format table | grep -q "^waiting, in the order they will be served" || fail "no queue in the table"
"$WF_BIN/wf-reap" -q "$T/holder.prov.json" >/dev/null || fail "reaping the holder exited $?"
for name in aged still one; do
  wait_for_file "$T/$name.rc" 60
  assert_eq "$(cat "$T/$name.rc")" 0 "exit status of $name's pipeline ($(tail -n2 "$T/$name.err"))"
done
assert_eq "$(tr '\n' ' ' <"$T/order")" "aged one still " "the order the waiting runs were served in"
assert_eq "$(jq .provision.aging_s "$T/aged.prov.json")" 2 "provision.aging_s of the aged run"
note "ok - a priority-0 run that waited 2.5 s at --aging 2s went before a newer priority-1 run"
