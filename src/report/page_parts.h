// Sections of the run page that are tables and text rather than charts: the verdict with the
// metric and checks, token-latency percentiles against their limits, accuracy, settings,
// LoadGen errors and warnings, run metadata and HTTP endpoints. Each returns escaped HTML.
#pragma once

#include <string>

#include "report/mlperf_logs.h"
#include "report/analysis.h"
#include "report/endpoints.h"
#include "report/run_inputs.h"

namespace infermark::report::page {

// "PerformanceOnly" -> "performance run", "AccuracyOnly" -> "accuracy run", ...
std::string mode_name(const std::string& mode);

// The headline metric as "23,654 tokens/s" (latency metrics as durations).
std::string metric_text(const Metric& m);

std::string verdict_section(const RunAnalysis& a);
std::string token_latency_table(const RunAnalysis& a);
std::string accuracy_section(const AccuracyScores& acc);
std::string settings_section(const RunAnalysis& a);
std::string messages_section(const MlperfLogs& logs);
std::string metadata_section(const RunMetadata& meta);
// The endpoints of an HTTP-SUT run: one row each, totals, events, and the not-comparable banner.
std::string endpoints_section(const EndpointsSummary& e);

}  // namespace infermark::report::page
