#!/usr/bin/env bash
# The executor's own cost per task: a 10,000-task layered DAG of no-op commands (`true`), two at a
# time, run by wf-run (without history, with an empty history and with a history seeded by an
# earlier run of the same workflow; each with its default in-run observers and with --no-alerts),
# ninja -j2 and make -j2, interleaved REPS times; prints the best and the median wall
# time, the median CPU time (user+system of the tool and its tasks), µs per task, the ratios to
# ninja and the observers' cost (alerts on / --no-alerts). Figures only, no asserts. On a shared
# machine the best wall time and the CPU time are the steadier figures: others' load only ever adds.
#
# usage: run_overhead.sh [WF_BIN] [N] [REPS]     (or env WF_BIN, N, REPS)
#        BASELINE_BIN=DIR also runs DIR/wf-run (an older build) in the same rounds, for before/after.
#
# Fairness: every tool starts one process per task, respects the same DAG and runs 2 at a time.
#   - ninja: one edge per task, `command = true`, the parents' outputs as implicit inputs. No output
#     is ever created, so every edge is dirty and runs once; ninja runs it as `/bin/sh -c true`
#     (dash, `true` builtin: one exec) and appends each edge to .ninja_log — its own record.
#   - make: one rule per task, its parents as prerequisites, recipe `true` (no shell syntax, so
#     make execs it directly); targets are never created, so each is made once.
#   - wf-run: the workflow itself (tasks `true`, executed directly), --cpus 2, so 2 run at a time;
#     it also measures every task (wait4 rusage, /proc samples), writes two log files, the journal
#     and, with history, one history row per task. By default it also judges every finished task
#     for anomalies (alerts on); the `-no-alerts` rows pass --no-alerts. An empty history gives the
#     alerts no baseline, so nothing is judged; the seeded history (N rows, 7 categories, a copy
#     made before each run) gives runtime and memory baselines, so every task is judged, as in a
#     workflow run again. The workflow carries no prediction, so --feedback stays off throughout.
set -euo pipefail
WF_BIN=${1:-${WF_BIN:-}}
N=${2:-${N:-10000}}
REPS=${3:-${REPS:-3}}
[[ -x "$WF_BIN/wf-run" ]] || { echo "usage: $0 WF_BIN [N] [REPS]  (no wf-run in '$WF_BIN')" >&2; exit 64; }
WF_BIN=$(cd "$WF_BIN" && pwd)  # every tool runs from its own directory
if [[ -n "${BASELINE_BIN:-}" ]]; then BASELINE_BIN=$(cd "$BASELINE_BIN" && pwd); fi
here=$(cd "$(dirname "$0")" && pwd)
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 69; }
if ! command -v ninja >/dev/null; then
  echo "ninja not found: apt-get install ninja-build" >&2
  exit 69
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/wf-bench-overhead.XXXXXX")
trap 'rm -rf "$T"' EXIT
python3 "$here/gen_layered.py" "$N" --cmd true >"$T/wf.json"

# build.ninja and Makefile from the same workflow.
python3 - "$T/wf.json" "$T" <<'EOF'
import json, sys
wf = json.load(open(sys.argv[1]))
out = sys.argv[2]
with open(out + "/build.ninja", "w") as f:
    f.write("rule r\n  command = true\n\n")
    for t in wf["tasks"]:
        deps = " ".join(t.get("needs", []))
        f.write("build %s: r%s\n" % (t["id"], (" | " + deps) if deps else ""))
    f.write("default " + " ".join(t["id"] for t in wf["tasks"]) + "\n")
with open(out + "/Makefile", "w") as f:
    f.write("all: " + " ".join(t["id"] for t in wf["tasks"]) + "\n\n")
    for t in wf["tasks"]:
        f.write("%s: %s\n\ttrue\n" % (t["id"], " ".join(t.get("needs", []))))
EOF

# run NAME DIR COMMAND...: one timed run in a fresh DIR; appends "NAME wall_s cpu_s" to $T/times,
# cpu_s being the user+system time of the tool and every process it waited for (its tasks).
run() {
  local name=$1 dir=$2
  shift 2
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && /usr/bin/time -f "%e %U %S" -o "$T/time.out" "$@" >/dev/null 2>"$T/$name.err") ||
    { echo "$name failed:" >&2; tail -5 "$T/$name.err" >&2; exit 1; }
  awk -v name="$name" '{ printf "%s %.3f %.3f\n", name, $1, $2 + $3 }' "$T/time.out" >>"$T/times"
}

