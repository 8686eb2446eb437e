// The timing loop shared by the ops benchmarks: runs a step in the Google Benchmark loop under a
// wall clock and reports throughput both per second and as a percentage of the ceilings probed
// right before (same process, same moment; see ceilings.h).
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>

#include "ceilings.h"

namespace infermark::bench {

// bytes / flops / items: per step. Counters: GB/s, %bw, GFLOP/s, %fma, items/s ("tok/s"), and
// the probed ceilings bw_ceil (GB/s) and fma_ceil (GFLOP/s).
template <typename F>
void run_timed(benchmark::State& st, QuickProbe& probe, double bytes, double flops, double items,
               F&& step) {
  const Ceilings c = probe.measure();
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : st) step();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double n = static_cast<double>(st.iterations());
  st.counters["GB/s"] = bytes * n / secs / 1e9;
  st.counters["%bw"] = bytes * n / secs / 1e9 / c.read_gbps * 100;
  st.counters["GFLOP/s"] = flops * n / secs / 1e9;
  st.counters["%fma"] = flops * n / secs / 1e9 / c.fma_gflops * 100;
  st.counters["tok/s"] = items * n / secs;
  st.counters["bw_ceil"] = c.read_gbps;
  st.counters["fma_ceil"] = c.fma_gflops;
}

}  // namespace infermark::bench
