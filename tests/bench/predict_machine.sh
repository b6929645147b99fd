#!/usr/bin/env bash
# wf-predict against this machine, for real: run a workflow a few times with wf-run (each run goes
# into a fresh history), predict the next run from that history, run it, and compare the forecast
# (p50 / p95 of the makespan and of the peak memory, the sum of the running tasks' RSS) with what
# wf-run measured. Everything lives in a temporary directory: history, run root, documents.
#
#   tests/bench/predict_machine.sh BIN_DIR [WORKFLOW]
#   WF_MACHINE_TRAIN=5 WF_MACHINE_TEST=3 tests/bench/predict_machine.sh build/bin
#   WF_MACHINE_LOAD=8 tests/bench/predict_machine.sh build/bin   # 8 busy loops beside every run
#
# WF_MACHINE_LOAD=N starts N CPU-bound loops for the whole benchmark (stopped at its end), a
# loaded machine that can be reproduced. The forecast is made twice: with --background history
# (the load the training runs recorded goes on; the one that is compared) and --background none
# (an idle machine), so the contention model's share of the error is in plain view.
#
# WORKFLOW defaults to examples/sample-stats.yaml (python3: real CPU and memory work). Both tools
# get the same capacity (--cpus, default: this machine's cores), so the simulated schedule is the
# one wf-run follows. Figures are printed, never asserted: the machine may be shared, and its
# load moves both the runs and the forecast's error.
set -euo pipefail

bin=${1:-${WF_BIN:-}}
[ -n "$bin" ] && [ -x "$bin/wf-run" ] && [ -x "$bin/wf-predict" ] ||
  { echo "usage: $0 BIN_DIR [WORKFLOW] (or WF_BIN=BIN_DIR): needs wf-run and wf-predict there" >&2; exit 64; }
command -v python3 >/dev/null || { echo "$0: needs python3 (the example's tasks, and reading the documents)" >&2; exit 69; }
here=$(cd "$(dirname "$0")" && pwd)
workflow=${2:-$here/../../examples/sample-stats.yaml}
train=${WF_MACHINE_TRAIN:-3}
test_runs=${WF_MACHINE_TEST:-1}
cpus=${WF_MACHINE_CPUS:-$(nproc)}
load=${WF_MACHINE_LOAD:-0}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wf-predict-machine.XXXXXX")
loops=()
cleanup() {
  [ ${#loops[@]} -eq 0 ] || { kill "${loops[@]}" 2>/dev/null || true; wait "${loops[@]}" 2>/dev/null || true; }
  if [ -n "${WF_MACHINE_KEEP:-}" ]; then echo "kept: $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
for _ in $(seq "$load"); do
  sh -c 'while :; do :; done' > /dev/null 2>&1 < /dev/null &
  loops+=("$!")
done
common=(--history "$tmp/history.db" --cpus "$cpus")
run=("$bin/wf-run" "${common[@]}" --run-root "$tmp/runs" --sample-interval 0.2 --progress never -q)

# "elapsed_s peak_rss_bytes" of a wf-run document.
measured() {
  python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["run"]
print(r["elapsed_s"], r["summary"]["peak_rss_bytes"], r["status"])' "$1"
}
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }

echo "predict_machine: $(basename "$workflow"), $cpus cpus, $(nproc) cores, $load busy loops, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$train"); do
  "${run[@]}" "$workflow" > "$tmp/train-$i.json"
  read -r wall rss status < <(measured "$tmp/train-$i.json")
  echo "training run $i: $status, makespan ${wall} s, peak RSS $(mib "$rss") MiB"
done

"$bin/wf-predict" "${common[@]}" --samples 200 --background none -q "$workflow" > "$tmp/idle.json"
"$bin/wf-predict" "${common[@]}" --samples 200 --background history "$workflow" > "$tmp/predicted.json" 2> "$tmp/predict.err"
sed -n 's/^wf-predict: note: /  /p' "$tmp/predict.err"
read -r idle50 idle95 < <(python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["prediction"]
print(p["makespan_s"]["p50"], p["makespan_s"]["p95"])' "$tmp/idle.json")
echo "forecast for an idle machine (--background none): makespan p50 ${idle50} s, p95 ${idle95} s"
read -r ms50 ms95 mem50 mem95 sources < <(python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["prediction"]
src = {}
for t in p["tasks"]:
    s = t["provenance"]["runtime"]["source"]
    src[s] = src.get(s, 0) + 1
print(p["makespan_s"]["p50"], p["makespan_s"]["p95"], p["peaks"]["used_mem_bytes"]["p50"],
      p["peaks"]["used_mem_bytes"]["p95"], ",".join(f"{k}:{v}" for k, v in sorted(src.items())))' "$tmp/predicted.json")
echo "forecast (--background history): makespan p50 ${ms50} s, p95 ${ms95} s; peak memory p50 $(mib "$mem50") MiB, p95 $(mib "$mem95") MiB (runtime estimates from $sources)"

printf '%-10s %12s %12s %12s %10s %10s %10s\n' test makespan_s vs_p50 "<=p95" peak_MiB vs_p50 "<=p95"
for i in $(seq "$test_runs"); do
  "${run[@]}" "$tmp/predicted.json" > "$tmp/test-$i.json"
  read -r wall rss status < <(measured "$tmp/test-$i.json")
  [ "$status" = succeeded ] || echo "test run $i: $status"
  awk -v i="$i" -v w="$wall" -v r="$rss" -v m50="$ms50" -v m95="$ms95" -v r50="$mem50" -v r95="$mem95" 'BEGIN {
    printf "%-10s %12.2f %+11.0f%% %12s %10.0f %+9.0f%% %10s\n", "run " i, w, 100 * (m50 - w) / w, (w <= m95 ? "yes" : "no"),
      r / 1048576, 100 * (r50 - r) / r, (r <= r95 ? "yes" : "no") }'
  python3 -c 'import json, sys
cats = {}
for t in json.load(open(sys.argv[1]))["run"]["tasks"]:
    d = t.get("deviation", {}).get("runtime_s")
    if d:
        c = cats.setdefault(t["id"].rstrip("0123456789-"), [0, 0, 0, 0, 0])
        c[0] += 1; c[1] += t["measured"]["runtime_s"]; c[2] += d["measured"]; c[3] += d["p50"]; c[4] += d["p95"]
# The forecast per task is of an idle host: the deviation measures an attempt on its idle-host runtime.
print("  runtime by task kind (mean measured / as on an idle host / p50 / p95 s): " + "; ".join(
    f"{k} {m / n:.2f} / {i / n:.2f} / {p50 / n:.2f} / {p95 / n:.2f}" for k, (n, m, i, p50, p95) in sorted(cats.items())))' "$tmp/test-$i.json"
done
