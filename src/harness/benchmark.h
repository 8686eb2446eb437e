// The llama3.1-8b benchmark's names: which LoadGen scenario and conf-file model key each MLPerf
// scenario uses (Interactive is a Server run under `llama3_1-8b-interactive`; the edge variant is
// `llama3_1-8b-edge`), the results-folder names, and the rules a valid submission run must meet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/settings.h"

namespace infermark::harness {

enum class BenchmarkScenario { kOffline, kServer, kSingleStream, kInteractive };

std::optional<BenchmarkScenario> parse_benchmark_scenario(std::string_view s);
// "Offline", "Server", "SingleStream", "Interactive": also the results-folder name.
std::string_view to_string(BenchmarkScenario s);

struct Benchmark {
  BenchmarkScenario scenario = BenchmarkScenario::kOffline;
  bool edge = false;  // llama3.1-8b-edge (5,000 samples; Offline and SingleStream)

  loadgen::Scenario loadgen_scenario() const;
  // The conf-file model key: llama3_1-8b, llama3_1-8b-interactive or llama3_1-8b-edge.
  std::string model_key() const;
  // The results-folder benchmark name: llama3.1-8b or llama3.1-8b-edge.
  std::string folder_name() const;
  // Samples in the official dataset of this variant (13,368 or 5,000).
  uint64_t official_sample_count() const;
  // Whether MLPerf requires TEST06 for it (datacenter only).
  bool needs_test06() const { return !edge; }
};

// Throws Error if the combination does not exist (Interactive on edge, Server on edge,
// SingleStream on datacenter is allowed but not a required scenario).
Benchmark make_benchmark(BenchmarkScenario scenario, bool edge);

// The checks MLPerf's submission checker makes on effective settings (mlperf-llama31-8b.md §7);
// empty when a run's settings could produce a submittable result. Used to label quick runs.
std::vector<std::string> submission_rule_violations(const Benchmark& b,
                                                    const loadgen::TestSettings& s,
                                                    uint64_t dataset_samples);

}  // namespace infermark::harness
