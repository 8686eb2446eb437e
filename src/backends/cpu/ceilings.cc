#include "backends/cpu/ceilings.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "backends/cpu/ceilings_simd.h"
#include "backends/cpu/cpu_features.h"

namespace infermark::cpu {
namespace {

Rate median(std::vector<Rate> v) {
  std::vector<double> wall, cpu;
  for (const Rate& r : v) wall.push_back(r.per_s), cpu.push_back(r.per_cpu_s);
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

std::atomic<long long> g_sink{0};  // keeps the probe loops from being optimised away

}  // namespace

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

Stopwatch::Stopwatch() : wall0_(std::chrono::steady_clock::now()), cpu0_(process_cpu_seconds()) {}

double Stopwatch::wall_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count();
}

double Stopwatch::cpu_seconds() const { return process_cpu_seconds() - cpu0_; }

Rate Stopwatch::rate(double amount) const {
  return {amount / std::max(wall_seconds(), 1e-9), amount / std::max(cpu_seconds(), 1e-6)};
}

CeilingProbe::CeilingProbe(ThreadPool& pool, size_t buffer_bytes)
    : pool_(pool), buffer_(buffer_bytes / 256 * 256) {}

Rate MachineCeilings::best_fma() const {
  const bool wide = active_isa() >= Isa::kAvx512 && fma512_gflop.per_s > 0;
  return wide ? fma512_gflop : fma_gflop;
}

MachineCeilings CeilingProbe::measure(int runs, long long fma_iters) {
  MachineCeilings c;
  if (detected_isa() < Isa::kAvx2) return c;
  const size_t bytes = buffer_.size();
  const char* base = static_cast<const char*>(buffer_.data());
  std::vector<Rate> read, fma, fma512;
  for (int r = 0; r < runs; ++r) {
    // Each run reads the buffer in both patterns and keeps the faster one: on some machines
    // (seen on a 2-vCPU AMD EPYC VM) the prefetched two-stream pattern of the kernels reads
    // faster than the plain one, which would then be no ceiling.
    Rate best;
    for (int prefetched = 0; prefetched < 2; ++prefetched) {
      const Stopwatch sw;
      pool_.run([&](int i, int n) {
        const size_t part = bytes / static_cast<size_t>(n) / 256 * 256;
        const char* p = base + part * static_cast<size_t>(i);
        g_sink.fetch_add(prefetched ? avx2::stream_read_prefetched(p, part)
                                    : avx2::stream_read(p, part));
      });
      const Rate rate = sw.rate(static_cast<double>(bytes) / 1e9);
      if (rate.per_s > best.per_s) best = rate;
    }
    read.push_back(best);
  }
  const bool has512 = detected_isa() >= Isa::kAvx512;
  for (int wide = 0; wide < (has512 ? 2 : 1); ++wide) {
    for (int r = 0; r < runs; ++r) {
      const Stopwatch sw;
      pool_.run([&](int, int) {
        const float s = wide ? avx512::fma_chains(fma_iters) : avx2::fma_chains(fma_iters);
        g_sink.fetch_add(static_cast<long long>(s));
      });
      const double flops = 2.0 * (wide ? 16 : 8) * 12 * static_cast<double>(fma_iters) *
                           static_cast<double>(pool_.size());
      (wide ? fma512 : fma).push_back(sw.rate(flops / 1e9));
    }
  }
  c.read_gb = median(read);
  c.fma_gflop = median(fma);
  if (has512) c.fma512_gflop = median(fma512);
  return c;
}

}  // namespace infermark::cpu
