#!/usr/bin/env bash
# Workflow priority on the local pool, with real runs: one run holds the whole pool; three more
# (`wf-provision --wait | wf-run | wf-reap`), of priorities 0, 5 and 10 from their documents, are
# started in that order and wait for it. Once the holder is reaped they are served 10, 5, 0, one
# at a time, each taking the whole pool. The lease's priority is in the provision section and in
# its ledger row; --priority overrides the document's.
source "$(dirname "$0")/lib.sh"
need_bin wf-provision wf-run wf-reap
need_cmd jq
make_tmp
# wf-provision forecasts from a history the runs never write (wf-run keeps theirs in $T/history.db):
# each lease is then the tasks' cpus hint, the whole machine.
export WF_LEDGER=$T/ledger.db WF_SCRATCH_ROOT=$T/scratch WF_HISTORY=$T/provision-history.db
cpus=$(nproc)

# A run that needs the whole machine: its lease is the whole pool. Its one task writes its name.
workflow() {  # NAME PRIORITY
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

# Starts NAME's pipeline in the background (extra arguments go to wf-provision) and returns once
# its lease request is queued, so the runs' ages follow the order they are started in.
start_waiter() {  # NAME [wf-provision args...]
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

wait_all() {  # NAMES...: waits for their pipelines, each must succeed
  local name
  for name in "$@"; do
    wait_for_file "$T/$name.rc" 60
    assert_eq "$(cat "$T/$name.rc")" 0 "exit status of $name's pipeline ($(tail -n2 "$T/$name.err"))"
  done
}

hold() {  # NAME PRIORITY: a run holding the whole pool, not waiting
  workflow "$1" "$2"
  "$WF_BIN/wf-provision" --wait 120 "$T/$1.yaml" >"$T/$1.prov.json" 2>"$T/$1.err" || fail "the holder got no lease: $(cat "$T/$1.err")"
}

hold holder 0
assert_eq "$(jq .provision.cpus "$T/holder.prov.json")" "$cpus" "the holder's lease (the whole pool)"
workflow p0 0
workflow p5 5
workflow p10 10
start_waiter p0
start_waiter p5
start_waiter p10
"$WF_BIN/wf-reap" -q "$T/holder.prov.json" >/dev/null || fail "reaping the holder exited $?"
wait_all p0 p5 p10
assert_eq "$(tr '\n' ' ' <"$T/order")" "p10 p5 p0 " "the order the waiting runs were served in"
note "ok - three waiting runs of priorities 0, 5, 10 were served 10, 5, 0"

# The priority is visible in the document and the ledger.
assert_eq "$(jq .provision.priority "$T/p5.prov.json")" 5 "provision.priority of p5"
assert_eq "$(jq .provision.aging_s "$T/p5.prov.json")" 300 "provision.aging_s (the default)"
# The ledger row as wf-provision recorded it (provision.resources[]: its spec), and as wf-reap
# --list shows it while it lives (the second holder, below).
assert_eq "$(jq '.provision.resources[0].spec.priority' "$T/p10.prov.json")" 10 "the ledger row's priority"

# --priority overrides the document's.
rm -f "$T/order"
hold holder2 3
assert_eq "$("$WF_BIN/wf-reap" --list --format json | jq -r '[.resources[] | .spec.priority | tostring] | join(",")')" 3 \
  "the priority of the live lease in wf-reap --list"
workflow low 1
workflow high 1
start_waiter low
start_waiter high --priority 7
"$WF_BIN/wf-reap" -q "$T/holder2.prov.json" >/dev/null
wait_all low high
assert_eq "$(tr '\n' ' ' <"$T/order")" "high low " "order with --priority 7 over the document's 1"
assert_eq "$(jq .provision.priority "$T/high.prov.json")" 7 "provision.priority given by --priority"
note "ok - --priority overrides the workflow's priority"
