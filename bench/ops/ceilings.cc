#include "ceilings.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <vector>

#include "backends/cpu/aligned_buffer.h"

namespace infermark::bench {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::atomic<long long> g_sink{0};

}  // namespace

double probe_read_bandwidth(cpu::ThreadPool& pool, const cpu::AlignedBuffer& buffer, int runs) {
  const size_t bytes = buffer.size();
  const char* base = static_cast<const char*>(buffer.data());
  std::vector<double> gbps;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.run([&](int i, int n) {
      const size_t part = bytes / static_cast<size_t>(n) / 256 * 256;
      g_sink.fetch_add(avx2::stream_read(base + part * static_cast<size_t>(i), part));
    });
    gbps.push_back(static_cast<double>(bytes) / seconds_since(t0) / 1e9);
  }
  return median(gbps);
}

double probe_fma_peak(cpu::ThreadPool& pool, long long iters, int runs) {
  std::vector<double> gflops;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.run([&](int, int) { g_sink.fetch_add(static_cast<long long>(avx2::fma_chains(iters))); });
    const double flops = 2.0 * 8 * 12 * static_cast<double>(iters) * pool.size();
    gflops.push_back(flops / seconds_since(t0) / 1e9);
  }
  return median(gflops);
}

Ceilings measure_ceilings(cpu::ThreadPool& pool) {
  Ceilings c;
  c.read_gbps = probe_read_bandwidth(pool, cpu::AlignedBuffer(size_t{1} << 30), 5);
  c.fma_gflops = probe_fma_peak(pool, 20'000'000, 5);
  return c;
}

QuickProbe::QuickProbe(cpu::ThreadPool& pool)
    : pool_(pool), buffer_(size_t{1} << 30) {}  // zero-filled: every page touched, resident

Ceilings QuickProbe::measure(int runs) {
  Ceilings c;
  c.read_gbps = probe_read_bandwidth(pool_, buffer_, runs);
  c.fma_gflops = probe_fma_peak(pool_, 4'000'000, runs);
  return c;
}

}  // namespace infermark::bench
