// Where a benchmark run's files go: MLPerf's submission layout of v6.0+
// (tools/submission/submission_structure.md):
//   <root>/systems/<system>.json
//   <root>/results/<system>/<benchmark>/<Scenario>/performance/run_1/   mlperf_log_*.txt/json
//   <root>/results/<system>/<benchmark>/<Scenario>/accuracy/            + accuracy.txt
//   <root>/results/<system>/<benchmark>/<Scenario>/TEST06/              verify_accuracy.txt,
//                                                                       accuracy/mlperf_log_accuracy.json
//   <root>/results/<system>/<benchmark>/<Scenario>/{measurements.json,user.conf}
// plus infermark's run.json and report.html in each run folder, and TEST06's own LoadGen logs
// under <root>/logs/.
#pragma once

#include <filesystem>
#include <string>

#include "harness/benchmark.h"

namespace infermark::harness {

struct ResultsLayout {
  std::filesystem::path root;
  std::string system;
  Benchmark benchmark;

  std::filesystem::path system_json() const { return root / "systems" / (system + ".json"); }
  std::filesystem::path scenario_dir() const {
    return root / "results" / system / benchmark.folder_name() /
           std::string(to_string(benchmark.scenario));
  }
  std::filesystem::path performance_dir() const { return scenario_dir() / "performance" / "run_1"; }
  std::filesystem::path accuracy_dir() const { return scenario_dir() / "accuracy"; }
  std::filesystem::path test06_dir() const { return scenario_dir() / "TEST06"; }
  // Where TEST06's own LoadGen run writes its logs before the checks: kept for inspection, but
  // outside results/ so the submission tree holds only what the checker expects.
  std::filesystem::path test06_run_dir() const {
    return root / "logs" / system / benchmark.folder_name() /
           std::string(to_string(benchmark.scenario)) / "TEST06";
  }
};

// A system name usable as a folder name: letters, digits, '-', '_', '.'; others become '_'.
std::string sanitize_system_name(std::string name);

}  // namespace infermark::harness
