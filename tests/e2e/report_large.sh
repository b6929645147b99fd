#!/usr/bin/env bash
# wf-report at 100,000 tasks (a synthetic document of every section, examples/report/synthetic_run.py):
# the page stays under 2 MB, each chart renders with rsvg-convert to a non-trivial PNG, and when
# headless Chromium happens to be installed, the page itself renders too (it is never installed here).
source "$(dirname "$0")/lib.sh"
need_bin wf-report
need_cmd python3
make_tmp

need_rsvg() {
  command -v rsvg-convert >/dev/null 2>&1 && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    note "installing librsvg2-bin for rsvg-convert"
    { apt-get install -y -q librsvg2-bin || { apt-get update -q && apt-get install -y -q librsvg2-bin; }; } >"$T/apt.log" 2>&1 || true
  fi
  command -v rsvg-convert >/dev/null 2>&1 || skip "rsvg-convert is not installed (apt-get install librsvg2-bin)"
}

python3 "$WF_SOURCE_DIR/examples/report/synthetic_run.py" --tasks 100000 --slots 256 >"$T/run.json" || fail "the generator exited $?"
start=$SECONDS
"$WF_BIN/wf-report" "$T/run.json" -o "$T/report.html" || fail "wf-report exited $?"
size=$(stat -c %s "$T/report.html")
note "page for 100,000 tasks: $size bytes, written in $((SECONDS - start))s"
((size < 2000000)) || fail "the page for 100,000 tasks is $size bytes (limit 2 MB)"
for want in 'id="demand"' 'id="timeline"' 'id="deviation"' 'id="anomalies"' 'id="plan"' 'one row per category' 'The 25 furthest of 100,000 tasks'; do
  grep -qF -- "$want" "$T/report.html" || fail "the page lacks $want"
done

need_rsvg
for chart in demand gantt deviation; do
  "$WF_BIN/wf-report" --format svg --chart "$chart" "$T/run.json" -o "$T/$chart.svg" || fail "--chart $chart exited $?"
  svg_size=$(stat -c %s "$T/$chart.svg")
  ((svg_size < 700000)) || fail "$chart.svg is $svg_size bytes at 100,000 tasks"
  rsvg-convert "$T/$chart.svg" -o "$T/$chart.png" 2>"$T/rsvg.err" || fail "rsvg-convert failed on $chart.svg: $(cat "$T/rsvg.err")"
  png_size=$(stat -c %s "$T/$chart.png")
  ((png_size > 15000)) || fail "$chart.png is only $png_size bytes: a blank picture?"
  note "$chart: svg $svg_size bytes, png $png_size bytes"
done

chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -n $chromium ]]; then
  mkdir -p "$T/profile"
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$T/profile" --window-size=1100,3000 \
    --screenshot="$T/page.png" "file://$T/report.html" >"$T/chromium.log" 2>&1 || fail "chromium could not render the page"
  shot=$(stat -c %s "$T/page.png")
  ((shot > 50000)) || fail "the screenshot of the page is only $shot bytes"
  note "chromium screenshot: $shot bytes"
else
  note "chromium is not installed: the page itself is not rendered (the charts were)"
fi
echo "$E2E_NAME: ok"
