#!/usr/bin/env bash
# A workflow larger than its history, on real traces: the two small bwa instances and the medium
# one (WfCommons, Makeflow) imported as history, the large one predicted. Its 1,000 bwa tasks read
# 10x the input of any execution learned from and ran 4x longer (median 12 s against 3 s):
# wf-predict says they extrapolate, their provenance has input_ratio, and their widened p95 covers
# the recorded runtimes; the medium instance, inside what history saw, is predicted unwidened.
# Needs ../shared (WF_SHARED_DIR); skipped without it.
source "$(dirname "$0")/lib.sh"
need_bin wf-history wf-analyze wf-predict
need_cmd jq
traces=${WF_SHARED_DIR:-}/traces/wfcommons/bwa
[[ -d $traces ]] || skip "no $traces"
make_tmp

"$WF_BIN/wf-history" import --history "$T/h.db" "$traces"/bwa-chameleon-small-00{1,2}.json \
  "$traces"/bwa-chameleon-medium-001.json >/dev/null || fail "import exited $?"

"$WF_BIN/wf-analyze" -q "$traces/bwa-chameleon-large-001.json" >"$T/large.json" || fail "analyze exited $?"
"$WF_BIN/wf-predict" --history "$T/h.db" "$T/large.json" >"$T/pred.json" 2>"$T/err" || fail "predict exited $?: $(cat "$T/err")"
grep -q "note: 1002 tasks read more input than any execution history learned from (up to 9.97x the largest)" "$T/err" ||
  fail "no note of the extrapolation: $(cat "$T/err")"

# Per bwa task: its recorded runtime, the predicted p50 and p95, and the runtime's input_ratio.
jq -r '[.workflow.tasks[] | select(.category == "bwa")] as $w
  | (.prediction.tasks | map({(.id): .}) | add) as $p
  | $w[] | [.recorded.runtime_s, $p[.id].runtime_s.p50, $p[.id].runtime_s.p95, ($p[.id].provenance.runtime.input_ratio // 0)] | @tsv' \
  "$T/pred.json" >"$T/bwa.tsv"
read -r n ratio_ok covered under_p50 < <(awk '{ n++; if ($4 > 9 && $4 < 11) r++; if ($1 <= $3) c++; if ($1 <= $2) h++ }
  END { print n, r + 0, c + 0, h + 0 }' "$T/bwa.tsv")
# How wide: the median of p95 over the recorded runtime.
width=$(awk '$1 > 0 { print $3 / $1 }' "$T/bwa.tsv" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
note "bwa tasks: $n, input_ratio ~10: $ratio_ok, recorded runtime <= p95: $covered, <= p50: $under_p50, median p95 / recorded: $width"
assert_eq "$n" 1000 "bwa tasks"
assert_eq "$ratio_ok" 1000 "bwa tasks with an input_ratio near 10"
((covered >= 900)) || fail "only $covered of 1000 recorded runtimes within the widened p95"
# Widened, not blown up: the p50 sits among the recorded runtimes, and the p95 within 10x of them.
((under_p50 >= 250 && under_p50 <= 750)) || fail "$under_p50 of 1000 recorded runtimes at most the p50"
awk -v w="$width" 'BEGIN { exit !(w < 10) }' || fail "the p95 is a median $width times the recorded runtime"
# CPU use is bounded by threads, not by the input: not widened, no input_ratio.
assert_eq "$(jq '[.prediction.tasks[] | select(.provenance.cpus.input_ratio)] | length' "$T/pred.json")" 0 "cpus with an input_ratio"

# Inside the sizes history saw: no note, no input_ratio.
"$WF_BIN/wf-analyze" -q "$traces/bwa-chameleon-medium-001.json" | "$WF_BIN/wf-predict" --history "$T/h.db" >"$T/medium.json" 2>"$T/err2" ||
  fail "predict (medium) exited $?"
grep -q "more input than any" "$T/err2" && fail "the medium instance was said to extrapolate: $(cat "$T/err2")"
assert_eq "$(jq '[.prediction.tasks[] | select(.provenance.runtime.input_ratio)] | length' "$T/medium.json")" 0 "medium tasks with an input_ratio"
echo "$E2E_NAME: ok"
