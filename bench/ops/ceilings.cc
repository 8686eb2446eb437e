#include "ceilings.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "backends/cpu/cpu_features.h"

namespace infermark::bench {
namespace {

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

Rate median(const std::vector<Rate>& v) {
  std::vector<double> a, b;
  for (const Rate& r : v) a.push_back(r.per_s), b.push_back(r.per_cpu_s);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return {a[a.size() / 2], b[b.size() / 2]};
}

std::atomic<long long> g_sink{0};

}  // namespace

Stopwatch::Stopwatch() : wall0_(std::chrono::steady_clock::now()), cpu0_(process_cpu_seconds()) {}

double Stopwatch::wall_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count();
}

double Stopwatch::cpu_seconds() const { return process_cpu_seconds() - cpu0_; }

Rate Stopwatch::rate(double amount) const {
  return {amount / wall_seconds(), amount / std::max(cpu_seconds(), 1e-6)};
}

Rate probe_read_bandwidth(cpu::ThreadPool& pool, const cpu::AlignedBuffer& buffer, int runs) {
  const size_t bytes = buffer.size();
  const char* base = static_cast<const char*>(buffer.data());
  std::vector<Rate> rates;
  for (int r = 0; r < runs; ++r) {
    const Stopwatch sw;
    pool.run([&](int i, int n) {
      const size_t part = bytes / static_cast<size_t>(n) / 256 * 256;
      g_sink.fetch_add(avx2::stream_read(base + part * static_cast<size_t>(i), part));
    });
    rates.push_back(sw.rate(static_cast<double>(bytes) / 1e9));
  }
  return median(rates);
}

Rate probe_fma_peak(cpu::ThreadPool& pool, long long iters, int runs, bool avx512) {
  std::vector<Rate> rates;
  for (int r = 0; r < runs; ++r) {
    const Stopwatch sw;
    pool.run([&](int, int) {
      const float sum = avx512 ? avx512::fma_chains(iters) : avx2::fma_chains(iters);
      g_sink.fetch_add(static_cast<long long>(sum));
    });
    const double flops = 2.0 * (avx512 ? 16 : 8) * 12 * static_cast<double>(iters) * pool.size();
    rates.push_back(sw.rate(flops / 1e9));
  }
  return median(rates);
}

Probe::Probe(cpu::ThreadPool& pool) : pool_(pool), buffer_(size_t{1} << 30) {}

Ceilings Probe::measure(int runs, long long fma_iters) {
  Ceilings c;
  c.read_gb = probe_read_bandwidth(pool_, buffer_, runs);
  c.fma_gflop = probe_fma_peak(pool_, fma_iters, runs);
  if (cpu::detected_isa() >= cpu::Isa::kAvx512) {
    c.fma512_gflop = probe_fma_peak(pool_, fma_iters / 2, runs, true);
  }
  return c;
}

}  // namespace infermark::bench
