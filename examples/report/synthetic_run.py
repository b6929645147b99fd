#!/usr/bin/env python3
"""A synthetic wf document of a large run, for wf-report at scale (the e2e test and the example).

    synthetic_run.py [--tasks N] [--slots S] [--seed K] > run.json

Five phases (fetch, align, sort, call, merge) of N/5 tasks each, task j of a phase needing task j
of the one before, run on S slots; runtimes and memory drawn around each category's forecast, a few
retries and anomalies. The document has every section wf-report draws: workflow, analysis
(critical path), prediction (timeline, peaks, makespan), plan (local and cloud), provision and run
(tasks with start offsets, history, deviations, usage samples, anomalies). Deterministic per seed.
"""
import argparse
import heapq
import json
import math
import random
import sys

PHASES = [  # category, runtime p50 s, memory p50 MiB, cpus
    ("fetch", 40, 200, 1),
    ("align", 300, 6000, 4),
    ("sort", 90, 2500, 2),
    ("call", 240, 3500, 2),
    ("merge", 30, 800, 1),
]
ORIGIN = 1795917600  # 2026-11-29T02:00:00Z


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule(tasks, slots, durations):
    """An event simulation of a list scheduler: whenever a slot is free, the ready task of the latest
    phase (finish chains first), then the lowest index, starts. Returns starts and ends by id."""
    phase = {c: k for k, (c, *_rest) in enumerate(PHASES)}
    children = {}
    for t in tasks:
        if t["parent"]:
            children.setdefault(t["parent"], []).append(t)
    ready = [(-phase[t["category"]], t["index"], t["id"]) for t in tasks if not t["parent"]]
    heapq.heapify(ready)
    running, starts, ends, now, free = [], {}, {}, 0.0, slots
    while ready or running:
        while free and ready:
            _, _, tid = heapq.heappop(ready)
            starts[tid] = now
            ends[tid] = now + durations[tid]
            heapq.heappush(running, (ends[tid], tid))
            free -= 1
        now, tid = heapq.heappop(running)
        free += 1
        for c in children.get(tid, []):
            heapq.heappush(ready, (-phase[c["category"]], c["index"], c["id"]))
    return starts, ends