wf=("$WF_BIN/wf-run" --cpus 2 --progress never -q --run-root "$T/runs")
: >"$T/times"
base=()
[[ -n ${BASELINE_BIN:-} ]] && base=("$BASELINE_BIN/wf-run" --cpus 2 --progress never -q --run-root "$T/runs")
# The seed: one untimed run with history, its N rows the baselines of the seeded configurations.
"${wf[@]}" --history "$T/seed.db" "$T/wf.json" >/dev/null 2>"$T/seed.err" ||
  { echo "seeding the history failed:" >&2; tail -5 "$T/seed.err" >&2; exit 1; }
rm -rf "$T/runs"
# pair NAME HISTORY ARGS...: NAME (alerts on) and NAME-no-alerts, in a fresh run directory each;
# HISTORY is none, empty (a new database) or seeded (a fresh copy of the seed). The order of the
# two alternates from round to round, so neither always runs first.
pair() {
  local name=$1 history=$2 alerts
  shift 2
  local order=(on off)
  ((rep % 2)) || order=(off on)
  for alerts in "${order[@]}"; do
    local label=$name flags=("$@")
    [[ $alerts == off ]] && label=$name-no-alerts flags+=(--no-alerts)
    rm -f "$T/$label.db" "$T/$label.db-wal" "$T/$label.db-shm"
    case $history in
      none) flags+=(--no-history) ;;
      empty) flags+=(--history "$T/$label.db") ;;
      seeded) cp "$T/seed.db" "$T/$label.db" && flags+=(--history "$T/$label.db") ;;
    esac
    run "$label" "$T/$label" "${wf[@]}" "${flags[@]}" "$T/wf.json"
  done
}
for rep in $(seq 1 "$REPS"); do
  pair wf-run-no-history none
  pair wf-run-history empty
  rows=$(sqlite3 "$T/wf-run-history.db" "SELECT count(*) FROM executions" 2>/dev/null || echo "?")
  [[ $rows == "$N" || $rows == "?" ]] || echo "warning: history holds $rows rows, not $N" >&2
  pair wf-run-seeded seeded
  if ((${#base[@]})); then
    run baseline-no-history "$T/b1" "${base[@]}" --no-history "$T/wf.json"
    run baseline-history "$T/b2" "${base[@]}" --history "$T/b2/history.db" "$T/wf.json"
  fi
  run ninja "$T/n" ninja -j2 -f "$T/build.ninja"
  run make "$T/m" make -j2 -f "$T/Makefile"
  rm -rf "$T/runs"
done

echo "run_overhead: $N tasks (layered DAG, \`true\`), 2 at a time, $REPS rounds; $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v n="$N" '
  { wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " $3; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  function sorted(list, a,   m, i, j, x) {
    m = split(list, a, " ")
    for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return m
  }
  function median(list,   a, m) { m = sorted(list, a); return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  function least(list,   a) { sorted(list, a); return a[1] }
  END {
    for (i = 1; i <= k; i++) { b[order[i]] = least(wall[order[i]]); w[order[i]] = median(wall[order[i]]); c[order[i]] = median(cpu[order[i]]) }
    printf "%-28s %7s %8s %7s %8s %7s %8s %7s   %s\n", "tool", "best_s", "us/task", "/ninja", "median_s", "/ninja",
           "cpu_s", "/ninja", "wall of each run"
    for (i = 1; i <= k; i++) {
      name = order[i]
      printf "%-28s %7.3f %8.1f %7.2f %8.3f %7.2f %8.3f %7.2f  %s\n", name, b[name], b[name] / n * 1e6, b[name] / b["ninja"],
             w[name], w[name] / w["ninja"], c[name], c[name] / c["ninja"], wall[name]
    }
    # The observers cost: each default configuration (alerts on) over the same one with --no-alerts.
    for (i = 1; i <= k; i++) {
      name = order[i]
      if ((name "-no-alerts") in b)
        printf "alerts on / --no-alerts, %-18s best wall %.3f, median wall %.3f, cpu %.3f\n", name ":",
               b[name] / b[name "-no-alerts"], w[name] / w[name "-no-alerts"], c[name] / c[name "-no-alerts"]
    }
  }' "$T/times"
