// The machine's own ceilings, measured in the benchmark process so kernel results can be quoted
// as fractions of them on a noisy shared machine: streaming-read memory bandwidth (every pool
// thread reading its share of a buffer much larger than the caches) and the f32 FMA peak (every
// pool thread running independent 8-wide FMA chains, and 16-wide ones where AVX-512 exists).
//
// Every rate is kept two ways: per wall-clock second, and per CPU-second used by this process.
// On a machine shared with other busy processes the scheduler gives ours only part of the cores;
// the per-CPU-second figures take that out (though not the memory traffic of the others), so
// kernel / ceiling ratios of per-CPU-second rates are the stable ones. Requires AVX2 + FMA.
#pragma once

#include <chrono>
#include <cstddef>

#include "backends/cpu/aligned_buffer.h"
#include "backends/cpu/thread_pool.h"

namespace infermark::bench {

struct Rate {
  double per_s = 0;      // amount per wall-clock second
  double per_cpu_s = 0;  // amount per CPU-second of this process (all its threads)
};

struct Ceilings {
  Rate read_gb;       // GB (1e9 bytes) read, median of the probe's runs
  Rate fma_gflop;     // GFLOP (an FMA counts 2) with 8-wide AVX2 FMAs, median
  Rate fma512_gflop;  // the same with 16-wide AVX-512 FMAs; zero without AVX-512
};

// Wall clock and process CPU time from construction.
class Stopwatch {
 public:
  Stopwatch();
  double wall_seconds() const;
  double cpu_seconds() const;
  Rate rate(double amount) const;

 private:
  std::chrono::steady_clock::time_point wall0_;
  double cpu0_;
};

// Reads `buffer` `runs` times with all pool threads; median rates in GB.
Rate probe_read_bandwidth(cpu::ThreadPool& pool, const cpu::AlignedBuffer& buffer, int runs);

// Runs `iters` FMA chain steps on all pool threads `runs` times; median rates in GFLOP.
Rate probe_fma_peak(cpu::ThreadPool& pool, long long iters, int runs, bool avx512 = false);

// Probes with a 1 GiB buffer (bigger than any last-level cache: every page touched, resident)
// kept for the object's life; `measure` is cheap enough to run before each benchmark.
class Probe {
 public:
  explicit Probe(cpu::ThreadPool& pool);
  Ceilings measure(int runs = 3, long long fma_iters = 4'000'000);

 private:
  cpu::ThreadPool& pool_;
  cpu::AlignedBuffer buffer_;
};

namespace avx2 {
// Sums the 32-byte words of [p, p + bytes) (bytes a multiple of 256): a pure streaming read.
long long stream_read(const void* p, size_t bytes);
// 12 independent chains of `iters` 8-wide FMAs (2 * 8 * 12 * iters flops); returns a checksum.
float fma_chains(long long iters);
}  // namespace avx2
namespace avx512 {
float fma_chains(long long iters);  // 2 * 16 * 12 * iters flops
}  // namespace avx512

}  // namespace infermark::bench
