#!/usr/bin/env bash
# A loaded host, for real: two CPU-bound tasks run beside 3 × nproc busy loops. wf-run records
# with each attempt the host's runnable threads and CPUs; wf-predict learns the tasks' CPU use as
# it would be on an idle host (well above the share the loops left them), and --background
# history reads the loops back as the host's background. Bad --background values exit 64.
source "$(dirname "$0")/lib.sh"
need_bin wf-run wf-predict wf-history
need_cmd jq
make_tmp

cpus=$(nproc)
# The host's load is counted over all its online CPUs: every one of them must be ours to load.
online=$(getconf _NPROCESSORS_ONLN)
[ "$cpus" = "$online" ] || skip "this process may use $cpus of the host's $online CPUs"
loops=()
stop_loops() {
  [ ${#loops[@]} -eq 0 ] || { kill "${loops[@]}" 2>/dev/null || true; wait "${loops[@]}" 2>/dev/null || true; }
  loops=()
}
trap 'stop_loops; e2e_cleanup' EXIT
# Each loop ends by itself after two minutes, should this script be killed before its trap runs.
for _ in $(seq $((3 * cpus))); do
  timeout 120 sh -c 'while :; do :; done' >/dev/null 2>&1 </dev/null &
  loops+=("$!")
done

# About a third of a second of CPU each on an idle core.
spin='i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done'
cat >"$T/wf.yaml" <<EOF
name: loaded
tasks:
  - {id: spin-1, category: spin, run: '$spin', cpus: 1}
  - {id: spin-2, category: spin, run: '$spin', cpus: 1}
EOF
for _ in 1 2 3; do
  wf_run --cpus "$cpus" --sample-interval 0.05 -q "$T/wf.yaml" >/dev/null || fail "wf-run exited $?"
done
stop_loops

"$WF_BIN/wf-history" export --history "$T/history.db" --format json >"$T/rows.json" || fail "export exited $?"
assert_eq "$(jq '[.[] | select(.host_runnable == null or .host_cpus == null)] | length' "$T/rows.json")" 0 \
  "rows without a host load"
assert_eq "$(jq --argjson c "$online" '[.[] | select(.host_cpus != $c)] | length' "$T/rows.json")" 0 "host cpus"
loaded=$(jq '[.[] | select(.host_runnable > .host_cpus)] | length' "$T/rows.json")
[ "$loaded" -ge 3 ] || fail "only $loaded of 6 attempts saw more runnable threads than cpus: $(jq -c '[.[] | .host_runnable]' "$T/rows.json")"
# What the attempts measured: the share of a core the loops left them.
raw=$(jq '[.[] | .cpu_time_s / .runtime_s] | sort | .[length / 2 | floor]' "$T/rows.json")

"$WF_BIN/wf-predict" --history "$T/history.db" --cpus "$cpus" --background history --samples 20 "$T/wf.yaml" \
  >"$T/pred.json" 2>"$T/pred.err" || fail "wf-predict exited $?: $(cat "$T/pred.err")"
grep -q "runnable threads on .* CPUs besides the run's own" "$T/pred.err" || fail "no background note: $(cat "$T/pred.err")"
learned=$(jq '.prediction.tasks[0].cpus.p50' "$T/pred.json")
awk -v l="$learned" -v r="$raw" 'BEGIN { exit !(l > 1.5 * r && l <= 1.0001) }' ||
  fail "learned cpus p50 $learned against a measured median of $raw: not taken back to an idle host"
background=$(jq '.prediction.capacity.background_runnable' "$T/pred.json")
awk -v b="$background" -v n="$((3 * cpus))" 'BEGIN { exit !(b > n / 2 && b < 2 * n) }' ||
  fail "background $background for $((3 * cpus)) busy loops"
[ "$(jq '.prediction.contention_delay_s.p50 > 0' "$T/pred.json")" = true ] || fail "no time lost to the background"

# --cpus alone reads the background from history too (auto); --background none is an idle host.
"$WF_BIN/wf-predict" --history "$T/history.db" --cpus "$cpus" --samples 20 -q "$T/wf.yaml" >"$T/auto.json" ||
  fail "wf-predict (auto) exited $?"
assert_eq "$(jq '.prediction.capacity.background_runnable' "$T/auto.json")" "$background" "auto background"
assert_eq "$(jq '.prediction.capacity.host_cpus' "$T/auto.json")" "$online" "host cpus"
"$WF_BIN/wf-predict" --history "$T/history.db" --cpus "$cpus" --background none --samples 20 -q "$T/wf.yaml" >"$T/idle.json" ||
  fail "wf-predict (idle) exited $?"
assert_eq "$(jq '.prediction.capacity | has("background_runnable")' "$T/idle.json")" false "idle background"
[ "$(jq -n --slurpfile a "$T/idle.json" --slurpfile b "$T/pred.json" \
  '$a[0].prediction.makespan_s.p50 < $b[0].prediction.makespan_s.p50')" = true ] || fail "background did not lengthen the makespan"

# Usage errors.
rc=0
"$WF_BIN/wf-predict" --history "$T/history.db" --background history -q "$T/wf.yaml" >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 64 "--background without --cpus"
grep -q -- "--background: needs --cpus" "$T/err" || fail "message: $(cat "$T/err")"
rc=0
"$WF_BIN/wf-predict" --history "$T/history.db" --cpus 2 --background lots -q "$T/wf.yaml" >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 64 "--background lots"
grep -q "expected none, auto, history, THREADS or THREADS/HOST_CPUS, got 'lots'" "$T/err" || fail "message: $(cat "$T/err")"