def sample(intervals, step, end):
    """Sum of (start, end, value) intervals at the instants 0, step, 2 step, ... up to `end`."""
    n = int(end // step) + 1
    diff = [0.0] * (n + 1)
    for s, e, v in intervals:
        a, b = math.ceil(s / step), math.ceil(e / step)  # the samples i with s <= i step < e
        if a < b:
            diff[min(a, n)] += v
            diff[min(b, n)] -= v
    out, level = [], 0.0
    for i in range(n):
        level += diff[i]
        out.append(max(level, 0.0))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=100000)
    ap.add_argument("--slots", type=int, default=256)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    per_phase = max(1, args.tasks // len(PHASES))
    tasks = []
    for k, (cat, rt, mem, cpus) in enumerate(PHASES):
        for j in range(per_phase):
            tasks.append({"id": f"{cat}-{j:06d}", "index": j, "category": cat, "parent": f"{PHASES[k-1][0]}-{j:06d}" if k else None,
                          "p50_s": rt, "p50_mem": mem * 1048576, "cpus": cpus})
    measured = {t["id"]: t["p50_s"] * math.exp(rng.gauss(0.05, 0.35)) for t in tasks}
    rss = {t["id"]: t["p50_mem"] * math.exp(rng.gauss(-0.1, 0.3)) for t in tasks}
    retried = {t["id"] for t in tasks if rng.random() < 0.004}
    durations = {tid: measured[tid] + (measured[tid] * 0.4 + 5 if tid in retried else 0) for tid in measured}
    starts, ends = schedule(tasks, args.slots, durations)
    # The forecast: the same scheduler over runtimes drawn around each p50 (as one Monte Carlo sample
    # of the simulator would), so its timeline is not a lockstep of identical tasks.
    p50_starts, p50_ends = schedule(tasks, args.slots, {t["id"]: t["p50_s"] * math.exp(rng.gauss(0, 0.3)) for t in tasks})
    makespan = max(ends.values())
    makespan_p50 = max(p50_ends.values())

    wf = {"name": f"variant-calling-{len(tasks)}", "tasks": [
        {"id": t["id"], "category": t["category"], "run": f"{t['category']} {t['id']}", **({"needs": [t["parent"]]} if t["parent"] else {})}
        for t in tasks]}
    # The critical path: the chain through the task that ended last.
    last = max(ends, key=lambda tid: (ends[tid], tid))
    by_id = {t["id"]: t for t in tasks}
    chain = [last]
    while by_id[chain[-1]]["parent"]:
        chain.append(by_id[chain[-1]]["parent"])
    chain.reverse()
    analysis = {"tasks": len(tasks), "critical_path": {"length_s": round(sum(t["p50_s"] for t in (by_id[c] for c in chain)), 3), "tasks": chain}}

    step = max(1.0, math.ceil(makespan_p50 * 1.1 / 300))
    fc_int = [(p50_starts[t["id"]], p50_ends[t["id"]], t["cpus"]) for t in tasks]
    fm_int = [(p50_starts[t["id"]], p50_ends[t["id"]], t["p50_mem"] * 1.25) for t in tasks]
    fio_int = [(p50_starts[t["id"]], p50_ends[t["id"]], 6e8 / t["p50_s"]) for t in tasks]
    fc, fm, fio = (sample(x, step, makespan_p50) for x in (fc_int, fm_int, fio_int))
    points = [{"t_s": i * step,
               "tasks": {"p50": fc[i], "p95": fc[i]},
               "reserved_cpus": {"p50": fc[i], "p95": min(args.slots * 4, fc[i] * 1.12)},
               "reserved_mem_bytes": {"p50": round(fm[i]), "p95": round(fm[i] * 1.2)},
               "used_cpus": {"p50": fc[i] * 0.8, "p95": fc[i] * 0.95},
               "used_mem_bytes": {"p50": round(fm[i] * 0.7), "p95": round(fm[i] * 0.9)},
               "io_bytes_per_s": {"p50": round(fio[i]), "p95": round(fio[i] * 1.3)}} for i in range(len(fc))]
    peak = lambda key, q: max(p[key][q] for p in points)
    prediction = {"seed": 1, "samples": 100, "concurrency": 1, "stagger_s": 0,
                  "makespan_s": {"p50": round(makespan_p50, 3), "p95": round(makespan_p50 * 1.12, 3)},
                  "peaks": {k: {"p50": peak(k, "p50"), "p95": peak(k, "p95")}
                            for k in ("tasks", "reserved_cpus", "reserved_mem_bytes", "used_cpus", "used_mem_bytes", "io_bytes_per_s")},
                  "timeline": {"step_s": step, "points": points}}
    cap_cpus = math.ceil(prediction["peaks"]["reserved_cpus"]["p95"])
    cap_mem = math.ceil(prediction["peaks"]["reserved_mem_bytes"]["p95"] * 1.1)
    hours = makespan_p50 * 1.12 / 3600
    base = math.ceil(cap_cpus * 0.6 / 128)
    peak_count = math.ceil((cap_cpus - base * 128) / 64)
    items = [{"instance_type": "c6i.32xlarge", "region": "eu-west-1", "option": "on-demand", "count": base, "start_s": 0,
              "end_s": round(makespan_p50 * 1.12), "vcpu": 128, "mem_bytes": 274877906944, "usd_per_hour": 5.44,
              "compute_usd": round(base * 5.44 * hours, 4), "why": "the base of the demand, held for the whole run"},
             {"instance_type": "m6i.16xlarge", "region": "eu-west-1", "option": "spot", "count": peak_count, "start_s": 0,
              "end_s": round(makespan_p50 * 0.97), "vcpu": 64, "mem_bytes": 274877906944, "usd_per_hour": 1.21,
              "compute_usd": round(peak_count * 1.21 * hours * 0.87, 4), "interruption_usd": 0.41, "interruption_bucket": "5-10%",
              "why": "the rest of the peak, on spot until the tail: its interruptions cost less than on-demand"}]
    total = round(sum(i["compute_usd"] for i in items) + 0.41, 4)
    plan = {"provider": "local", "quantile": "p95",
            "demand": {"peak_cpus": cap_cpus, "peak_mem_bytes": cap_mem, "makespan_s": prediction["makespan_s"]["p95"]},
            "local": {"cpus": cap_cpus, "mem_bytes": cap_mem, "machine_cpus": 512, "machine_mem_bytes": 2199023255552,
                      "why": ["forecast p95 peak covered, +10% on memory"]},
            "cloud": {"region": "eu-west-1", "items": items, "compute_usd": total - 0.41, "interruption_usd": 0.41, "transfer_usd": 0,
                      "total_usd": total, "lower_bound_usd": round(total * 0.83, 4), "ratio_to_bound": round(1 / 0.83, 4),
                      "naive": {"region": "eu-west-1", "total_usd": round(total * 2.6, 4), "what": "the forecast peak, on-demand, held for the whole run"},
                      "ratio_to_naive": round(1 / 2.6, 4), "billing": "per-second", "why": "two large on-demand instances for the base, spot for the peak",
                      "notes": []}}
    provision = {"run_id": "variant-calling-20261129T020000Z-7c1e", "cpus": cap_cpus, "mem_bytes": cap_mem,
                 "resources": [{"id": "res-01J9X", "provider": "local", "kind": "lease", "provider_id": "res-01J9X", "state": "active",
                                "spec": {"cpus": cap_cpus, "mem_bytes": cap_mem}, "resource": {}, "ttl_s": 86400}]}

    run_tasks, anomalies, cpu_s = [], [], 0.0
    attempts_all = []
    for t in tasks:
        tid = t["id"]
        reserved = {"cpus": t["cpus"], "mem_bytes": round(t["p50_mem"] * 1.25)}
        def attempt(start, runtime, status, peak_rss):
            return {"status": status, "started_at": iso(ORIGIN + start), "start_offset_s": round(start, 3), "runtime_s": round(runtime, 3),
                    "cpu_time_s": round(runtime * t["cpus"] * 0.82, 3), "peak_rss_bytes": round(peak_rss), "read_bytes": 2 * 10**9 // 5,
                    "write_bytes": 10**9 // 5, "reserved": reserved}
        hist = []
        start = starts[tid]
        if tid in retried:
            first = measured[tid] * 0.4
            hist.append(attempt(start, first, "failed", reserved["mem_bytes"]))
            start += first + 5
        last_attempt = attempt(start, measured[tid], "succeeded", rss[tid])
        hist.append(last_attempt)
        attempts_all.extend(hist)
        entry = {"id": tid, "status": "succeeded", "attempts": len(hist), "command": f"{t['category']} {tid}", "measured": last_attempt}
        if len(hist) > 1:
            entry["history"] = hist
        rt, mem = measured[tid], rss[tid]
        entry["deviation"] = {
            "runtime_s": {"measured": round(rt, 3), "p50": t["p50_s"], "p95": round(t["p50_s"] * 1.8, 3), "ratio": round(rt / t["p50_s"], 3),
                          "above_p95": rt > t["p50_s"] * 1.8},
            "mem_bytes": {"measured": round(mem), "p50": t["p50_mem"], "p95": round(t["p50_mem"] * 1.6), "ratio": round(mem / t["p50_mem"], 3),
                          "above_p95": mem > t["p50_mem"] * 1.6}}
        if rt > t["p50_s"] * 2.6 or mem > t["p50_mem"] * 2.0:
            measure = "runtime_s" if rt > t["p50_s"] * 2.6 else "mem_bytes"
            value, expected = (round(rt, 3), round(t["p50_s"] * 1.8, 3)) if measure == "runtime_s" else (round(mem), round(t["p50_mem"] * 1.6))
            anomalies.append({"task": tid, "measure": measure, "value": value, "expected": expected,
                              "why": f"{value / expected:.1f}x the forecast p95"})
        entry["log"] = f"logs/{tid}.err"
        run_tasks.append(entry)
    interval = max(1.0, math.ceil(makespan / 400))
    ivs = [(a["start_offset_s"], a["start_offset_s"] + a["runtime_s"], a) for a in attempts_all]
    u_run = sample([(s, e, 1) for s, e, a in ivs], interval, makespan)
    u_cpu = sample([(s, e, a["reserved"]["cpus"]) for s, e, a in ivs], interval, makespan)
    u_mem = sample([(s, e, a["reserved"]["mem_bytes"]) for s, e, a in ivs], interval, makespan)
    u_rss = sample([(s, e, a["peak_rss_bytes"]) for s, e, a in ivs], interval, makespan)
    u_used = sample([(s, e, a["cpu_time_s"] / max(a["runtime_s"], 1e-9)) for s, e, a in ivs], interval, makespan)
    u_rd = sample([(s, e, a["read_bytes"] / max(a["runtime_s"], 1e-9)) for s, e, a in ivs], interval, makespan)
    u_wr = sample([(s, e, a["write_bytes"] / max(a["runtime_s"], 1e-9)) for s, e, a in ivs], interval, makespan)
    usage = {"interval_s": interval, "points": [
        {"t_s": i * interval, "running": round(u_run[i]), "reserved_cpus": u_cpu[i], "reserved_mem_bytes": round(u_mem[i]),
         "rss_bytes": round(u_rss[i] * 0.85), "cpus": round(u_used[i], 2), "read_bytes_per_s": round(u_rd[i]), "write_bytes_per_s": round(u_wr[i])}
        for i in range(len(u_run))]}
    run = {"id": provision["run_id"], "executor": "local", "status": "succeeded", "started_at": iso(ORIGIN),
           "finished_at": iso(ORIGIN + makespan), "elapsed_s": round(makespan, 3), "run_dir": "/var/lib/wf/runs/x", "workdir": "/scratch/x",
           "capacity": {"cpus": cap_cpus, "mem_bytes": cap_mem, "source": "provision"},
           "summary": {"succeeded": len(tasks), "failed": 0, "not_run": 0, "retried": len(retried),
                       "peak_reserved_cpus": max(u_cpu), "peak_reserved_mem_bytes": round(max(u_mem)), "peak_rss_bytes": round(max(u_rss) * 0.85),
                       "sampling": {"interval_s": 1, "samples": int(makespan), "cpu_s": round(makespan * 0.002, 3),
                                    "overhead_percent_of_one_core": 0.2}},
           "tasks": run_tasks, "usage": usage, "anomalies": anomalies}
    doc = {"apiVersion": "wf/v1", "workflow": wf, "analysis": analysis, "prediction": prediction, "plan": plan, "provision": provision, "run": run}
    json.dump(doc, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
