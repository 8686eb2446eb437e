// The machine's own ceilings, measured in process so that throughput can be quoted as a
// fraction of them on a noisy shared machine: streaming-read memory bandwidth (every pool thread
// reading its share of a buffer far larger than the caches, the faster of a plain sequential read
// and the kernels' two prefetched streams) and the f32 FMA peak (every pool thread running
// independent FMA chains, 8-wide with AVX2 and 16-wide with AVX-512).
//
// Rates are kept per wall-clock second and per CPU-second of this process: when other processes
// take part of the cores, the per-CPU-second figures are the stable ones. Requires AVX2 + FMA
// (the probes report zero otherwise).
#pragma once

#include <chrono>
#include <cstddef>

#include "backends/cpu/aligned_buffer.h"
#include "backends/cpu/thread_pool.h"

namespace infermark::cpu {

struct Rate {
  double per_s = 0;      // amount per wall-clock second
  double per_cpu_s = 0;  // amount per CPU-second used by this process (all threads)
};

struct MachineCeilings {
  Rate read_gb;       // GB (1e9 bytes) streamed from memory per second, median of the runs
                      // (each run the faster of the two read patterns)
  Rate fma_gflop;     // GFLOP/s (an FMA counts 2) with 8-wide AVX2 FMAs, median
  Rate fma512_gflop;  // the same with 16-wide AVX-512 FMAs; zero without AVX-512
  // The FMA peak of the widest vectors the kernels may use now: the AVX-512 one when
  // active_isa() allows AVX-512 (and it was measured), else the AVX2 one.
  Rate best_fma() const;
};

// CPU-seconds used so far by this process (all threads, user + system).
double process_cpu_seconds();

// Wall clock and process CPU time since construction.
class Stopwatch {
 public:
  Stopwatch();
  double wall_seconds() const;
  double cpu_seconds() const;
  // amount per wall second and per CPU second so far.
  Rate rate(double amount) const;

 private:
  std::chrono::steady_clock::time_point wall0_;
  double cpu0_;
};

// Keeps the probe buffer (touched, resident) for its life. Not thread-safe; uses `pool`.
class CeilingProbe {
 public:
  explicit CeilingProbe(ThreadPool& pool, size_t buffer_bytes = size_t{1} << 30);
  // Medians of `runs` bandwidth runs and `runs` FMA runs of `fma_iters` chain steps.
  MachineCeilings measure(int runs = 3, long long fma_iters = 4'000'000);

 private:
  ThreadPool& pool_;
  AlignedBuffer buffer_;
};

}  // namespace infermark::cpu
