#!/usr/bin/env python3
"""A stream workflow for the feedback tests and benchmark, as a wf document on stdout.

control_stream.py N FACTOR: N chunks, fetch_i (sleep 0.25 s, after fetch_{i-1}) feeding work_i,
with a `prediction` section as history would give it: workers take 1 s and 30 MiB at p50 and
reserve 0.25 cpus (p95), so about four run at once and wf-provision leases 1.1 cpus. The workers'
commands really take FACTOR times that: dd touching a buffer of FACTOR x 22 MiB (the task's peak
memory), then sleep (no interpreter: its start-up time would blur the factor on a busy machine).
"""
import json, sys
n, factor = int(sys.argv[1]), float(sys.argv[2])
fetch_s, work_s, mb = 0.25, 1.0, 1 << 20
work_mem, fetch_mem = 23.5 * mb, 6.3 * mb  # as measured at FACTOR 1: dd's buffer and its own 1 MiB; sh + sleep
def q(p50, spread):
    return {"p50": p50, "p90": p50 * (1 + spread / 2), "p95": p50 * (1 + spread), "p99": p50 * (1 + 2 * spread)}
tasks, pred = [], []
for i in range(n):
    tasks.append({"id": f"fetch{i}", "category": "fetch", "run": f"sleep {fetch_s}",
                  **({"needs": [f"fetch{i-1}"]} if i else {})})
    hold = int(22 * factor * mb)
    tasks.append({"id": f"work{i}", "category": "work", "needs": [f"fetch{i}"],
                  "run": f"dd if=/dev/zero of=/dev/null bs={hold} count=1 2>/dev/null; sleep {work_s * factor:g}"})
    pred.append({"id": f"fetch{i}", "runtime_s": q(fetch_s, 0.2), "cpus": q(0.1, 0), "mem_bytes": q(fetch_mem, 0.2)})
    pred.append({"id": f"work{i}", "runtime_s": q(work_s, 0.2), "cpus": q(0.25, 0), "mem_bytes": q(work_mem, 0.2)})
at_once = round(work_s / fetch_s)  # workers running at once
peak_cpus = at_once * 0.25 + 0.1
peak_mem = at_once * work_mem * 1.2 + fetch_mem * 1.2
makespan = n * fetch_s + work_s
doc = {"apiVersion": "wf/v1",
       "workflow": {"name": "stream", "tasks": tasks},
       "prediction": {"seed": 1, "samples": 1,
                      "makespan_s": {"p50": makespan, "p95": makespan * 1.1},
                      "peaks": {"reserved_cpus": {"p50": peak_cpus, "p95": peak_cpus},
                                "reserved_mem_bytes": {"p50": peak_mem, "p95": peak_mem}},
                      "tasks": pred}}
json.dump(doc, sys.stdout, indent=1)
