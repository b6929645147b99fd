#!/usr/bin/env bash
# A webhook that never answers does not hold the run up: the run ends within the flush deadline
# (--alert-flush-timeout 1) of its last task, says how many alerts were not delivered, and leaves
# no process behind. An alert command that hangs too is abandoned at the same deadline.
source "$(dirname "$0")/lib.sh"
need_bin wf-run wf-history
need_cmd jq python3 bc
[[ $("$WF_BIN/wf-run" --help) == *--alert-webhook* ]] || skip "this wf-run has no alert options"
make_tmp
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

{
  nf_trace_header
  for i in $(seq 1 10); do nf_trace_row "$i" lagging 200 90.0 20000000; done
} >"$T/seed.csv"
"$WF_BIN/wf-history" import --history "$T/history.db" --run-id seed "$T/seed.csv" >/dev/null
new_marker m
cat >"$T/wf.yaml" <<EOF
name: hanging
tasks:
  - id: lagging
    run: [sleep, "2.5"]
EOF
python3 "$WF_SOURCE_DIR/tests/e2e/alerts_receiver.py" --port-file "$T/port" --out "$T/bodies" --hang --max-seconds 30 &
receiver=$!
wait_for_file "$T/port"
port=$(cat "$T/port")
t0=$(date +%s.%N)
wf_run --cpus 1 --sample-interval 0.1 --alert-time-floor 1 --alert-flush-timeout 1 \
  --alert-webhook "http://127.0.0.1:$port/never" --alert-command "sleep $m" --alert-command-timeout 60 \
  "$T/wf.yaml" >"$T/out.json" 2>"$T/err" || fail "wf-run exited $? ($(cat "$T/err"))"
t1=$(date +%s.%N)
wall=$(echo "$t1 - $t0" | bc)
note "wall ${wall}s for a 2.5 s task and a 1 s flush deadline"
grep -q "alert: task 'lagging'" "$T/err" || fail "no alert: $(cat "$T/err")"
grep -q "webhook http://127.0.0.1:$port/\*\*\*: 1 alert not delivered by the end of the run (1 s allowed)" "$T/err" ||
  fail "no word of the undelivered alert: $(cat "$T/err")"
grep -q "alert command 'sleep': 1 alert not delivered" "$T/err" || fail "no word of the abandoned command: $(cat "$T/err")"
(($(echo "$wall < 6" | bc))) || fail "the run took ${wall}s: the hanging webhook held it up"
[[ ! -s "$T/bodies" ]] || fail "the hanging receiver recorded a body"
assert_no_procs "sleep $m" 2
kill "$receiver" 2>/dev/null || true
echo "$E2E_NAME: ok"
