// The machine's own ceilings, measured in the benchmark process so kernel results can be quoted
// as fractions of them on a noisy shared machine: streaming-read memory bandwidth (every pool
// thread reading its share of a buffer much larger than the caches) and the f32 FMA peak (every
// pool thread running independent 8-wide FMA chains). Requires AVX2 + FMA.
#pragma once

#include <cstddef>

#include "backends/cpu/aligned_buffer.h"
#include "backends/cpu/thread_pool.h"

namespace infermark::bench {

struct Ceilings {
  double read_gbps = 0;   // GB/s (1e9 bytes), median of the probe's runs
  double fma_gflops = 0;  // GFLOP/s (an FMA counts 2), median
};

// Reads `buffer` (size a multiple of 256 * threads) `runs` times with all pool threads; returns
// the median GB/s.
double probe_read_bandwidth(cpu::ThreadPool& pool, const cpu::AlignedBuffer& buffer, int runs);

// Runs `iters` FMA chain steps on all pool threads `runs` times; returns the median GFLOP/s.
double probe_fma_peak(cpu::ThreadPool& pool, long long iters, int runs);

Ceilings measure_ceilings(cpu::ThreadPool& pool);

// A cheaper probe for use right before each benchmark: keeps a 1 GiB buffer (bigger than any
// last-level cache) and reads it `runs` times, and runs shorter FMA chains; medians.
class QuickProbe {
 public:
  explicit QuickProbe(cpu::ThreadPool& pool);
  Ceilings measure(int runs = 3);

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

}  // namespace infermark::bench
