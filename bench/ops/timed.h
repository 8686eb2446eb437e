// The timing loop shared by the ops benchmarks: runs a step in the Google Benchmark loop and
// reports its throughput per wall-clock second and as percentages of the ceilings probed right
// before it (same process, same moment; see ceilings.h), both by wall clock and by CPU time.
#pragma once

#include <benchmark/benchmark.h>

#include "ceilings.h"

namespace infermark::bench {

// bytes / flops / items: per step. Counters:
//   GB/s, GFLOP/s, tok/s (items)      wall-clock rates
//   %bw, %fma, %fma512                 wall-clock rate / wall-clock ceiling
//   %bw_cpu, %fma_cpu, %fma512_cpu     per-CPU-second rate / per-CPU-second ceiling (stable
//                                      when other processes share the cores)
//   cpu_share                          CPU-seconds used / (wall seconds × pool threads)
template <typename F>
void run_timed(benchmark::State& st, Probe& probe, int threads, double bytes, double flops,
               double items, F&& step) {
  const Ceilings c = probe.measure();
  const Stopwatch sw;
  for (auto _ : st) step();
  const double n = static_cast<double>(st.iterations());
  const Rate gb = sw.rate(bytes * n / 1e9), gflop = sw.rate(flops * n / 1e9);
  st.counters["GB/s"] = gb.per_s;
  st.counters["GFLOP/s"] = gflop.per_s;
  st.counters["tok/s"] = items * n / sw.wall_seconds();
  auto pct = [&](const char* name, Rate r, Rate ceiling) {
    if (ceiling.per_s <= 0) return;
    st.counters[name] = r.per_s / ceiling.per_s * 100;
    st.counters[std::string(name) + "_cpu"] = r.per_cpu_s / ceiling.per_cpu_s * 100;
  };
  if (bytes > 0) pct("%bw", gb, c.read_gb);
  if (flops > 0) {
    pct("%fma", gflop, c.fma_gflop);
    pct("%fma512", gflop, c.fma512_gflop);
  }
  st.counters["cpu_share"] = sw.cpu_seconds() / (sw.wall_seconds() * threads);
}

}  // namespace infermark::bench
