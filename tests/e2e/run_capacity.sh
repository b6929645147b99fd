#!/usr/bin/env bash
# 12 independent tasks of mixed cpus/memory under --cpus 2 --mem 1GiB: replaying the event stream
# (each task holds what its task_started event says from then until its end event), at no instant
# is more reserved than the capacity, and the run does reach two tasks at once.
source "$(dirname "$0")/lib.sh"
need_bin wf-run
need_cmd jq
make_tmp

{
  echo "name: capacity"
  echo "tasks:"
  for i in $(seq 1 12); do
    case $((i % 3)) in
      0) res="cpus: 1, mem: 512MiB" ;;    # two fit by cpus and memory
      1) res="cpus: 0.5, mem: 700MiB" ;;  # memory-bound: never beside another 700MiB
      2) res="cpus: 1, mem: 256MiB" ;;
    esac
    echo "  - {id: t$i, run: 'sleep 0.3', duration: 0.3s, $res}"
  done
} >"$T/wf.yaml"

wf_run --cpus 2 --mem 1GiB --no-history --events "$T/ev.jsonl" "$T/wf.yaml" >"$T/out.json" ||
  fail "wf-run exited $?"
assert_eq "$(jq -r .run.status "$T/out.json")" succeeded "run status"
assert_eq "$(jq -r .run.summary.succeeded "$T/out.json")" 12 "tasks succeeded"

# Replay: +demand at task_started, -demand at the attempt's end (finished, failed or retried).
# Outputs the peak cpus, peak memory and peak concurrency, and the first violation if any.
report=$(jq -rs '
  def ends: ["task_finished", "task_failed", "task_retried"];
  reduce .[] as $e ({cpus: 0, mem: 0, n: 0, held: {}, peak_cpus: 0, peak_mem: 0, peak_n: 0, bad: null};
    if $e.event == "task_started" then
      .held["\($e.task)#\($e.attempt)"] = {cpus: $e.cpus, mem: $e.mem_bytes}
      | .cpus += $e.cpus | .mem += $e.mem_bytes | .n += 1
      | .peak_cpus = ([.peak_cpus, .cpus] | max) | .peak_mem = ([.peak_mem, .mem] | max)
      | .peak_n = ([.peak_n, .n] | max)
      | if (.cpus > $e.capacity_cpus + 1e-9 or .mem > $e.capacity_mem_bytes) and .bad == null
        then .bad = "\($e.task) started with \(.cpus) cpus, \(.mem) bytes reserved" else . end
      | if ($e.reserved_cpus - .cpus | fabs) > 1e-9 or $e.reserved_mem_bytes != .mem
        then .bad = (.bad // "reserved_* of \($e.task) disagree with the replay") else . end
    elif ($e.event | IN(ends[])) then
      .held["\($e.task)#\($e.attempt)"] as $h
      | .cpus -= $h.cpus | .mem -= $h.mem | .n -= 1
    else . end)
  | "\(.peak_cpus) \(.peak_mem) \(.peak_n) \(.bad // "ok")"' "$T/ev.jsonl")
read -r peak_cpus peak_mem peak_n verdict <<<"$report"
note "peak reserved: $peak_cpus cpus, $peak_mem bytes, $peak_n tasks at once"
assert_eq "$verdict" ok "capacity replay"
((peak_n >= 2)) || fail "never more than $peak_n task at once under 2 cpus"
awk -v c="$peak_cpus" 'BEGIN { exit !(c <= 2 + 1e-9) }' || fail "peak cpus $peak_cpus > 2"
((peak_mem <= 1073741824)) || fail "peak memory $peak_mem > 1GiB"
assert_eq "$(jq '[.[] | select(.event == "task_started")] | length' -s "$T/ev.jsonl")" 12 "task_started events"
# The summary agrees with the replay.
assert_eq "$(jq .run.summary.peak_reserved_mem_bytes "$T/out.json")" "$peak_mem" "summary peak memory"
echo "$E2E_NAME: ok"
