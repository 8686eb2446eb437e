// Where a benchmark run's files go: MLPerf's submission layout of v6.0+
// (tools/submission/submission_structure.md), rooted at the submission root — the --output
// folder itself, or <output>/<division>/<submitter> when a submitter is named, which is the tree
// MLPerf's submission checker reads (`--input <output>`):
//   <root>/systems/<system>.json
//   <root>/src/README.md                                                what produced the results
//   <root>/results/<system>/<benchmark>/<Scenario>/performance/run_1/   mlperf_log_*.txt/json
//   <root>/results/<system>/<benchmark>/<Scenario>/accuracy/            + accuracy.txt; the
//                                                                       accuracy log truncated
//   <root>/results/<system>/<benchmark>/<Scenario>/TEST06/              verify_accuracy.txt,
//                                                                       accuracy/mlperf_log_accuracy.json
//   <root>/results/<system>/<benchmark>/<Scenario>/{measurements.json,user.conf,README.md}
// plus infermark's run.json and report.html in each run folder. What the checker must not find in
// the tree — the full accuracy log and TEST06's own LoadGen logs — goes under <output>/logs/.
#pragma once

#include <filesystem>
#include <string>

#include "harness/benchmark.h"

namespace infermark::harness {

struct ResultsLayout {
  std::filesystem::path root;  // the submission root
  std::filesystem::path logs;  // <output>/logs
  std::string system;
  Benchmark benchmark;

  std::filesystem::path system_json() const { return root / "systems" / (system + ".json"); }
  std::filesystem::path src_dir() const { return root / "src"; }
  std::filesystem::path benchmark_dir() const {
    return root / "results" / system / benchmark.folder_name();
  }
  std::filesystem::path scenario_dir() const {
    return benchmark_dir() / std::string(to_string(benchmark.scenario));
  }
  std::filesystem::path performance_dir() const { return scenario_dir() / "performance" / "run_1"; }
  std::filesystem::path accuracy_dir() const { return scenario_dir() / "accuracy"; }
  std::filesystem::path test06_dir() const { return scenario_dir() / "TEST06"; }
  // This scenario's folder under logs/.
  std::filesystem::path scenario_logs_dir() const {
    return logs / system / benchmark.folder_name() / std::string(to_string(benchmark.scenario));
  }
  // Where TEST06's own LoadGen run writes its logs before the checks: kept for inspection.
  std::filesystem::path test06_run_dir() const { return scenario_logs_dir() / "TEST06"; }
  // The accuracy run's whole mlperf_log_accuracy.json (results/ keeps the truncated form).
  std::filesystem::path full_accuracy_log() const {
    return scenario_logs_dir() / "accuracy" / "mlperf_log_accuracy.json";
  }
};

// The layout under `output`: the submission root is `output`, or output/<division>/<submitter>
// when `submitter` is not empty. `system` must be a valid folder name (sanitize_system_name).
ResultsLayout make_results_layout(const std::filesystem::path& output, const std::string& system,
                                  const Benchmark& benchmark, const std::string& submitter,
                                  const std::string& division);

// A system name usable as a folder name: letters, digits, '-', '_', '.'; others become '_'.
std::string sanitize_system_name(std::string name);

// Throws Error unless `submitter` is a usable folder name (letters, digits, '-', '_', '.'): the
// checker requires the system description's submitter to equal the folder's name.
void validate_submitter_name(const std::string& submitter);

}  // namespace infermark::harness
