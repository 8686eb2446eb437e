// The process-wide set-up shared by the kernel benchmark binaries: Google Benchmark's
// initialisation, the AVX2 check the ceiling probes need, one CPU backend (one thread per
// physical core) and one ceiling probe on the backend's threads for every benchmark, and the
// run's context lines.
#pragma once

#include <memory>

#include "ceilings.h"
#include "ops/cpu_backend.h"

namespace infermark::bench {

struct BenchEnv {
  ops::CpuBackend backend;
  Probe probe{backend.pool()};
};

// Initialises Google Benchmark with the command line; prints why and returns null when the
// binary should exit with status 1 (unknown flag, no AVX2). `name` is the binary's, for the
// message.
std::unique_ptr<BenchEnv> start_bench(int* argc, char** argv, const char* name);

}  // namespace infermark::bench
