#!/usr/bin/env bash
# A task that runs far past what its history says (12 imported executions of ~0.3 s; this one
# sleeps 3 s) raises one runtime alert while it runs. The alert reaches: stderr, the event stream,
# a real HTTP server on loopback (which fails the first two POSTs with 500: the webhook retries),
# and an --alert-command (no shell) that gets the JSON on its stdin. The webhook URL carries a
# password, a token in its path and one in its query: none of them appears in anything wf prints
# or writes, and a second run against a 404 shows the URL redacted in the warning.
source "$(dirname "$0")/lib.sh"
need_bin wf-run wf-history
need_cmd jq python3
[[ $("$WF_BIN/wf-run" --help) == *--alert-webhook* ]] || skip "this wf-run has no alert options"
make_tmp
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

# History: 12 executions of category slowpoke, 250-310 ms each.
{
  nf_trace_header
  for i in $(seq 1 12); do nf_trace_row "$i" slowpoke $((250 + i * 5)) 90.0 $((20000000 + i * 100000)); done
} >"$T/seed.csv"
"$WF_BIN/wf-history" import --history "$T/history.db" --run-id seed "$T/seed.csv" >/dev/null

cat >"$T/wf.yaml" <<EOF
name: alerting
tasks:
  - id: slowpoke
    category: slowpoke
    run: [sleep, "3"]
  - id: quick
    run: ["true"]
EOF

start_receiver() {  # $1: name, then receiver options; the port is then in $T/$1.port
  local name=$1
  shift
  python3 "$WF_SOURCE_DIR/tests/e2e/alerts_receiver.py" --port-file "$T/$name.port" --out "$T/$name.bodies" \
    --log "$T/$name.log" --max-seconds 60 "$@" >"$T/$name.out" 2>&1 &
  receivers+=($!)
  wait_for_file "$T/$name.port"
}
receivers=()
stop_receivers() {
  local pid
  for pid in "${receivers[@]}"; do kill "$pid" 2>/dev/null || true; done
  e2e_cleanup
}
trap stop_receivers EXIT

start_receiver ok --fail-first 2
port=$(cat "$T/ok.port")
secret_url="http://alerter:s3cretpw@127.0.0.1:$port/hooks/T0KENPATH?token=QWERTYTOKEN"
wf_run --cpus 2 --sample-interval 0.1 --events "$T/events.jsonl" --alert-time-floor 1 \
  --alert-webhook "$secret_url" --alert-command "tee $T/command.json" "$T/wf.yaml" \
  >"$T/out.json" 2>"$T/err" || fail "wf-run exited $? ($(cat "$T/err"))"

# stderr: one warning naming the task, the limit and the baseline.
grep -q "warning: alert: task 'slowpoke' attempt 1 has run" "$T/err" || fail "no alert on stderr: $(cat "$T/err")"
assert_eq "$(grep -c 'alert:' "$T/err")" 1 "alerts on stderr"

# The event stream.
jq -e -s '[.[] | select(.event == "alert")] | length == 1' "$T/events.jsonl" >/dev/null || fail "expected one alert event"
ev=$(jq -c -s '.[] | select(.event == "alert")' "$T/events.jsonl")
assert_eq "$(jq -r '.kind + "/" + .phase + "/" + .task + "/" + .category' <<<"$ev")" "runtime/running/slowpoke/slowpoke" "alert event"
assert_eq "$(jq -r .expected.source <<<"$ev")" history "baseline source"
jq -e '.value > .expected.limit and .expected.samples == 12 and .expected.p50 < 0.5' <<<"$ev" >/dev/null || fail "alert event values: $ev"

# The webhook: two 500s, then delivered, with the credentials the URL held.
assert_eq "$(jq -r .status "$T/ok.log" | paste -sd,)" "500,500,200" "webhook statuses"
assert_eq "$(jq -r .path "$T/ok.log" | sort -u)" "/hooks/T0KENPATH?token=QWERTYTOKEN" "request path"
assert_eq "$(jq -r .authorization "$T/ok.log" | sort -u)" "Basic $(printf alerter:s3cretpw | base64)" "authorization"
assert_eq "$(jq -r .content_type "$T/ok.log" | sort -u)" "application/json" "content type"
assert_eq "$(wc -l <"$T/ok.bodies")" 1 "bodies delivered"
body=$(cat "$T/ok.bodies")
assert_eq "$(jq -r '.task + "/" + .kind + "/" + .severity' <<<"$body")" "slowpoke/runtime/warning" "webhook body"
[[ $(jq -r .run_id <<<"$body") == $(jq -r .run.id "$T/out.json") ]] || fail "webhook body run id: $body"
jq -e '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")' <<<"$body" >/dev/null || fail "no ISO time in $body"

# The command got the same alert on its stdin.
wait_for_file "$T/command.json"
assert_eq "$(jq -r '.task + "/" + .kind' "$T/command.json")" "slowpoke/runtime" "command's alert"

# Secrets never printed or written.
check_no_secrets() {
  local f
  for f in "$@"; do
    if grep -q -E 's3cretpw|T0KENPATH|QWERTYTOKEN' "$f"; then fail "a secret of the webhook URL is in $f"; fi
  done
  return 0
}
check_no_secrets "$T/err" "$T/events.jsonl" "$T/out.json" "$T/command.json" "$T/ok.bodies"
while IFS= read -r f; do check_no_secrets "$f"; done < <(find "$T/runs" -type f)

# A webhook answering 404: given up at once, the warning names the URL redacted.
start_receiver nf --fail-first 100 --fail-status 404
port404=$(cat "$T/nf.port")
wf_run --cpus 2 --sample-interval 0.1 --alert-time-floor 1 --events "$T/events2.jsonl" \
  --alert-webhook "http://alerter:s3cretpw@127.0.0.1:$port404/hooks/T0KENPATH?token=QWERTYTOKEN" "$T/wf.yaml" \
  >"$T/out2.json" 2>"$T/err2" || fail "second wf-run exited $? ($(cat "$T/err2"))"
grep -q "webhook http://\*\*\*@127.0.0.1:$port404/\*\*\*: alert not delivered: HTTP 404" "$T/err2" ||
  fail "no redacted warning: $(cat "$T/err2")"
assert_eq "$(wc -l <"$T/nf.log")" 1 "requests to a 404 webhook"
check_no_secrets "$T/err2" "$T/events2.jsonl" "$T/out2.json"

# From the environment (the URL is then not even in the process list); --no-alerts stops it all.
WF_ALERT_WEBHOOK="http://127.0.0.1:$port/env" wf_run --cpus 2 --sample-interval 0.1 --alert-time-floor 1 --no-alerts \
  "$T/wf.yaml" >/dev/null 2>"$T/err3" || fail "third wf-run exited $?"
! grep -q "alert:" "$T/err3" || fail "--no-alerts still alerted: $(cat "$T/err3")"
WF_ALERT_WEBHOOK="http://127.0.0.1:$port/env" wf_run --cpus 2 --sample-interval 0.1 --alert-time-floor 1 \
  "$T/wf.yaml" >/dev/null 2>"$T/err4" || fail "fourth wf-run exited $?"
assert_eq "$(jq -r .path "$T/ok.log" | tail -1)" "/env" "webhook from \$WF_ALERT_WEBHOOK"
echo "$E2E_NAME: ok"
