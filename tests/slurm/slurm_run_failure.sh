#!/usr/bin/env bash
# A task that exits 3 on the cluster: wf-run exits 1, the task is `failed` with exit code 3, its
# dependents never run (`skipped`; their jobs CANCELLED without a start), a task that does not
# depend on it still completes (-k), and nothing of the run is left in the queue.
source "$(dirname "$0")/lib.bash"

cat >"$T/wf.yaml" <<EOF
name: $TAG-fail
tasks:
  - id: bad
    run: echo failing >&2; exit 3
  - id: child
    needs: [bad]
    run: touch child.ran
  - id: grandchild
    needs: [child]
    run: touch grandchild.ran
  - id: other
    run: sleep 2; touch other.ran
EOF
rc=0
wf_slurm -k "$T/wf.yaml" >"$T/out.json" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "wf-run exit status"
st() { jq -r --arg t "$1" '.run.tasks[] | select(.id == $t) | .status' "$T/out.json"; }
assert_eq "$(st bad)" failed "bad"
assert_eq "$(st child)" skipped "child"
assert_eq "$(st grandchild)" skipped "grandchild"
assert_eq "$(st other)" succeeded "other"
assert_eq "$(jq -r '.run.tasks[] | select(.id == "bad") | .measured.exit_code' "$T/out.json")" 3 "bad's exit code"
grep -q "task 'bad' failed" "$T/err" || fail "no error line for the failed task: $(cat "$T/err")"
child_job=$(jq -r '.run.tasks[] | select(.id == "child") | .job_ids[0]' "$T/out.json")
# Cancelled while pending: no node (Slurm may still give it a start time equal to its end).
child_acct=$(acct "$child_job" State,NodeList)
[[ $child_acct == "CANCELLED"*"|None assigned" ]] || fail "child's job $child_job (state|node): $child_acct, expected cancelled before it ran"
work=$(jq -r .run.workdir "$T/out.json")
[ ! -e "$work/child.ran" ] && [ ! -e "$work/grandchild.ran" ] || fail "a dependent of the failed task ran"
[ -e "$work/other.ran" ] || fail "the independent task did not run"
[ -z "$(jobs_of_run)" ] || fail "jobs of the run still queued: $(jobs_of_run)"
say "ok - bad failed (exit 3), child/grandchild skipped (job $child_job $(acct "$child_job" State)), other succeeded, exit 1"
