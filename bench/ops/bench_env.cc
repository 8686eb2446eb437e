#include "bench_env.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "backends/cpu/cpu_features.h"

namespace infermark::bench {

std::unique_ptr<BenchEnv> start_bench(int* argc, char** argv, const char* name) {
  benchmark::Initialize(argc, argv);
  if (benchmark::ReportUnrecognizedArguments(*argc, argv)) return nullptr;
  if (cpu::detected_isa() < cpu::Isa::kAvx2) {
    std::fprintf(stderr, "%s needs AVX2 + FMA for its ceiling probes\n", name);
    return nullptr;
  }
  auto env = std::make_unique<BenchEnv>();
  benchmark::AddCustomContext("threads", std::to_string(env->backend.threads()));
  benchmark::AddCustomContext("cpu_isa", std::string(cpu::isa_name(cpu::detected_isa())));
  return env;
}

}  // namespace infermark::bench
