// A comparison page of several runs side by side: a key-metrics table with one column per run and
// overlaid latency CDFs. Self-contained HTML like the run page (run_report.h).
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "report/run_report.h"

namespace infermark::report {

// The HTML of a comparison page: a key-metrics table with one column per run and overlaid
// latency CDFs (per sample where the trace has them, else from the logged percentiles).
std::string render_comparison(std::span<const RunReportInput> runs);

// Reads every folder in `run_dirs` and writes the comparison page to `out` atomically.
void write_comparison(std::span<const std::filesystem::path> run_dirs,
                      const std::filesystem::path& out);

}  // namespace infermark::report
