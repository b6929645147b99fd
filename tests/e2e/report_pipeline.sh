#!/usr/bin/env bash
# The real pipeline ends in a page: examples/etl.yaml analysed, forecast (when wf-predict is built),
# run and reported. The page is one self-contained file with every section; each chart alone is an
# SVG that a real renderer (rsvg-convert) turns into a non-trivial PNG; the same document gives
# the same bytes; usage errors and documents with nothing to draw get their exit codes.
source "$(dirname "$0")/lib.sh"
need_bin wf-analyze wf-run wf-report
make_tmp

# rsvg-convert from Debian's librsvg2-bin, installed when missing (root and apt-get only).
need_rsvg() {
  command -v rsvg-convert >/dev/null 2>&1 && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    note "installing librsvg2-bin for rsvg-convert"
    { apt-get install -y -q librsvg2-bin || { apt-get update -q && apt-get install -y -q librsvg2-bin; }; } >"$T/apt.log" 2>&1 || true
  fi
  command -v rsvg-convert >/dev/null 2>&1 || skip "rsvg-convert is not installed (apt-get install librsvg2-bin)"
}

# A PNG of at least $2 bytes whose width is 1000 px (the charts' viewBox).
check_png() {
  local png=$1 min=$2 size width
  [[ $(head -c 8 "$png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$png is not a PNG"
  size=$(stat -c %s "$png")
  ((size >= min)) || fail "$png is only $size bytes: a blank picture?"
  width=$(od -An -tu1 -j16 -N4 "$png" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
  assert_eq "$width" 1000 "width of $png"
}

src="$WF_SOURCE_DIR/examples/etl.yaml"
"$WF_BIN/wf-analyze" -q "$src" >"$T/analysed.json" || fail "wf-analyze exited $?"
if [[ -x "$WF_BIN/wf-predict" ]] && "$WF_BIN/wf-predict" -q --no-history "$T/analysed.json" >"$T/predicted.json" 2>"$T/predict.err"; then
  forecast=yes
else
  note "no forecast (wf-predict not built or failed): the report is drawn from the run alone"
  cp "$T/analysed.json" "$T/predicted.json"
  forecast=no
fi
(cd "$T" && wf_run -q --no-history "$T/predicted.json" >"$T/run.json") || fail "wf-run exited $?"

"$WF_BIN/wf-report" "$T/run.json" -o "$T/report.html" || fail "wf-report exited $?"
html=$(cat "$T/report.html")
[[ $html == "<!DOCTYPE html>"* ]] || fail "the page does not start with a doctype"
for want in 'id="demand"' 'id="timeline"' 'id="plan"' '<h1>nightly-etl</h1>' '>What the run used<' '>extract-eu<' '>critical path<'; do
  grep -qF -- "$want" "$T/report.html" || fail "the page lacks $want"
done
[[ $forecast == no ]] || grep -qF 'id="deviation"' "$T/report.html" || fail "a forecast run has no deviation section"
! grep -qi '<script' "$T/report.html" || fail "the page has a script"
assert_eq "$(grep -o 'http[s]*://[^"]*' "$T/report.html" | sort -u)" "http://www.w3.org/2000/svg" "addresses in the page"
size=$(stat -c %s "$T/report.html")
note "page for 9 tasks: $size bytes"
((size < 200000)) || fail "the page for 9 tasks is $size bytes"

# Piped, from stdin, the same bytes.
"$WF_BIN/wf-report" <"$T/run.json" >"$T/again.html" || fail "wf-report from stdin exited $?"
cmp -s "$T/report.html" "$T/again.html" || fail "the same document gave different pages"

need_rsvg
charts=(demand gantt)
[[ $forecast == yes ]] && charts+=(deviation)
for chart in "${charts[@]}"; do
  "$WF_BIN/wf-report" --format svg --chart "$chart" "$T/run.json" -o "$T/$chart.svg" || fail "--chart $chart exited $?"
  head -c 40 "$T/$chart.svg" | grep -q '^<svg xmlns="http://www.w3.org/2000/svg"' || fail "$chart.svg is not an SVG document"
  rsvg-convert "$T/$chart.svg" -o "$T/$chart.png" 2>"$T/rsvg.err" || fail "rsvg-convert failed on $chart.svg: $(cat "$T/rsvg.err")"
  check_png "$T/$chart.png" 8000
done

# Without a forecast the deviation chart cannot be drawn: 65, one line saying why.
set +e
"$WF_BIN/wf-report" --format svg --chart deviation "$T/analysed.json" >/dev/null 2>"$T/err"
code=$?
"$WF_BIN/wf-report" --format svg "$T/run.json" >/dev/null 2>/dev/null
usage=$?
"$WF_BIN/wf-report" --chart gantt "$T/run.json" >/dev/null 2>/dev/null
usage2=$?
"$WF_BIN/wf-report" "$T/missing.json" >/dev/null 2>/dev/null
missing=$?
echo '{"apiVersion": "wf/v1", "workflow": {"tasks": [{"id": "a", "run": "true"}]}}' | "$WF_BIN/wf-report" >/dev/null 2>"$T/empty.err"
empty=$?
set -e
assert_eq "$code" 65 "deviation chart without a run"
grep -q '^wf-report: error: .*no deviation chart' "$T/err" || fail "unexpected message: $(cat "$T/err")"
assert_eq "$usage" 64 "--format svg without --chart"
assert_eq "$usage2" 64 "--chart without --format svg"
assert_eq "$missing" 66 "a missing input"
assert_eq "$empty" 65 "a document with nothing to draw"
grep -q 'nothing to report' "$T/empty.err" || fail "unexpected message: $(cat "$T/empty.err")"
echo "$E2E_NAME: ok"
