#!/usr/bin/env bash
# A reservation made as the slurm provider makes it (named wf-<ledger id>, cores on a named node,
# flags=ignore_jobs), listed in the document's provision section: wf-run submits every job into
# it without being told (run.slurm.reservation), the jobs run on the reserved node, and once the
# reservation is deleted Slurm refuses it.
source "$(dirname "$0")/lib.bash"
[ "$(id -u)" = 0 ] || skip "reservations need Slurm administrator rights (run as root)"

node=${WF_SLURM_NODES##*,}
resv="wf-res-$(printf '%016x' "$(( $$ * 7919 + RANDOM ))")"
scontrol create reservation reservationname="$resv" starttime=now duration=10 users="$(id -un)" \
  nodes="$node" corecnt=2 flags=ignore_jobs >/dev/null || fail "cannot create reservation $resv"
S_RESERVATIONS+=("$resv")
scontrol show reservation "$resv" | grep -q "CoreCnt=2" || fail "reservation $resv: $(scontrol show reservation "$resv")"

cat >"$T/doc.json" <<EOF
{"apiVersion": "wf/v1",
 "workflow": {"name": "$TAG-resv", "tasks": [
   {"id": "one", "run": "echo \$SLURM_JOB_RESERVATION \$SLURMD_NODENAME > one.txt"},
   {"id": "two", "needs": ["one"], "run": "echo \$SLURM_JOB_RESERVATION \$SLURMD_NODENAME > two.txt"}]},
 "provision": {"run_id": "$TAG", "resources": [
   {"id": "${resv#wf-}", "provider": "slurm", "kind": "reservation", "provider_id": "$resv", "state": "active"}]}}
EOF
wf_slurm "$T/doc.json" >"$T/out.json" 2>"$T/err" || fail "wf-run exited $? ($(tail -n3 "$T/err"))"
assert_eq "$(jq -r .run.slurm.reservation "$T/out.json")" "$resv" "run.slurm.reservation"
work=$(jq -r .run.workdir "$T/out.json")
assert_eq "$(cat "$work/one.txt")" "$resv $node" "one ran in"
assert_eq "$(cat "$work/two.txt")" "$resv $node" "two ran in"
for j in $(jq -r '.run.tasks[].job_ids[]' "$T/out.json"); do
  assert_eq "$(acct "$j" Reservation,NodeList)" "$resv|$node" "job $j's reservation|node"
done
scontrol delete reservation="$resv" || fail "cannot delete reservation $resv"
S_RESERVATIONS=()
scontrol show reservation "$resv" >/dev/null 2>&1 && fail "reservation $resv still exists"
rc=0
wf_slurm "$T/doc.json" >"$T/out2.json" 2>"$T/err2" || rc=$?
assert_eq "$rc" 69 "wf-run into a deleted reservation (provider unavailable)"
grep -qi 'reservation' "$T/err2" || fail "the error does not name the reservation: $(cat "$T/err2")"
[ -z "$(jobs_of_run)" ] || fail "jobs left queued after the refused run: $(jobs_of_run)"
say "ok - reservation $resv on $node used by every job, deleted; then refused: $(grep -m1 -i error "$T/err2")"
