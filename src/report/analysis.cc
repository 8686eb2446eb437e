#include "report/analysis.h"

#include <fmt/format.h>

#include <cmath>

#include "report/html.h"
#include "report/text_scan.h"

namespace infermark::report {
namespace {

// The real rules' sample counts (mlperf-llama31-8b.md §1, §4.2) and minimum duration.
constexpr int64_t kDatacenterSamples = 13368;
constexpr int64_t kEdgeSamples = 5000;
constexpr double kRealMinDurationMs = 600000;

constexpr std::array<const char*, 6> kPercentileLabels = {"50.00", "90.00", "95.00",
                                                          "97.00", "99.00", "99.90"};

double num_or(const MlperfLogs& logs, std::string_view key, double fallback = -1) {
  return logs.number(key).value_or(fallback);
}

// A number from a summary line such as "Completed tokens per second: 23654.36", or -1.
double summary_number(const MlperfLogs& logs, std::string_view label) {
  const std::string* v = logs.summary(label);
  if (v == nullptr) return -1;
  return parse_number(*v).value_or(-1);
}

// The summary's value when it has one (Server rates carry 2 decimals there), else the detail's.
double metric_value(const MlperfLogs& logs, std::string_view label, std::string_view key) {
  const double s = summary_number(logs, label);
  return s >= 0 ? s : num_or(logs, key);
}

// `prefix` + "<P>" + `suffix` keys for the percentiles, and the min/max/mean keys.
LatencyStats latency_stats(const MlperfLogs& logs, const std::string& prefix,
                           const std::string& suffix, const std::array<std::string, 3>& mmm) {
  LatencyStats s;
  s.min = num_or(logs, mmm[0]);
  s.max = num_or(logs, mmm[1]);
  s.mean = num_or(logs, mmm[2]);
  for (size_t i = 0; i < kPercentileLabels.size(); ++i) {
    s.p[i] = num_or(logs, prefix + kPercentileLabels[i] + suffix);
  }
  return s;
}

void add_metric(RunAnalysis& a, std::string label, double value, std::string unit) {
  if (value >= 0) a.metrics.push_back({std::move(label), value, std::move(unit)});
}

void fill_metrics(const MlperfLogs& logs, RunAnalysis& a) {
  if (a.scenario == "Offline") {
    if (a.token_latencies) {
      add_metric(a, "Tokens per second",
                 metric_value(logs, "Tokens per second", "result_tokens_per_second"), "tokens/s");
    }
    add_metric(a, "Samples per second",
               metric_value(logs, "Samples per second", "result_samples_per_second"), "samples/s");
  } else if (a.scenario == "Server") {
    if (a.token_latencies) {
      add_metric(
          a, "Completed tokens per second",
          metric_value(logs, "Completed tokens per second", "result_completed_tokens_per_second"),
          "tokens/s");
    }
    add_metric(
        a, "Completed samples per second",
        metric_value(logs, "Completed samples per second", "result_completed_samples_per_sec"),
        "samples/s");
    add_metric(
        a, "Scheduled samples per second",
        metric_value(logs, "Scheduled samples per second", "result_scheduled_samples_per_sec"),
        "samples/s");
  } else if (a.scenario == "SingleStream") {
    add_metric(a, "90th percentile latency", a.e2e.at(0.90), "ms");
    if (a.token_latencies) add_metric(a, "90th percentile TTFT", a.ttft.at(0.90), "ms");
    add_metric(a, "Queries per second", num_or(logs, "result_qps_with_loadgen_overhead"), "qps");
  } else if (a.scenario == "MultiStream") {
    add_metric(a, "99th percentile per-query latency",
               num_or(logs, "result_99.00_percentile_per_query_latency_ns"), "ms");
  }
}

// The time LoadGen compares with min_duration (loadgen-behaviour.md §9), in seconds.
double run_duration_s(const MlperfLogs& logs, const RunAnalysis& a) {
  const double n = static_cast<double>(a.sample_count);
  if (a.scenario == "Offline") return a.e2e.max >= 0 ? a.e2e.max / 1e9 : -1;
  if (!logs.samples.empty()) return logs.samples.back().scheduled_s;
  if (a.scenario == "Server") {
    const double rate = num_or(logs, "result_scheduled_samples_per_sec");
    return rate > 0 && n > 1 ? (n - 1) / rate : -1;
  }
  if (a.scenario == "SingleStream") {
    const double rate = num_or(logs, "result_qps_with_loadgen_overhead");
    return rate > 0 && n > 1 ? (n - 1) / rate : -1;
  }
  return -1;
}

void fill_quick_reasons(const MlperfLogs& logs, RunAnalysis& a) {
  const int64_t required = a.edge ? kEdgeSamples : kDatacenterSamples;
  const double total = num_or(logs, "qsl_reported_total_count");
  if (a.mode == "AccuracyOnly") {  // scored over the whole data set; no timing rules
    if (total >= 0 && total < static_cast<double>(required)) {
      a.quick_reasons.push_back(fmt::format("the data set has {} samples (the rules score all {}).",
                                            html::integer(std::llround(total)),
                                            html::integer(required)));
    }
    return;
  }
  const double min_ms = num_or(logs, "effective_min_duration_ms");
  if (min_ms >= 0 && min_ms < kRealMinDurationMs) {
    a.quick_reasons.push_back(fmt::format("min_duration is {} (the rules require 600 s).",
                                          html::duration_ns(min_ms * 1e6)));
  }
  const double psc = num_or(logs, "effective_performance_sample_count");
  if (psc >= 0 && psc < static_cast<double>(required)) {
    a.quick_reasons.push_back(
        fmt::format("performance_sample_count is {} (the rules require {}, the whole {} set).",
                    html::integer(std::llround(psc)), html::integer(required),
                    a.edge ? "edge" : "CNN-DailyMail"));
  }
  const double spq = num_or(logs, "effective_samples_per_query");
  if (a.scenario == "Offline" && spq >= 0 && spq < static_cast<double>(required)) {
    a.quick_reasons.push_back(
        fmt::format("the Offline query holds {} samples (the rules require at least {}).",
                    html::integer(std::llround(spq)), html::integer(required)));
  }
}

struct SettingRow {
  const char* label;
  const char* key;
  bool raw;  // print as logged (seeds keep all their digits)
};

constexpr SettingRow kSettingRows[] = {
    {"Samples per query", "effective_samples_per_query", false},
    {"Target QPS", "effective_target_qps", false},
    {"Target latency percentile", "effective_target_latency_percentile", true},
    {"Min duration (ms)", "effective_min_duration_ms", false},
    {"Max duration (ms)", "effective_max_duration_ms", false},
    {"Min query count", "effective_min_query_count", false},
    {"Max query count", "effective_max_query_count", false},
    {"Min sample count", "effective_min_sample_count", false},
    {"Performance sample count", "effective_performance_sample_count", false},
    {"Accuracy sample count", "effective_accuracy_sample_count", false},
    {"QSL total / performance count", "", false},
    {"Generated queries", "generated_query_count", false},
    {"Generated samples per query", "generated_samples_per_query", false},
    {"Max async queries", "effective_max_async_queries", false},
    {"QSL RNG seed", "effective_qsl_rng_seed", true},
    {"Sample index RNG seed", "effective_sample_index_rng_seed", true},
    {"Schedule RNG seed", "effective_schedule_rng_seed", true},
    {"Accuracy log RNG seed", "effective_accuracy_log_rng_seed", true},
    {"Accuracy log probability", "effective_accuracy_log_probability", true},
    {"Sample concatenate permutation", "effective_sample_concatenate_permutation", true},
    {"Performance issue unique / same", "effective_performance_issue_unique", true},
    {"Token latencies", "requested_use_token_latencies", true},
};

std::string setting_text(const MlperfLogs& logs, const SettingRow& r) {
  if (std::string_view(r.label) == "QSL total / performance count") {
    return logs.display("qsl_reported_total_count") + " / " +
           logs.display("qsl_reported_performance_count");
  }
  if (std::string_view(r.key) == "effective_performance_issue_unique") {
    return logs.display(r.key) + " / " + logs.display("effective_performance_issue_same");
  }
  const auto v = logs.number(r.key);
  if (!r.raw && v && std::floor(*v) == *v && std::abs(*v) < 9e15) {
    return html::integer(static_cast<int64_t>(*v));
  }
  return logs.display(r.key);
}

void fill_settings(const MlperfLogs& logs, RunAnalysis& a) {
  if (a.ttft_limit_ns >= 0)
    a.settings.emplace_back("TTFT limit", html::duration_ns(a.ttft_limit_ns));
  if (a.tpot_limit_ns >= 0)
    a.settings.emplace_back("TPOT limit", html::duration_ns(a.tpot_limit_ns));
  for (const SettingRow& r : kSettingRows) {
    const std::string v = setting_text(logs, r);
    if (!v.empty() && v != " / ") a.settings.emplace_back(r.label, v);
  }
}

}  // namespace

double LatencyStats::at(double percentile) const {
  for (size_t i = 0; i < kReportPercentiles.size(); ++i) {
    if (std::abs(kReportPercentiles[i] - percentile) < 1e-9) return p[i];
  }
  return -1;
}

RunAnalysis analyze_run(const MlperfLogs& logs) {
  RunAnalysis a;
  std::filesystem::path dir = std::filesystem::absolute(logs.dir).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // "run/" names "run"
  a.name = dir.filename().string();
  a.scenario = logs.text("effective_scenario").value_or(logs.display("requested_scenario"));
  a.mode = logs.text("effective_test_mode").value_or(logs.display("requested_test_mode"));
  a.sut_name = logs.display("sut_name");
  a.qsl_name = logs.display("qsl_name");
  a.test_datetime = logs.display("test_datetime");
  a.loadgen_version = logs.display("loadgen_version");
  a.performance = logs.value("result_validity") != nullptr;
  a.valid = logs.text("result_validity").value_or("") == "VALID";
  a.token_latencies = logs.flag("requested_use_token_latencies").value_or(false) ||
                      logs.value("result_first_token_99.00_percentile_latency_ns") != nullptr;
  a.edge = a.scenario == "SingleStream" || num_or(logs, "qsl_reported_total_count") == kEdgeSamples;
  a.target_percentile = num_or(logs, "effective_target_latency_percentile", 0.99);
  a.target_qps = num_or(logs, "effective_target_qps");
  a.query_count = static_cast<int64_t>(num_or(logs, "result_query_count"));

  a.e2e =
      latency_stats(logs, "result_", "_percentile_latency_ns",
                    {"result_min_latency_ns", "result_max_latency_ns", "result_mean_latency_ns"});
  a.ttft = latency_stats(logs, "result_first_token_", "_percentile_latency_ns",
                         {"result_first_token_min_latency_ns", "result_first_token_max_latency_ns",
                          "result_first_token_mean_latency_ns"});
  a.tpot = latency_stats(logs, "result_time_per_output_token_", "_percentile_ns",
                         {"result_time_to_output_token_min", "result_time_to_output_token_max",
                          "result_time_to_output_token_mean"});
  if (a.scenario == "Server" && a.token_latencies) {
    const double ttft = summary_number(logs, "ttft_latency (ns)");
    const double tpot = summary_number(logs, "tpot_latency (ns)");
    a.ttft_limit_ns = ttft >= 0 ? ttft : num_or(logs, "requested_server_ttft_latency");
    a.tpot_limit_ns = tpot >= 0 ? tpot : num_or(logs, "requested_server_tpot_latency");
  }
  if (logs.trace_enabled) {
    a.sample_count = static_cast<int64_t>(logs.samples.size());
  } else if (a.query_count >= 0) {
    a.sample_count =
        a.query_count * static_cast<int64_t>(num_or(logs, "generated_samples_per_query", 1));
  }
  a.duration_s = run_duration_s(logs, a);
  fill_metrics(logs, a);
  fill_quick_reasons(logs, a);
  fill_settings(logs, a);
  a.checks = validity_checks(logs, a);
  for (const Check& c : a.checks) {
    if (c.name == "Run completed" && !c.passed) a.interrupted = true;
  }
  return a;
}

}  // namespace infermark::report
