#!/usr/bin/env python3
"""Turns a Google Benchmark JSON file from matmul_bench / ops_bench (run with
--benchmark_repetitions=N --benchmark_out=FILE --benchmark_out_format=json) into the markdown
tables of docs/benchmarks.md: the median of each counter over the repetitions.

Usage: summarize.py FILE.json
"""
import json
import sys

COLUMNS = [("GB/s", "GB/s", 2), ("%bw", "%bw", 0), ("%bw_cpu", "%bw cpu", 0),
           ("GFLOP/s", "GFLOP/s", 1), ("%fma", "%fma", 0), ("%fma_cpu", "%fma cpu", 0),
           ("%fma512_cpu", "%fma512 cpu", 0), ("tok/s", "tok/s", 1), ("cpu_share", "cpu share", 2)]


def main(path):
    with open(path) as f:
        data = json.load(f)
    rows = [b for b in data["benchmarks"] if b.get("aggregate_name") == "median"]
    if not rows:  # a run without repetitions
        rows = data["benchmarks"]
    ctx = data["context"]
    print(f"context: {ctx.get('date')}, {ctx.get('num_cpus')} CPUs, threads {ctx.get('threads')}, "
          f"cpu_isa {ctx.get('cpu_isa', '?')}")
    used = [c for c in COLUMNS if any(c[0] in r for r in rows)]
    print("| benchmark | time (ms) | " + " | ".join(c[1] for c in used) + " |")
    print("|---|---:|" + "---:|" * len(used))
    for r in rows:
        name = r.get("run_name", r["name"]).replace("/real_time", "")
        t = r["real_time"] * {"ms": 1, "us": 1e-3, "ns": 1e-6, "s": 1e3}[r["time_unit"]]
        cells = []
        for key, _, digits in used:
            v = r.get(key)
            cells.append("" if v is None else f"{v:.{digits}f}")
        print(f"| {name} | {t:.3f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
