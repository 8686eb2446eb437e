#include "harness/benchmark.h"

#include <fmt/format.h>

#include <vector>

#include "util/error.h"

namespace infermark::harness {

std::optional<BenchmarkScenario> parse_benchmark_scenario(std::string_view s) {
  for (auto v : {BenchmarkScenario::kOffline, BenchmarkScenario::kServer,
                 BenchmarkScenario::kSingleStream, BenchmarkScenario::kInteractive}) {
    if (s == to_string(v)) return v;
  }
  return std::nullopt;
}

std::string_view to_string(BenchmarkScenario s) {
  switch (s) {
    case BenchmarkScenario::kOffline: return "Offline";
    case BenchmarkScenario::kServer: return "Server";
    case BenchmarkScenario::kSingleStream: return "SingleStream";
    case BenchmarkScenario::kInteractive: return "Interactive";
  }
  return "?";
}

loadgen::Scenario Benchmark::loadgen_scenario() const {
  switch (scenario) {
    case BenchmarkScenario::kOffline: return loadgen::Scenario::kOffline;
    case BenchmarkScenario::kSingleStream: return loadgen::Scenario::kSingleStream;
    case BenchmarkScenario::kServer:
    case BenchmarkScenario::kInteractive: return loadgen::Scenario::kServer;
  }
  return loadgen::Scenario::kOffline;
}

std::string Benchmark::model_key() const {
  if (edge) return "llama3_1-8b-edge";
  if (scenario == BenchmarkScenario::kInteractive) return "llama3_1-8b-interactive";
  return "llama3_1-8b";
}

std::string Benchmark::folder_name() const { return edge ? "llama3.1-8b-edge" : "llama3.1-8b"; }

uint64_t Benchmark::official_sample_count() const { return edge ? 5000 : 13368; }

Benchmark make_benchmark(BenchmarkScenario scenario, bool edge) {
  if (edge && (scenario == BenchmarkScenario::kServer ||
               scenario == BenchmarkScenario::kInteractive)) {
    throw Error::format("--scenario {}: llama3.1-8b-edge has only Offline and SingleStream",
                        to_string(scenario));
  }
  return Benchmark{scenario, edge};
}

std::vector<std::string> submission_rule_violations(const Benchmark& b,
                                                    const loadgen::TestSettings& s,
                                                    uint64_t dataset_samples) {
  std::vector<std::string> out;
  const uint64_t n = b.official_sample_count();
  if (dataset_samples != n) {
    out.push_back(fmt::format("the dataset has {} samples; the {} accuracy run needs all {}",
                              dataset_samples, b.folder_name(), n));
  }
  if (s.min_duration_ms < 600000) {
    out.push_back(fmt::format("min_duration is {} ms; the rules require 600000", s.min_duration_ms));
  }
  const uint64_t psc = s.performance_sample_count_override;
  if (psc != 0 && psc < n) {
    out.push_back(fmt::format("performance_sample_count is {}; the rules require {}", psc, n));
  }
  if (b.scenario == BenchmarkScenario::kOffline && s.min_query_count < n) {
    out.push_back(fmt::format("Offline min_query_count (samples per query) is {}; the rules "
                              "require {}",
                              s.min_query_count, n));
  }
  if (!s.use_token_latencies) out.push_back("use_token_latencies is off; the rules require it");
  return out;
}

}  // namespace infermark::harness
