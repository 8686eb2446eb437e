#!/usr/bin/env python3
"""Checks one LoadGen test folder of a cluster-test run (tests/cluster/cluster_test.sh).

    check_run.py DIR [--accuracy-log FILE] [--samples N] [--repeats K] [--balance PCT] [--event KIND URL]...
                     [--got-samples URL]... [--min-retries N] [--print-ttft]

DIR is a run folder (…/accuracy or …/performance/run_1) holding endpoints.json, report.html and
the MLPerf logs; --accuracy-log names the whole accuracy log (the results tree keeps only its
first 4,096 bytes, as MLPerf's truncate_accuracy_log.py does; the whole one is under logs/). Always: no sample failed, none failed for lack of an endpoint, and the SUT name
says "Network SUT". --samples N: the accuracy log holds every qsl index 0..N-1 exactly once (a
sample lost or reported twice fails), and the endpoints' answered samples add up to N.
--repeats K: the dataset is K prompts repeated, so samples i and i+K hold the same answer ids
(greedy replicas answer alike whichever served them, retries included).
--balance PCT: every active endpoint answered within PCT % of the mean. --event KIND URL: the
run's endpoint events have one of that kind for that endpoint, and report.html names it.
--got-samples URL: that endpoint answered samples. --min-retries N: at least N samples were
retried on another endpoint, and the detail log says why. --print-ttft: prints the summary's
TTFT p99 (ms) on stdout. Exits 1 with every failed check listed.
"""
import argparse
import html
import json
import os
import re
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--accuracy-log")
    ap.add_argument("--samples", type=int)
    ap.add_argument("--repeats", type=int)
    ap.add_argument("--balance", type=float)
    ap.add_argument("--event", nargs=2, action="append", default=[], metavar=("KIND", "URL"))
    ap.add_argument("--got-samples", action="append", default=[])
    ap.add_argument("--min-retries", type=int, default=0)
    ap.add_argument("--print-ttft", action="store_true")
    a = ap.parse_args()
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    def path(name):
        return os.path.join(a.dir, name)

    with open(path("endpoints.json")) as f:
        ep = json.load(f)
    totals = ep["totals"]
    by_url = {e["url"]: e for e in ep["endpoints"]}
    check(totals["failed"] == 0, f"{totals['failed']} samples failed")
    check(totals["no_endpoint_failures"] == 0,
          f"{totals['no_endpoint_failures']} samples found no endpoint")
    check("Network SUT" in ep["sut"], f"SUT name without 'Network SUT': {ep['sut']}")

    if a.samples is not None:
        with open(a.accuracy_log or path("mlperf_log_accuracy.json")) as f:
            log = json.load(f)
        seen = {}
        for entry in log:
            seen[entry["qsl_idx"]] = seen.get(entry["qsl_idx"], 0) + 1
        twice = sorted(i for i, n in seen.items() if n != 1)
        missing = sorted(set(range(a.samples)) - set(seen))
        check(not twice, f"qsl indices logged more than once: {twice[:10]}")
        check(not missing, f"qsl indices never logged: {missing[:10]} ({len(missing)} in all)")
        check(len(seen) == a.samples, f"{len(seen)} distinct qsl indices, expected {a.samples}")
        if a.repeats:
            data = {e["qsl_idx"]: e["data"] for e in log}
            differ = [i for i in data if i >= a.repeats and data[i] != data[i % a.repeats]]
            check(not differ, f"samples with the same prompt got different answers: {differ[:10]}")
            check(all(data.values()), "an answer without ids")
        answered = sum(e["samples"] for e in ep["endpoints"])
        check(answered == a.samples, f"endpoints answered {answered} samples, expected {a.samples}")

    if a.balance is not None:
        active = [e for e in ep["endpoints"] if e["state"] == "active"]
        mean = sum(e["samples"] for e in active) / max(1, len(active))
        for e in active:
            off = abs(e["samples"] - mean) / mean * 100 if mean else 100
            check(off <= a.balance,
                  f"{e['url']} answered {e['samples']} samples, {off:.1f}% off the mean {mean:.1f}")

    with open(path("report.html"), encoding="utf-8") as f:
        report = html.unescape(f.read())
    for kind, url in a.event:
        events = [e for e in ep["events"] if e["endpoint"] == url and e["event"] == kind]
        check(events, f"no '{kind}' event for {url} (events: "
              f"{[(e['event'], e['endpoint']) for e in ep['events']]})")
        check(kind in report and url in report, f"report.html does not name '{kind}' {url}")
    for url in a.got_samples:
        got = by_url.get(url, {}).get("samples", 0)
        check(got > 0, f"{url} answered no sample")

    if a.min_retries:
        check(totals["retries"] >= a.min_retries,
              f"{totals['retries']} retries, expected at least {a.min_retries}")
        with open(path("mlperf_log_detail.txt"), encoding="utf-8") as f:
            detail = f.read()
        check("taken out" in detail, "the detail log does not say an endpoint was taken out")

    if a.print_ttft:
        with open(path("mlperf_log_summary.txt"), encoding="utf-8") as f:
            summary = f.read()
        m = re.search(r"99\.00 percentile first token latency \(ns\)\s*:\s*(\d+)", summary)
        check(m is not None, "no TTFT p99 in mlperf_log_summary.txt")
        if m:
            print(f"{int(m.group(1)) / 1e6:.1f}")

    if failures:
        print(f"check_run.py {a.dir}:", file=sys.stderr)
        for f in failures:
            print(f"  FAILED: {f}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
