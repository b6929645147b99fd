#!/usr/bin/env bash
# What a task sees and where its output goes:
#   - WF_RUN_ID, WF_TASK_ID, WF_ATTEMPT, WF_CPUS, WF_MEM are set (to the run and the reservation);
#   - stdout and stderr land in the per-task log files the run section names, never on wf-run's
#     own stdout (which holds the document only);
#   - a param full of shell syntax reaches the command as one literal word, in a shell string and
#     in an argv, and nothing in it is executed.
source "$(dirname "$0")/lib.sh"
need_bin wf-run
need_cmd jq
make_tmp

value=$'$(touch pwned); "quoted" \'it\'\'s\' `touch pwned2` ; touch pwned3 # x'
cat >"$T/wf.yaml" <<'EOF'
name: env-logs
params:
  x: placeholder
tasks:
  - id: env
    cpus: 0.5
    mem: 64MiB
    run: 'echo "run=$WF_RUN_ID task=$WF_TASK_ID attempt=$WF_ATTEMPT cpus=$WF_CPUS mem=$WF_MEM"; echo to-stderr >&2'
  - id: shell-param
    run: "printf '%s\n' {{x}}; printf '%s\n' {{x}} > shell.txt"
  - id: argv-param
    run: [printf, "%s", "{{x}}"]
EOF
wf_run --cpus 2 "$T/wf.yaml" --param "x=$value" >"$T/out.json" 2>"$T/err" || fail "wf-run exited $?: $(cat "$T/err")"
jq -e . "$T/out.json" >/dev/null || fail "stdout is not the JSON document"
assert_eq "$(jq -r .run.status "$T/out.json")" succeeded "run status"
run_id=$(jq -r .run.id "$T/out.json")
workdir=$(jq -r .run.workdir "$T/out.json")

out_log=$(jq -r '.run.tasks[0].logs.stdout' "$T/out.json")
err_log=$(jq -r '.run.tasks[0].logs.stderr' "$T/out.json")
assert_eq "$(jq -r '.run.tasks[0].log' "$T/out.json")" "$err_log" "log (the stderr log)"
[[ -f $out_log && -f $err_log ]] || fail "log files missing: $out_log $err_log"
case $out_log in "$(jq -r .run.run_dir "$T/out.json")"/logs/*) ;; *) fail "stdout log outside the run directory: $out_log" ;; esac
assert_eq "$(cat "$out_log")" "run=$run_id task=env attempt=1 cpus=0.5 mem=67108864" "env task's stdout"
assert_eq "$(cat "$err_log")" to-stderr "env task's stderr"
grep -q to-stderr "$T/err" && fail "a task's stderr reached wf-run's stderr"

assert_eq "$(cat "$workdir/shell.txt")" "$value" "the param in a shell string"
assert_eq "$(cat "$(jq -r '.run.tasks[1].logs.stdout' "$T/out.json")")" "$value" "the param in a shell string (log)"
assert_eq "$(cat "$(jq -r '.run.tasks[2].logs.stdout' "$T/out.json")")" "$value" "the param in an argv"
for f in pwned pwned2 pwned3; do
  [[ ! -e $workdir/$f && ! -e $T/$f && ! -e $PWD/$f ]] || fail "the param was executed: $f exists"
done
echo "$E2E_NAME: ok"
