#include "report/charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/html.h"

namespace infermark::report::charts {
namespace {

constexpr size_t kMaxCdfPoints = 500;
constexpr double kTargetBins = 60;

// The smallest 1-2-5 x 10^k value >= raw.
double nice_at_least(double raw) {
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * mag >= raw * (1 - 1e-9)) return m * mag;
  }
  return 10 * mag;
}

double quantile(const std::vector<double>& sorted, double p) {
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(sorted.size() * p))];
}

std::string limit_label(double limit_ms) { return "limit " + html::duration_ns(limit_ms * 1e6); }

}  // namespace

std::vector<double> e2e_latencies_ms(const MlperfLogs& logs) {
  std::vector<double> out;
  out.reserve(logs.samples.size());
  for (const SampleTiming& s : logs.samples) out.push_back(s.latency_s() * 1e3);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<double> ttft_latencies_ms(const MlperfLogs& logs) {
  std::vector<double> out;
  for (const SampleTiming& s : logs.samples) {
    if (s.first_token_s >= 0) out.push_back((s.first_token_s - s.scheduled_s) * 1e3);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<double> tpot_latencies_ms(const MlperfLogs& logs) {
  std::vector<double> out;
  for (const SampleTiming& s : logs.samples) {
    if (s.first_token_s < 0 || s.n_tokens < 2) continue;
    out.push_back((s.completed_s - s.first_token_s) * 1e3 / static_cast<double>(s.n_tokens - 1));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string latency_histogram(const std::string& title, const std::vector<double>& sorted_ms,
                              const std::string& color, std::optional<double> limit_ms) {
  if (sorted_ms.empty()) return {};
  const double p99 = quantile(sorted_ms, 0.99);
  double hi = sorted_ms.back();
  std::string note;
  if (hi > 1.5 * p99 && p99 > 0) {
    hi = 1.25 * p99;
    const auto beyond = sorted_ms.end() - std::upper_bound(sorted_ms.begin(), sorted_ms.end(), hi);
    note = fmt::format("{} slowest samples (up to {}) lie beyond the right edge", beyond,
                       html::duration_ns(sorted_ms.back() * 1e6));
  }
  if (hi <= 0) hi = 1;
  const size_t bins =
      std::clamp<size_t>(static_cast<size_t>(2 * std::sqrt(sorted_ms.size())), 10, 60);
  std::vector<double> edges(bins + 1), counts(bins, 0);
  for (size_t i = 0; i <= bins; ++i) edges[i] = hi * static_cast<double>(i) / bins;
  for (double v : sorted_ms) {
    if (v > hi) break;
    counts[std::min(bins - 1, static_cast<size_t>(std::max(0.0, v) / hi * bins))] += 1;
  }
  svg::ChartOptions o;
  o.title = title;
  o.x.label = "latency (ms)";
  o.x.min = 0;
  o.y.label = "samples";
  o.note = note;
  if (limit_ms) o.markers.push_back({*limit_ms, limit_label(*limit_ms)});
  return svg::histogram(o, edges, counts, color);
}

svg::Series cdf_series(const std::vector<double>& sorted_ms, std::string label, std::string color) {
  svg::Series s{std::move(label), std::move(color), {}, {}, false, true};
  const size_t n = sorted_ms.size();
  if (n == 0) return s;
  s.x.push_back(sorted_ms[0]);
  s.y.push_back(0);
  const size_t points = std::min(n, kMaxCdfPoints);
  for (size_t j = 0; j < points; ++j) {
    const size_t i = points == 1 ? n - 1 : j * (n - 1) / (points - 1);
    s.x.push_back(sorted_ms[i]);
    s.y.push_back(100.0 * static_cast<double>(i + 1) / static_cast<double>(n));
  }
  return s;
}

svg::Series percentile_cdf_series(const LatencyStats& stats, std::string label, std::string color) {
  svg::Series s{std::move(label), std::move(color), {}, {}, false, false};
  if (!stats.present()) return s;
  auto add = [&](double ns, double pct) {
    if (ns < 0 || (!s.x.empty() && ns / 1e6 < s.x.back())) return;
    s.x.push_back(ns / 1e6);
    s.y.push_back(pct);
  };
  add(stats.min, 0);
  for (size_t i = 0; i < kReportPercentiles.size(); ++i)
    add(stats.p[i], kReportPercentiles[i] * 100);
  add(stats.max, 100);
  return s;
}

std::string cdf_chart(const std::string& title, const std::vector<svg::Series>& series,
                      std::optional<double> limit_ms, const std::string& note) {
  svg::ChartOptions o;
  o.title = title;
  o.x.label = "latency (ms)";
  o.x.min = 0;
  o.y.label = "% of samples ≤ x";
  o.y.max = 100;
  o.note = note;
  if (limit_ms) o.markers.push_back({*limit_ms, limit_label(*limit_ms)});
  return svg::line_chart(o, series);
}

std::string percentile_bars(const std::string& title, const LatencyStats& stats,
                            std::optional<double> limit_ns, const std::string& color) {
  if (!stats.present()) return {};
  static constexpr const char* kLabels[] = {"p50", "p90", "p95", "p97", "p99", "p99.9"};
  std::vector<svg::Bar> bars;
  for (size_t i = 0; i < kReportPercentiles.size(); ++i) {
    if (stats.p[i] >= 0)
      bars.push_back({kLabels[i], stats.p[i] / 1e6, html::duration_ns(stats.p[i])});
  }
  svg::ChartOptions o;
  o.title = title;
  o.x.label = "latency (ms)";
  o.height = 240;
  std::optional<double> limit_ms;
  if (limit_ns && *limit_ns >= 0) limit_ms = *limit_ns / 1e6;
  return svg::bar_chart(o, bars, limit_ms, limit_ms ? limit_label(*limit_ms) : "", color);
}

std::string throughput_chart(const MlperfLogs& logs, const RunAnalysis& a) {
  if (logs.samples.empty()) return {};
  const double start = logs.samples.front().scheduled_s;  // samples are sorted by it
  double end = 0;
  for (const SampleTiming& s : logs.samples) end = std::max(end, s.completed_s - start);
  if (end <= 0) return {};
  const double width = nice_at_least(std::max(end / kTargetBins, 1e-6));
  const size_t bins = std::max<size_t>(1, static_cast<size_t>(std::ceil(end / width - 1e-9)));
  std::vector<double> done(bins, 0), scheduled(bins, 0);
  auto bin = [&](double t) {
    return std::min(bins - 1, static_cast<size_t>(std::max(0.0, t - start) / width));
  };
  for (const SampleTiming& s : logs.samples) {
    done[bin(s.completed_s)] += 1;
    scheduled[bin(s.scheduled_s)] += 1;
  }
  svg::Series completed{"completed samples/s", svg::palette(0), {}, {}, false, true};
  svg::Series offered{"scheduled samples/s", svg::palette(1), {}, {}, false, true};
  const double x_unit = end < 2 ? 1e3 : 1;  // short runs in ms
  for (size_t i = 0; i < bins; ++i) {
    const double t0 = static_cast<double>(i) * width;
    const double w = std::min(width, end - t0);
    completed.x.push_back(t0 * x_unit), completed.y.push_back(done[i] / w);
    offered.x.push_back(t0 * x_unit), offered.y.push_back(scheduled[i] / w);
  }
  completed.x.push_back(end * x_unit), completed.y.push_back(completed.y.back());
  offered.x.push_back(end * x_unit), offered.y.push_back(offered.y.back());
  std::vector<svg::Series> series;
  if (a.scenario != "Offline") series.push_back(offered);
  series.push_back(completed);
  if (a.scenario == "Server" && a.target_qps > 0) {
    series.push_back(
        {"target_qps", "#6e7781", {0, end * x_unit}, {a.target_qps, a.target_qps}, true});
  }
  svg::ChartOptions o;
  o.title = "Samples per second";
  o.x.label = fmt::format("time since the first query was scheduled ({}); {} bins",
                          x_unit == 1 ? "s" : "ms", html::duration_ns(width * 1e9));
  o.x.min = 0;
  o.y.label = "samples per second";
  o.width = 1060;
  o.legend_on_top = true;
  return svg::line_chart(o, series);
}

}  // namespace infermark::report::charts
