#!/usr/bin/env bash
# wf-history stats, runs, prune, check and vacuum on a history made here: a category whose runtime
# and memory follow its input size (the predictor must choose the regressions), one with three
# samples (max+margin), and old executions that prune removes.
set -euo pipefail
name=$(basename "$0" .sh)
fail() { echo "$name: FAIL: $*" >&2; exit 1; }
skip() { echo "$name: skipped: $*" >&2; exit 77; }
note() { echo "$name: $*" >&2; }
assert_eq() { [[ "$1" == "$2" ]] || fail "${3:-value}: expected '$2', got '$1'"; }
[[ -n "${WF_BIN:-}" ]] || skip "WF_BIN is not set (run through ctest, or export WF_BIN=BUILD/bin)"
[[ -x $WF_BIN/wf-history ]] || skip "$WF_BIN/wf-history is not built"
for c in jq awk; do command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"; done
T=$(mktemp -d "${TMPDIR:-/tmp}/wf-e2e-$name.XXXXXX")
trap 'rm -rf "$T"' EXIT
H=(--history "$T/history.db")
wfh() { "$WF_BIN/wf-history" "$@"; }

# A Nextflow trace (CSV with raw numbers): ALIGN × 40, runtime ∝ input^0.9 with a ±5% wobble;
# QC × 3, an hour ago; OLD × 5 that ended in 2001.
awk -v now="$(( $(date +%s) * 1000 - 3600000 ))" 'BEGIN {
  OFS = ","
  print "task_id,hash,process,name,status,exit,cpus,memory,attempt,submit,start,complete,duration,realtime,%cpu,peak_rss,rchar,wchar,hostname"
  for (i = 0; i < 40; i++) {
    rchar = int(1e6 * 2 ^ (i / 4))
    real = int(0.002 * rchar ^ 0.9 * (1 + 0.05 * ((i * 7) % 5 - 2) / 2))
    print i + 1, "aa/" i, "ALIGN", "ALIGN (s" i ")", "COMPLETED", 0, 2, 8589934592, 1, now, now, now + real, real, real, 150, int(1e8 + rchar / 2), rchar, 1000, "node1"
  }
  for (i = 0; i < 3; i++)
    print 100 + i, "bb/" i, "QC", "QC (s" i ")", "COMPLETED", 0, 1, 1073741824, 1, now, now, now + 5000 + 1000 * i, 5000 + 1000 * i, 5000 + 1000 * i, 90, 50000000, 1000, 10, "node2"
  old = 978307200000
  for (i = 0; i < 5; i++)
    print 200 + i, "cc/" i, "OLD", "OLD (s" i ")", "COMPLETED", 0, 1, 1073741824, 1, old, old, old + 1000, 1000, 1000, 100, 1000000, 1000, 10, "node3"
}' >"$T/trace_synthetic.csv"
wfh import "${H[@]}" "$T/trace_synthetic.csv" >/dev/null

# 1. JSON: the regression where the input size explains the measure, max+margin with 3 samples.
wfh stats "${H[@]}" --format json >"$T/stats.json"
jq -e '.categories | map(.category) == ["ALIGN", "OLD", "QC"]' "$T/stats.json" >/dev/null || fail "categories: $(jq -c '.categories | map(.category)' "$T/stats.json")"
align='.categories[] | select(.category == "ALIGN") | .measures'
assert_eq "$(jq -r "$align.runtime_s.model" "$T/stats.json")" "loglinear(input_bytes)" "ALIGN runtime model"
assert_eq "$(jq -r "$align.runtime_s.source" "$T/stats.json")" "model" "ALIGN runtime source"
assert_eq "$(jq -r "$align.runtime_s.samples" "$T/stats.json")" 40 "ALIGN runtime samples"
jq -e "$align.runtime_s.error < 0.1" "$T/stats.json" >/dev/null || fail "ALIGN runtime held-out error $(jq "$align.runtime_s.error" "$T/stats.json") >= 10%"
jq -e "($align.runtime_s.candidates | length) == 3" "$T/stats.json" >/dev/null || fail "ALIGN runtime candidates"
assert_eq "$(jq -r "$align.mem_bytes.model" "$T/stats.json")" "linear(input_bytes)" "ALIGN memory model (a base + a part ∝ input)"
jq -e "$align.cpus.median == 1.5" "$T/stats.json" >/dev/null || fail "ALIGN cpus used (cpu% / 100) median"
qc='.categories[] | select(.category == "QC") | .measures.runtime_s'
assert_eq "$(jq -r "$qc.model" "$T/stats.json")" "max+margin" "QC runtime model"
assert_eq "$(jq -r "$qc.median" "$T/stats.json")" 6 "QC runtime median (s)"

# 2. The table, and one category.
wfh stats "${H[@]}" >"$T/stats.txt"
head -n 1 "$T/stats.txt" | grep -qE '^CATEGORY +MEASURE +SAMPLES +MEDIAN +P95 +MODEL +ERROR$' || fail "table header: $(head -n 1 "$T/stats.txt")"
grep -qE '^ALIGN +runtime_s +40 .* loglinear\(input_bytes\) +[0-9.]+%$' "$T/stats.txt" || fail "no ALIGN runtime line in: $(cat "$T/stats.txt")"
assert_eq "$(wfh stats "${H[@]}" QC --format json | jq -r '.categories | map(.category) | join(",")')" QC "stats QC"

# 3. An unknown category (with a hint), a missing database.
set +e
wfh stats "${H[@]}" ALIGNN 2>"$T/err"; code=$?
set -e
assert_eq "$code" 65 "exit status of an unknown category"
grep -q "did you mean 'ALIGN'" "$T/err" || fail "no did-you-mean in: $(cat "$T/err")"
set +e
wfh stats --history "$T/none.db" 2>/dev/null; code=$?
set -e
assert_eq "$code" 66 "exit status of stats on a missing database"
[[ ! -e $T/none.db ]] || fail "stats created a database"

# 4. WF_HISTORY is the default when --history is not given.
assert_eq "$(WF_HISTORY=$T/history.db wfh runs --format json | jq -r '.[0].run_id')" trace_synthetic "run id from WF_HISTORY"

# 5. prune: the 2001 executions go, the others stay; check and vacuum keep it sound.
assert_eq "$(wfh export "${H[@]}" | jq length)" 48 "rows before prune"
set +e
wfh prune "${H[@]}" --older-than soon 2>/dev/null; code=$?
set -e
assert_eq "$code" 64 "exit status of an unreadable --older-than"
wfh prune "${H[@]}" --older-than 90d 2>"$T/err"
grep -q "deleted 5 executions" "$T/err" || fail "prune said: $(cat "$T/err")"
assert_eq "$(wfh export "${H[@]}" | jq length)" 43 "rows after prune"
wfh vacuum "${H[@]}" 2>/dev/null
wfh check "${H[@]}" 2>/dev/null || fail "check failed on a sound database"

# 6. check finds a row that breaks the rules (written behind the store's back): exit 1.
if command -v sqlite3 >/dev/null 2>&1; then
  sqlite3 "$T/history.db" "UPDATE executions SET runtime_s = -1 WHERE task_id = 'QC (s0)'"
  set +e
  wfh check "${H[@]}" 2>"$T/err"; code=$?
  set -e
  assert_eq "$code" 1 "exit status of check on a bad row"
  grep -q "runtime_s must be finite and >= 0" "$T/err" || fail "check said: $(cat "$T/err")"
else
  note "sqlite3 missing: the bad-row check is skipped"
fi
note "ok"
