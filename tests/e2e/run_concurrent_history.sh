#!/usr/bin/env bash
# 20 wf-run processes started at once, each running 10 quick tasks, all recording into one history
# file: every run succeeds, the file holds exactly 200 rows (10 per run), and it is sound.
source "$(dirname "$0")/lib.sh"
need_bin wf-run
need_cmd jq
make_tmp

{
  echo "name: many"
  echo "tasks:"
  for i in $(seq 1 10); do echo "  - {id: t$i, run: 'true', category: quick$((i % 3))}"; done
} >"$T/wf.yaml"

pids=()
for r in $(seq 1 20); do
  "${WF_RUN[@]}" --cpus 2 -q "$T/wf.yaml" >"$T/out.$r.json" 2>"$T/err.$r" &
  pids+=($!)
done
failed=0
for r in "${!pids[@]}"; do
  wait "${pids[$r]}" || { failed=$((failed + 1)); note "run $((r + 1)) exited $?: $(cat "$T/err.$((r + 1))")"; }
done
((failed == 0)) || fail "$failed of 20 runs failed"
ids=$(cat "$T"/out.*.json | jq -r .run.id | sort -u | wc -l)
assert_eq "$ids" 20 "distinct run ids"
for r in $(seq 1 20); do
  [[ ! -s $T/err.$r ]] || fail "run $r wrote diagnostics: $(cat "$T/err.$r")"
done

if command -v sqlite3 >/dev/null; then
  assert_eq "$(sqlite3 "$T/history.db" "SELECT count(*) FROM executions")" 200 "history rows"
  assert_eq "$(sqlite3 "$T/history.db" "SELECT count(DISTINCT run_id) FROM executions")" 20 "runs in history"
  assert_eq "$(sqlite3 "$T/history.db" "SELECT count(*) FROM executions WHERE status != 'succeeded'")" 0 \
    "rows not succeeded"
  assert_eq "$(sqlite3 "$T/history.db" "PRAGMA integrity_check")" ok "integrity_check"
else
  note "sqlite3 not installed: row count and integrity not checked"
fi
echo "$E2E_NAME: ok"
