// The process-wide set-up shared by the kernel benchmark binaries: Google Benchmark's
// initialisation, the AVX2 check the ceiling probes need, one thread pool (one thread per
// physical core) and one ceiling probe for every benchmark, and the run's context lines.
#pragma once

#include <memory>

#include "backends/cpu/thread_pool.h"
#include "ceilings.h"

namespace infermark::bench {

struct BenchEnv {
  cpu::ThreadPool pool;
  Probe probe{pool};
};

// Initialises Google Benchmark with the command line; prints why and returns null when the
// binary should exit with status 1 (unknown flag, no AVX2). `name` is the binary's, for the
// message.
std::unique_ptr<BenchEnv> start_bench(int* argc, char** argv, const char* name);

}  // namespace infermark::bench
