#!/usr/bin/env bash
# wf-predict at scale: layered DAGs of 100k and 1M tasks (gen_layered.py: categories, hints, about
# 3 needs each), one Monte Carlo sample, no history (estimates from the hints), the whole document
# written to a file. Prints per size the median wall and CPU time (user + sys) of a few runs, the
# peak RSS (the largest seen) and the output size. With WF_SCALE_BASELINE=OTHER_BIN_DIR it runs
# that build's wf-predict too and says whether the outputs are the same bytes.
#
#   tests/bench/predict_scale.sh build/bin
#   WF_SCALE_SIZES="10000 100000" WF_SCALE_RUNS=5 tests/bench/predict_scale.sh build/bin
#
# The target (issue): 1M tasks, one sample, in a few seconds. Figures are printed, never
# asserted: the machine is shared and its load varies.
set -euo pipefail

bin=${1:-${WF_BIN:-}}
[ -n "$bin" ] && [ -x "$bin/wf-predict" ] || { echo "usage: $0 BIN_DIR (or WF_BIN=BIN_DIR): no wf-predict there" >&2; exit 64; }
[ -x /usr/bin/time ] || { echo "$0: needs /usr/bin/time (GNU time) for the peak RSS" >&2; exit 69; }
here=$(cd "$(dirname "$0")" && pwd)
sizes=${WF_SCALE_SIZES:-100000 1000000}
runs=${WF_SCALE_RUNS:-3}
baseline=${WF_SCALE_BASELINE:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wf-predict-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# measure LABEL BIN INPUT OUT: one line of figures over $runs runs.
measure() {
  local label=$1 tool=$2 input=$3 out=$4
  : > "$tmp/wall" && : > "$tmp/cpu" && : > "$tmp/rss"
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$tmp/time" -f '%e %U %S %M' "$tool/wf-predict" -q --no-history --samples 1 "$input" > "$out"
    read -r wall user sys rss < "$tmp/time"
    echo "$wall" >> "$tmp/wall"
    awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }' >> "$tmp/cpu"
    echo "$rss" >> "$tmp/rss"
  done
  printf '%9s %-9s %10s %10s %12s %12s\n' "$n" "$label" "$(median < "$tmp/wall")" "$(median < "$tmp/cpu")" \
    "$(mib $(( $(sort -n "$tmp/rss" | tail -1) * 1024 )))" "$(mib "$(stat -c %s "$out")")"
}

echo "wf-predict scale: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs per size"
printf '%9s %-9s %10s %10s %12s %12s\n' tasks build wall_s cpu_s peak_RSS_MiB out_MiB
for n in $sizes; do
  input=$tmp/layered-$n.json
  python3 "$here/gen_layered.py" "$n" > "$input"
  measure this "$bin" "$input" "$tmp/out.json"
  if [ -n "$baseline" ]; then
    measure baseline "$baseline" "$input" "$tmp/base.json"
    cmp -s "$tmp/out.json" "$tmp/base.json" && echo "          same bytes as the baseline" || echo "          OUTPUTS DIFFER from the baseline"
  fi
  rm -f "$input" "$tmp/out.json" "$tmp/base.json"
done
