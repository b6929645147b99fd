#!/usr/bin/env bash
# wf-history anomalies: over imported executions, the one that ran 20x longer than its category's
# others (runtime and CPU time) and the one that used 8x the memory are listed (table and JSON), a filter by run keeps
# only that run's, a high threshold lists nothing, an unknown category is refused with a hint.
# On the real nf-core traces (when ../shared is there) it runs and reports how much it flags.
source "$(dirname "$0")/lib.sh"
need_bin wf-history
need_cmd jq
make_tmp
H=("$WF_BIN/wf-history")
row() { nf_trace_row "$1" "$2" "$3" 100.0 "$4"; }  # id process realtime_ms peak_rss
{
  nf_trace_header
  for i in $(seq 1 20); do row "$i" align $((60000 + i * 500)) $((1000000000 + i * 1000000)); done
  for i in $(seq 21 30); do row "$i" sort $((30000 + i * 100)) 500000000; done
} >"$T/old.csv"
{
  nf_trace_header
  row 1 align 61000 1000000000
  row 2 align 1300000 1010000000  # 1300 s against ~65 s
  row 3 sort 33000 4000000000     # 4 GB against 500 MB
  row 4 sort 31000 500000000
} >"$T/new.csv"
"${H[@]}" import --history "$T/h.db" --run-id old "$T/old.csv" >/dev/null
"${H[@]}" import --history "$T/h.db" --run-id new "$T/new.csv" >/dev/null

"${H[@]}" anomalies --history "$T/h.db" --format json >"$T/all.json" 2>"$T/err" || fail "anomalies exited $? ($(cat "$T/err"))"
assert_eq "$(jq -r '[.[] | .run_id + ":" + .task + ":" + .kind + ":" + .severity] | join(",")' "$T/all.json")" \
  "new:align (2):runtime:critical,new:align (2):cpu:critical,new:sort (3):memory:critical" "anomalies"
jq -e '.[0].expected.source == "history" and .[0].expected.samples == 22 and .[0].z > 5 and .[0].value == 1300' \
  "$T/all.json" >/dev/null || fail "anomaly details: $(jq -c '.[0]' "$T/all.json")"
grep -q "3 anomalies among 34 executions" "$T/err" || fail "summary: $(cat "$T/err")"

"${H[@]}" anomalies --history "$T/h.db" >"$T/table" 2>/dev/null
head -1 "$T/table" | grep -q "^RUN  *TASK  *ATTEMPT  *CATEGORY  *KIND  *SEVERITY  *VALUE  *P50  *LIMIT  *Z$" || fail "table header: $(head -1 "$T/table")"
assert_eq "$(wc -l <"$T/table")" 4 "table lines"

assert_eq "$("${H[@]}" anomalies --history "$T/h.db" --run old --format json 2>/dev/null | jq length)" 0 "anomalies of run old"
assert_eq "$("${H[@]}" anomalies --history "$T/h.db" --category sort --format json 2>/dev/null | jq -r '.[].kind')" memory "category filter"
assert_eq "$("${H[@]}" anomalies --history "$T/h.db" --threshold 100 --format json 2>/dev/null | jq length)" 0 "threshold 100"
set +e
"${H[@]}" anomalies --history "$T/h.db" --category sortt 2>"$T/err2"
code=$?
set -e
assert_eq "$code" 65 "unknown category exit"
grep -q "did you mean 'sort'" "$T/err2" || fail "no hint: $(cat "$T/err2")"

traces="${WF_SHARED_DIR:-}/traces/nfcore"
if [[ -d $traces ]]; then
  for f in "$traces"/trace_*.csv; do
    name=$(basename "$f" .csv)
    "${H[@]}" import --history "$T/nf.db" --run-id "$name" "$f" >/dev/null
    n=$("${H[@]}" anomalies --history "$T/nf.db" --run "$name" --format json 2>"$T/nferr" | jq length)
    note "$name: $n anomalous measures ($(grep -o '[0-9]* anomal.*' "$T/nferr"))"
  done
else
  note "no ../shared/traces: the nf-core part is skipped"
fi
echo "$E2E_NAME: ok"
