#!/usr/bin/env bash
# wf-history import, every format: the six nf-core Nextflow traces, one WfFormat instance of each
# family, and a small sacct file written here. Counts add up, a second import adds nothing, and a
# bad file stops with exit 65 naming file:line while what was imported before stays.
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
traces=${WF_SHARED_DIR:-}/traces
[[ -d $traces/nfcore && -d $traces/wfcommons ]] || skip "no traces in ${WF_SHARED_DIR:-WF_SHARED_DIR}"
H=(--history "$T/history.db")
wfh() { "$WF_BIN/wf-history" "$@"; }
# The ADDED / PRESENT / SKIPPED columns of an import's table, summed over its files.
column_sum() { awk -v c="$1" 'NR > 1 { s += $c } END { print s + 0 }'; }

# 1. nf-core traces: every file imported, the store holds what the table says was added.
wfh import "${H[@]}" "$traces"/nfcore/trace_*.csv >"$T/nf.txt"
assert_eq "$(awk 'NR > 1' "$T/nf.txt" | wc -l)" 6 "nf-core files imported"
awk 'NR > 1 && $2 != "nextflow" { exit 1 }' "$T/nf.txt" || fail "auto-detection did not say nextflow: $(cat "$T/nf.txt")"
nf_added=$(column_sum 3 <"$T/nf.txt")
((nf_added > 10000)) || fail "only $nf_added nf-core executions added"
assert_eq "$(wfh export "${H[@]}" | jq length)" "$nf_added" "exported rows after the nf-core import"

# 2. Idempotent: the same files again add nothing, and everything is found present.
wfh import "${H[@]}" "$traces"/nfcore/trace_*.csv >"$T/nf2.txt"
assert_eq "$(column_sum 3 <"$T/nf2.txt")" 0 "rows added by a second import"
assert_eq "$(column_sum 4 <"$T/nf2.txt")" "$nf_added" "rows present on a second import"

# 3. One WfFormat instance per family (the first by name): one execution per measured task.
wf_added=0
for dir in "$traces"/wfcommons/*/; do
  family=$(basename "$dir")
  [[ $family == schema ]] && continue
  file=$(ls "$dir"*.json | head -n 1)
  tasks=$(jq '.workflow.execution.tasks | length' "$file")
  wfh import "${H[@]}" "$file" >"$T/wf.txt"
  added=$(column_sum 3 <"$T/wf.txt")
  skipped=$(column_sum 5 <"$T/wf.txt")
  assert_eq "$(awk 'NR == 2 { print $2 }' "$T/wf.txt")" wfformat "format of $file"
  assert_eq "$((added + skipped))" "$tasks" "executions of $file"
  ((added > 0)) || fail "$file: nothing imported"
  wf_added=$((wf_added + added))
  assert_eq "$(wfh import "${H[@]}" --format wfformat "$file" | column_sum 3)" 0 "second import of $file"
done
wfh export "${H[@]}" | jq -e '[.[] | select(.executor == "import:wfformat")] | length' >"$T/n" || fail "export is not JSON"
assert_eq "$(cat "$T/n")" "$wf_added" "WfFormat executions in the store"
wfh export "${H[@]}" | jq -e '[.[] | select(.executor == "import:wfformat") | select(.source | startswith("/") | not)] | length == 0' >/dev/null ||
  fail "a WfFormat row without its canonical source path"

# 4. sacct: steps fold into jobs, a running job is skipped, an OOM kill is kept as such.
cat >"$T/jobs.txt" <<'SACCT'
JobID|JobName|State|ExitCode|Elapsed|TotalCPU|MaxRSS|ReqMem|AllocCPUS|Start|End|NodeList
201|align|COMPLETED|0:0|00:10:00|00:00:00||4G|2|2024-05-01T10:00:00|2024-05-01T10:10:00|node1
201.batch|batch|COMPLETED|0:0|00:10:00|08:20.500|1.5G||2|2024-05-01T10:00:00|2024-05-01T10:10:00|node1
202|align|OUT_OF_MEMORY|0:125|00:01:00|00:30.000||4G|2|2024-05-01T10:11:00|2024-05-01T10:12:00|node2
202.batch|batch|OUT_OF_MEMORY|0:125|00:01:00|00:30.000|4096000K||2|2024-05-01T10:11:00|2024-05-01T10:12:00|node2
203|sort|RUNNING|0:0|00:01:00|00:00:00||1G|1|2024-05-01T10:11:00|Unknown|node3
SACCT
wfh import "${H[@]}" --run-id march "$T/jobs.txt" >"$T/sacct.txt"
assert_eq "$(awk 'NR == 2 { print $2, $3, $4, $5 }' "$T/sacct.txt")" "sacct 2 0 1" "sacct import (format added present skipped)"
assert_eq "$(wfh export "${H[@]}" | jq -r '[.[] | select(.run_id == "march") | .status] | sort | join(",")')" "oom,succeeded" \
  "statuses of the sacct jobs"
wfh runs "${H[@]}" --format json | jq -e 'any(.[]; .run_id == "march" and .executions == 2 and .succeeded == 1)' >/dev/null ||
  fail "runs does not list run 'march' with 2 executions, 1 succeeded"

total=$((nf_added + wf_added + 2))
assert_eq "$(wfh export "${H[@]}" --format csv | tail -n +2 | wc -l)" "$total" "CSV export rows"

# 5. A bad file: exit 65, the message names file:line, nothing of it is stored, the rest stays.
# Three good rows of a real trace, then a copy of the last with an unreadable realtime.
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "realtime") c = i }
  NR <= 3 { print } NR == 3 { $1 = "99999"; $c = "abc"; print }' "$traces/nfcore/trace_mag.csv" >"$T/bad.csv"
set +e
wfh import "${H[@]}" "$T/bad.csv" >/dev/null 2>"$T/err"
code=$?
set -e
assert_eq "$code" 65 "exit status of a bad trace"
grep -q "bad.csv:4: column 'realtime': cannot read 'abc'" "$T/err" || fail "no file:line in: $(cat "$T/err")"
assert_eq "$(wfh export "${H[@]}" | jq length)" "$total" "rows after a failed import"

# 6. Not a WfFormat instance, a missing file, an unknown format.
printf 'tasks:\n  - id: a\n    run: "true"\n' >"$T/native.yaml"
set +e
wfh import "${H[@]}" --format wfformat "$T/native.yaml" >/dev/null 2>"$T/err"; code=$?
set -e
assert_eq "$code" 65 "exit status of a native workflow imported as WfFormat"
grep -q "not a WfFormat instance" "$T/err" || fail "unexpected message: $(cat "$T/err")"
set +e
wfh import "${H[@]}" "$T/missing.csv" 2>/dev/null; code=$?
set -e
assert_eq "$code" 66 "exit status of a missing file"
set +e
wfh import "${H[@]}" --format xml "$T/jobs.txt" 2>/dev/null; code=$?
set -e
assert_eq "$code" 64 "exit status of an unknown --format"

wfh check "${H[@]}" 2>/dev/null || fail "check found problems in a sound database"
note "ok: $nf_added nf-core, $wf_added WfFormat, 2 sacct executions"
