#!/usr/bin/env python3
"""Generates a large layered DAG as a native wf workflow (JSON): N tasks in layers of W, each task
needing about D tasks of the previous layer. Deterministic for a given seed.

usage: gen_layered.py N [--width W] [--deps D] [--seed S] [--cmd CMD] > wf.json
"""
import argparse
import json
import random
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--width", type=int, default=0, help="tasks per layer (default: sqrt-ish of n)")
    ap.add_argument("--deps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cmd", default="true")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    width = args.width or max(1, int(args.n ** 0.5))
    out = sys.stdout
    out.write('{"name":"layered-%d","tasks":[\n' % args.n)
    for i in range(args.n):
        layer, pos = divmod(i, width)
        task = {"id": "t%d" % i, "run": args.cmd, "category": "c%d" % (i % 7),
                "duration_s": 1 + (i * 7919) % 13, "cpus": 1, "mem_bytes": (64 + (i % 5) * 32) << 20}
        if layer > 0:
            prev = range((layer - 1) * width, layer * width)
            task["needs"] = ["t%d" % p for p in sorted(rng.sample(prev, min(args.deps, width)))]
        out.write(json.dumps(task, separators=(",", ":")))
        out.write(",\n" if i + 1 < args.n else "\n")
    out.write("]}\n")


if __name__ == "__main__":
    main()
