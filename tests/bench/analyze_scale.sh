#!/usr/bin/env bash
# wf-analyze at scale: layered DAGs of 10k, 100k and 1M tasks (about 3 needs each), the default
# output (the whole JSON document) written to a file. Prints, per size, the median wall time of a
# few runs, their median CPU time (user + sys), the peak RSS (the largest seen) and the sizes in and
# out. Builds nothing: give the bin dir as $1 or WF_BIN.
#
#   tests/bench/analyze_scale.sh build/bin
#   WF_SCALE_SIZES="10000 100000" WF_SCALE_RUNS=5 tests/bench/analyze_scale.sh build/bin
#
# The target (tracker): 1M tasks in at most 2 s wall and 1.5 GiB peak RSS; 10k well under 100 ms.
# Figures are printed, never asserted: the machine is shared and its load varies.
set -euo pipefail

bin=${1:-${WF_BIN:-}}
[ -n "$bin" ] && [ -x "$bin/wf-analyze" ] || { echo "usage: $0 BIN_DIR (or WF_BIN=BIN_DIR): no wf-analyze there" >&2; exit 64; }
[ -x /usr/bin/time ] || { echo "$0: needs /usr/bin/time (GNU time) for the peak RSS" >&2; exit 69; }
here=$(cd "$(dirname "$0")" && pwd)
sizes=${WF_SCALE_SIZES:-10000 100000 1000000}
runs=${WF_SCALE_RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wf-analyze-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

echo "wf-analyze scale: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs per size"
printf '%9s %10s %10s %10s %12s %12s\n' tasks in_MiB wall_s cpu_s peak_RSS_MiB out_MiB
for n in $sizes; do
  input=$tmp/layered-$n.json
  python3 "$here/gen_layered.py" "$n" > "$input"
  : > "$tmp/wall" && : > "$tmp/cpu" && : > "$tmp/rss"
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$tmp/time" -f '%e %U %S %M' "$bin/wf-analyze" -q "$input" > "$tmp/out.json"
    read -r wall user sys rss < "$tmp/time"
    echo "$wall" >> "$tmp/wall"
    awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }' >> "$tmp/cpu"
    echo "$rss" >> "$tmp/rss"
  done
  printf '%9s %10s %10s %10s %12s %12s\n' "$n" "$(mib "$(stat -c %s "$input")")" "$(median < "$tmp/wall")" \
    "$(median < "$tmp/cpu")" "$(mib $(( $(sort -n "$tmp/rss" | tail -1) * 1024 )))" "$(mib "$(stat -c %s "$tmp/out.json")")"
  rm -f "$input"
done
