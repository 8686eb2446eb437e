// The readable report of a run: a self-contained report.html (inline CSS and SVG, nothing
// fetched) per run folder, with the verdict and the scenario's metric, why a run is INVALID in
// plain words, a banner when its settings are below the real rules, latency and throughput
// charts, the effective settings, accuracy results and run metadata. Input is the MLPerf log
// folder (mlperf_logs.h) plus, when present, accuracy.txt and run.json (run_inputs.h). Several
// runs side by side: comparison.h.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "report/endpoints.h"
#include "report/mlperf_logs.h"
#include "report/run_inputs.h"

namespace infermark::report {

// The file name of a run's report inside its folder.
inline constexpr std::string_view kReportFile = "report.html";

// Everything one run page shows.
struct RunReportInput {
  MlperfLogs logs;
  std::optional<AccuracyScores> accuracy;
  std::optional<RunMetadata> metadata;
  std::optional<EndpointsSummary> endpoints;  // runs against HTTP endpoints
};

// Reads the logs, accuracy.txt and run.json of `run_dir`. Throws Error naming the bad file.
RunReportInput read_run(const std::filesystem::path& run_dir);

// The HTML of a run page.
std::string render_report(const RunReportInput& run);

// Reads `run_dir` and writes run_dir/report.html atomically; returns its path. Throws Error.
std::filesystem::path write_report(const std::filesystem::path& run_dir);

}  // namespace infermark::report
