#!/usr/bin/env bash
# SIGINT to wf-run while its jobs run and wait: it cancels every job of the run (scancel), exits
# 130 with run.status interrupted, and no job of the run is left pending or running.
source "$(dirname "$0")/lib.bash"

cat >"$T/wf.yaml" <<EOF
name: $TAG-int
tasks:
  - {id: long1, run: sleep 120}
  - {id: long2, run: sleep 120}
  - {id: later, needs: [long1], run: sleep 120}
EOF
"${WF_SLURM[@]}" "$T/wf.yaml" >"$T/out.json" 2>"$T/err" &
pid=$!
for i in $(seq 1 100); do
  [ "$(squeue -h -t running -o '%j' | grep -c "^wf.$TAG-")" -ge 2 ] && break
  sleep 0.1
done
[ "$(squeue -h -t running -o '%j' | grep -c "^wf.$TAG-")" -ge 2 ] || fail "the jobs never started: $(squeue -h -o '%j %T %r' | grep "$TAG")"
queued=$(jobs_of_run | tr '\n' ' ')
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" 130 "wf-run exit status"
assert_eq "$(jq -r .run.status "$T/out.json")" interrupted "run.status"
left=$(jobs_of_run)
[ -z "$left" ] || fail "jobs of the run left in the queue: $left"
for j in $queued; do
  s=$(acct "$j" State)
  [[ $s == CANCELLED* ]] || fail "job $j ended $s, expected CANCELLED"
done
assert_eq "$(jq -r '.run.tasks[] | select(.id == "long1") | .status' "$T/out.json")" interrupted "long1"
grep -q 'received SIGINT' "$T/err" || fail "no note of the signal: $(cat "$T/err")"
say "ok - SIGINT: jobs $queued cancelled, none left, exit 130"
