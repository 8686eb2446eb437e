// What a report says about one run, derived from its MLPerf logs: the verdict, the scenario's
// metric, each validity check with a plain-words explanation when it failed, whether the
// settings were below the real rules ("quick"), latency percentiles and limits, and the
// effective settings. Pure data; the HTML pages (report.h) only lay it out.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report/mlperf_logs.h"

namespace infermark::report {

// The percentile levels LoadGen reports, and their labels in key names ("99.00").
inline constexpr std::array<double, 6> kReportPercentiles = {.50, .90, .95, .97, .99, .999};

// One latency kind's statistics from the detail log, in ns; -1 where the log lacks a value.
struct LatencyStats {
  double min = -1, max = -1, mean = -1;
  std::array<double, 6> p = {-1, -1, -1, -1, -1, -1};  // at kReportPercentiles
  bool present() const { return p[0] >= 0; }
  double at(double percentile) const;  // -1 if not one of kReportPercentiles or absent
};

struct Metric {
  std::string label;  // e.g. "Completed tokens per second"
  double value = 0;
  std::string unit;  // "tokens/s", "samples/s", "ms" (value then in ns)
};

// One validity check. `measured` and `required` are short texts for the checks table;
// `explanation` (failed checks only) is one or two sentences: what happened, with numbers, and
// what to change.
struct Check {
  std::string name;
  bool passed = true;
  std::string measured;
  std::string required;
  std::string explanation;
};

struct RunAnalysis {
  std::string name;      // the run folder's name
  std::string scenario;  // "Offline", "Server", "SingleStream", "MultiStream" or ""
  std::string mode;      // "PerformanceOnly", "AccuracyOnly", ...
  std::string sut_name, qsl_name, test_datetime, loadgen_version;
  bool performance = false;  // the logs hold a performance result (result_validity)
  bool valid = false;
  bool interrupted = false;
  bool token_latencies = false;  // use_token_latencies: TTFT/TPOT were measured
  bool edge = false;             // 5,000-sample edge rules (SingleStream or a 5,000-sample QSL)

  std::vector<Metric> metrics;             // the scenario's metric first
  std::vector<Check> checks;               // LoadGen's checks, then errors and interruption
  std::vector<std::string> quick_reasons;  // why the settings are below the real rules

  LatencyStats e2e, ttft, tpot;
  double ttft_limit_ns = -1, tpot_limit_ns = -1;  // Server limits; -1 when not applicable
  double target_percentile = 0.99;
  double target_qps = -1;
  int64_t query_count = -1;
  int64_t sample_count = -1;  // from the trace when on, else derived from the detail log
  double duration_s = -1;     // what LoadGen compared with min_duration, -1 if unknown

  std::vector<std::pair<std::string, std::string>> settings;  // label, value (effective)
};

RunAnalysis analyze_run(const MlperfLogs& logs);

// The checks of `a`, filled from `logs` (part of analyze_run; report_checks.cc).
std::vector<Check> validity_checks(const MlperfLogs& logs, const RunAnalysis& a);

}  // namespace infermark::report
