#!/usr/bin/env bash
# In-run feedback against the same run without it, on real processes: the stream of
# control_stream.py (N chunks, a fetch every 0.25 s feeding a worker forecast at 1 s and 30 MiB,
# so wf-provision leases about 1.1 cpus from the local pool) whose workers really take FACTOR
# times the forecast, for FACTOR 2 (under-forecast) and 0.5 (over-forecast). Each configuration
# runs under its own fresh lease, in a ledger (and so a pool) of its own; rounds interleave the configurations. Prints per scenario and
# mode the median makespan and the capacity held: cpu-hours and GiB-hours of the lease (without
# feedback: the lease times the makespan; with it: run.feedback.capacity_held, the lease as it was
# resized, integrated). Figures only, no asserts.
#
# usage: control_feedback.sh WF_BIN [N] [ROUNDS]     (or env WF_BIN, N, ROUNDS)
set -euo pipefail
WF_BIN=${1:-${WF_BIN:-}}
N=${2:-${N:-24}}
ROUNDS=${3:-${ROUNDS:-3}}
[[ -x "$WF_BIN/wf-run" && -x "$WF_BIN/wf-provision" ]] || { echo "usage: $0 WF_BIN [N] [ROUNDS]" >&2; exit 64; }
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/wf-bench-feedback.XXXXXX")
trap 'rm -rf "$T"' EXIT
export WF_HISTORY=$T/history.db

# one FACTOR MODE ROUND: prints "FACTOR MODE makespan_s cpu_h gib_h decisions"
one() {
  local factor=$1 mode=$2 round=$3 d="$T/$1-$2-$3"
  mkdir -p "$d"
  export WF_LEDGER=$d/ledger.db  # a pool of its own: the leases of earlier runs do not count
  python3 "$here/control_stream.py" "$N" "$factor" >"$d/doc.json"
  "$WF_BIN/wf-provision" --provider local --scratch-root "$d/scratch" "$d/doc.json" >"$d/prov.json" 2>/dev/null
  local flags=()
  [[ $mode == resize ]] && flags=(--feedback resize --feedback-interval 2 --feedback-confirm 1)
  "$WF_BIN/wf-run" --run-root "$T/runs" --no-history --progress never "${flags[@]}" "$d/prov.json" >"$d/out.json" 2>"$d/err"
  jq -r --arg f "$factor" --arg m "$mode" --slurpfile p "$d/prov.json" '
    .run as $r | $p[0].provision as $l
    | if $r.feedback then [$r.feedback.capacity_held.cpu_hours, $r.feedback.capacity_held.mem_gib_hours, ($r.feedback.decisions | length)]
      else [$l.cpus * $r.elapsed_s / 3600, $l.mem_bytes / 1073741824 * $r.elapsed_s / 3600, 0] end
    | "\($f) \($m) \($r.elapsed_s) \(.[0]) \(.[1]) \(.[2])"' "$d/out.json"
}

for r in $(seq 1 "$ROUNDS"); do
  for f in 2 0.5; do
    for m in off resize; do one "$f" "$m" "$r"; done
  done
done >"$T/all.txt"

echo "chunks: $N, rounds: $ROUNDS, host: $(nproc) cpus"
printf '%-8s %-7s %12s %12s %12s %10s\n' factor mode makespan_s cpu_hours gib_hours decisions
sort -k1,1 -k2,2 "$T/all.txt" | awk '
  function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                     return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  function flush() { if (n) printf "%-8s %-7s %12.2f %12.6f %12.6f %10.1f\n", key1, key2, median(ms, n), median(ch, n), median(gh, n), median(dc, n); n = 0 }
  { if ($1 != key1 || $2 != key2) { flush(); key1 = $1; key2 = $2 } n++; ms[n] = $3; ch[n] = $4; gh[n] = $5; dc[n] = $6 }
  END { flush() }'
