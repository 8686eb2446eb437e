// The report's charts, built from a run's logs: latency histograms and CDFs (per sample, from
// the trace), percentile bars and percentile-derived CDFs (from the detail log, when per-sample
// data is missing), and throughput over time. Each returns an inline <svg> (report_svg.h) or a
// series to overlay.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/mlperf_logs.h"
#include "report/analysis.h"
#include "report/svg.h"

namespace infermark::report::charts {

// End-to-end latencies (scheduled -> completed) of the trace's samples, in ms, ascending.
std::vector<double> e2e_latencies_ms(const MlperfLogs& logs);
// Time to first token per sample in ms, ascending; empty unless the trace carries first tokens.
std::vector<double> ttft_latencies_ms(const MlperfLogs& logs);
// Time per output token per sample in ms, ascending; empty unless the trace carries first
// tokens and token counts.
std::vector<double> tpot_latencies_ms(const MlperfLogs& logs);

// Histogram of `sorted_ms`. A long tail beyond 1.25 x p99 is cut off and counted in the note.
std::string latency_histogram(const std::string& title, const std::vector<double>& sorted_ms,
                              const std::string& color, std::optional<double> limit_ms);

// Empirical CDF (percent of samples <= x) of `sorted_ms`, at most ~500 points.
svg::Series cdf_series(const std::vector<double>& sorted_ms, std::string label, std::string color);
// A CDF through the detail log's points (min, p50 ... p99.9, max), in ms; empty if absent.
svg::Series percentile_cdf_series(const LatencyStats& stats, std::string label, std::string color);
std::string cdf_chart(const std::string& title, const std::vector<svg::Series>& series,
                      std::optional<double> limit_ms, const std::string& note = "");

// Bars for p50 ... p99.9 of `stats` with an optional limit line (ns values shown in ms).
std::string percentile_bars(const std::string& title, const LatencyStats& stats,
                            std::optional<double> limit_ns, const std::string& color);

// Completions per second over the run (and, outside Offline, scheduled queries per second and
// the target QPS), binned from the trace. Empty string without trace samples.
std::string throughput_chart(const MlperfLogs& logs, const RunAnalysis& analysis);

}  // namespace infermark::report::charts
