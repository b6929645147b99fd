#!/usr/bin/env bash
# SIGINT to wf-run about a second into a run of long tasks (some with children of their own, one
# whose child ignores SIGTERM): wf-run exits 130, still writes the document with the `run` section
# saying `interrupted`, and no process of the run is left.
source "$(dirname "$0")/lib.sh"
need_bin wf-run
need_cmd jq
make_tmp
new_marker m1
new_marker m2
new_marker m3
new_marker m4

cat >"$T/wf.yaml" <<EOF
name: interrupt
tasks:
  - {id: plain, run: "sleep $m1"}
  - {id: children, run: "sleep $m2 & sleep $m2; wait"}
  - {id: stubborn, run: "(trap '' TERM; sleep $m3) & sleep $m3"}
  - {id: queued, run: "sleep $m4"}
  - {id: below, needs: plain, run: "sleep $m4"}
EOF
# A script's background jobs start with SIGINT ignored; give wf-run the default disposition, as an
# interactive shell would.
env --default-signal=INT "${WF_RUN[@]}" --cpus 3 --events "$T/ev.jsonl" "$T/wf.yaml" >"$T/out.json" 2>"$T/err" &
pid=$!
deadline=$((SECONDS + 10))
until [[ $(jq -s '[.[] | select(.event == "task_started")] | length' "$T/ev.jsonl" 2>/dev/null) == 3 ]]; do
  ((SECONDS < deadline)) || fail "three tasks did not start"
  sleep 0.05
done
sleep 1
kill -INT "$pid"
start=$SECONDS
status=0
wait "$pid" || status=$?
elapsed=$((SECONDS - start))
assert_eq "$status" 130 "exit status"
((elapsed <= 6)) || fail "wf-run took ${elapsed}s to stop"
grep -q "received SIGINT" "$T/err" || fail "no warning about the signal: $(cat "$T/err")"
assert_eq "$(jq -r .run.status "$T/out.json")" interrupted "run status"
assert_eq "$(jq -r '[.run.tasks[] | "\(.id)=\(.status)"] | join(" ")' "$T/out.json")" \
  "plain=interrupted children=interrupted stubborn=interrupted queued=not_started below=not_started" "statuses"
for m in "$m1" "$m2" "$m3" "$m4"; do assert_no_procs "sleep $m" 1; done
assert_eq "$(jq -rs '.[-1] | "\(.event) \(.status)"' "$T/ev.jsonl")" "run_finished interrupted" "last event"
if command -v sqlite3 >/dev/null; then
  assert_eq "$(sqlite3 "$T/history.db" "SELECT count(*) FROM executions WHERE status = 'interrupted'")" 3 \
    "interrupted rows in history"
fi
echo "$E2E_NAME: ok"
