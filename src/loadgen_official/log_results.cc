#include "loadgen_official/log_results.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::loadgen_official {
namespace {

using loadgen::EffectiveSettings;
using loadgen::LatencyStats;
using loadgen::PerformanceSummary;
using loadgen::Scenario;

constexpr std::string_view kDetailPrefix = ":::MLLOG ";

// Reads typed values of one detail log; a missing or mistyped key is an Error naming it.
class Reader {
 public:
  explicit Reader(const DetailLogValues& log) : log_(log) {}

  const util::Json* find(std::string_view key) const { return log_.find(key); }

  template <typename T>
  T get(std::string_view key) const {
    const util::Json* v = log_.find(key);
    if (v == nullptr) throw Error::format("mlperf_log_detail.txt: no '{}' entry", key);
    try {
      return v->get<T>();
    } catch (const util::Json::exception&) {
      throw Error::format("mlperf_log_detail.txt: '{}' has the wrong type ({})", key,
                          v->type_name());
    }
  }

  template <typename T>
  T get_or(std::string_view key, T fallback) const {
    return log_.find(key) ? get<T>(key) : fallback;
  }

 private:
  const DetailLogValues& log_;
};

Scenario parse_scenario_value(const std::string& s) {
  const auto scenario = loadgen::parse_scenario(s);
  if (!scenario) throw Error::format("mlperf_log_detail.txt: unknown effective_scenario '{}'", s);
  return *scenario;
}

EffectiveSettings effective_settings(const Reader& r, const loadgen::TestSettings& requested) {
  EffectiveSettings s;
  s.requested = requested;
  s.scenario = parse_scenario_value(r.get<std::string>("effective_scenario"));
  const auto mode = loadgen::parse_mode(r.get<std::string>("effective_test_mode"));
  if (!mode) throw Error("mlperf_log_detail.txt: unknown effective_test_mode");
  s.mode = *mode;
  s.samples_per_query = r.get<uint64_t>("effective_samples_per_query");
  s.target_qps = r.get<double>("effective_target_qps");
  s.target_latency_ns = r.get<uint64_t>("effective_target_latency_ns");
  s.target_latency_percentile = r.get<double>("effective_target_latency_percentile");
  s.max_async_queries = r.get<uint64_t>("effective_max_async_queries");
  s.target_duration_ms = r.get<uint64_t>("effective_target_duration_ms");
  s.min_duration_ms = r.get<uint64_t>("effective_min_duration_ms");
  s.max_duration_ms = r.get<uint64_t>("effective_max_duration_ms");
  s.min_query_count = r.get<uint64_t>("effective_min_query_count");
  s.max_query_count = r.get<uint64_t>("effective_max_query_count");
  s.min_sample_count = r.get<uint64_t>("effective_min_sample_count");
  s.qsl_rng_seed = r.get<uint64_t>("effective_qsl_rng_seed");
  s.sample_index_rng_seed = r.get<uint64_t>("effective_sample_index_rng_seed");
  s.schedule_rng_seed = r.get<uint64_t>("effective_schedule_rng_seed");
  s.accuracy_log_rng_seed = r.get<uint64_t>("effective_accuracy_log_rng_seed");
  s.accuracy_log_probability = r.get<double>("effective_accuracy_log_probability");
  s.accuracy_log_sampling_target = r.get<uint64_t>("effective_accuracy_log_sampling_target");
  s.print_timestamps = r.get<bool>("effective_print_timestamps");
  s.performance_issue_unique = r.get<bool>("effective_performance_issue_unique");
  s.performance_issue_same = r.get<bool>("effective_performance_issue_same");
  s.performance_issue_same_index = r.get<uint64_t>("effective_performance_issue_same_index");
  s.performance_sample_count = r.get<uint64_t>("effective_performance_sample_count");
  s.accuracy_sample_count = r.get_or<uint64_t>("effective_accuracy_sample_count", 0);
  s.sample_concatenate_permutation = r.get<bool>("effective_sample_concatenate_permutation");
  // The token settings have no effective_* keys: they are used as requested.
  s.use_token_latencies = requested.use_token_latencies;
  s.server_ttft_latency = requested.server_ttft_latency;
  s.server_tpot_latency = requested.server_tpot_latency;
  s.infer_token_latencies = requested.infer_token_latencies;
  s.token_latency_scaling_factor = requested.token_latency_scaling_factor;
  return s;
}

// LoadGen's DoubleToString(p * 100): "50.00", "99.90".
std::string percentile_label(double p) { return fmt::format("{:.2f}", p * 100); }

// `prefix`min/max/mean and the six percentiles; `at_target` is the one equal to `target`.
LatencyStats latency_stats(const Reader& r, const std::string& min_key, const std::string& max_key,
                           const std::string& mean_key, const std::string& percentile_prefix,
                           const std::string& percentile_suffix, double target) {
  LatencyStats l;
  l.min = r.get<int64_t>(min_key);
  l.max = r.get<int64_t>(max_key);
  l.mean = r.get<int64_t>(mean_key);
  for (size_t i = 0; i < loadgen::kLatencyPercentiles.size(); ++i) {
    const double p = loadgen::kLatencyPercentiles[i];
    l.percentiles[i] =
        r.get<int64_t>(percentile_prefix + percentile_label(p) + percentile_suffix);
    if (std::abs(p - target) < 1e-9) l.at_target = l.percentiles[i];
  }
  return l;
}

// (count - 1) / rate: the duration LoadGen divided by, back from the rate it logged.
double duration_from_rate(uint64_t count_minus_one, double rate) {
  return rate > 0 ? static_cast<double>(count_minus_one) / rate : 0;
}

void read_scenario_results(const Reader& r, PerformanceSummary& p) {
  auto& o = p.outcome;
  const uint64_t n = p.sample_count;
  switch (p.settings.scenario) {
    case Scenario::kOffline:
      o.max_latency_s = duration_from_rate(n, r.get<double>("result_samples_per_second"));
      break;
    case Scenario::kServer:
      o.final_query_scheduled_time_s =
          duration_from_rate(n - 1, r.get<double>("result_scheduled_samples_per_sec"));
      o.final_query_all_samples_done_time_s =
          duration_from_rate(n - 1, r.get<double>("result_completed_samples_per_sec"));
      p.overlatency_query_count = r.get<uint64_t>("result_overlatency_query_count");
      break;
    case Scenario::kSingleStream:
      o.final_query_issued_time_s =
          duration_from_rate(n - 1, r.get<double>("result_qps_with_loadgen_overhead"));
      p.early_stopping_latency_ss = r.get<int64_t>("early_stopping_latency_ss");
      p.early_stopping_latency_ms = r.get<int64_t>("early_stopping_latency_ms");
      break;
    case Scenario::kMultiStream:
      p.query_latency = latency_stats(
          r, "result_min_query_latency_ns", "result_max_query_latency_ns",
          "result_mean_query_latency_ns", "result_", "_percentile_per_query_latency_ns",
          p.settings.target_latency_percentile);
      p.early_stopping_latency_ms = r.get<int64_t>("early_stopping_latency_ms");
      break;
  }
}

void read_token_results(const Reader& r, PerformanceSummary& p) {
  const double target = p.settings.target_latency_percentile;
  p.first_token = latency_stats(r, "result_first_token_min_latency_ns",
                                "result_first_token_max_latency_ns",
                                "result_first_token_mean_latency_ns", "result_first_token_",
                                "_percentile_latency_ns", target);
  p.tpot = latency_stats(r, "result_time_to_output_token_min", "result_time_to_output_token_max",
                         "result_time_to_output_token_mean", "result_time_per_output_token_",
                         "_percentile_ns", target);
}

// The series' tokens from the logged token rate and the duration it was divided by.
int64_t tokens_from_rate(const Reader& r, const PerformanceSummary& p) {
  const auto& o = p.outcome;
  switch (p.settings.scenario) {
    case Scenario::kOffline:
      return std::llround(r.get<double>("result_tokens_per_second") * o.max_latency_s);
    case Scenario::kServer:
      return std::llround(r.get<double>("result_completed_tokens_per_second") *
                          o.final_query_all_samples_done_time_s);
    default:
      return std::llround(r.get<double>("result_token_throughput_with_loadgen_overhead") *
                          o.final_query_issued_time_s);
  }
}

}  // namespace

const util::Json* DetailLogValues::find(std::string_view key) const {
  const auto it = values.find(key);
  return it == values.end() ? nullptr : &it->second;
}

DetailLogValues read_detail_log(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error::format("{}: cannot read the detail log", path.string());
  DetailLogValues out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(kDetailPrefix, 0) != 0) continue;
    util::Json entry =
        util::Json::parse(line.substr(kDetailPrefix.size()), nullptr, /*allow_exceptions=*/false);
    if (!entry.is_object() || !entry.contains("key") || !entry["key"].is_string()) continue;
    const util::Json& meta = entry.value("metadata", util::Json::object());
    if (meta.value("is_error", false)) ++out.errors;
    if (meta.value("is_warning", false)) ++out.warnings;
    out.values[entry["key"].get<std::string>()] = std::move(entry["value"]);
  }
  return out;
}

uint64_t count_accuracy_entries(const std::filesystem::path& path) {
  const std::string text = util::read_file(path);
  uint64_t n = 0;
  for (size_t pos = text.find("\"seq_id\""); pos != std::string::npos;
       pos = text.find("\"seq_id\"", pos + 1)) {
    ++n;
  }
  return n;
}

std::optional<PerformanceSummary> performance_from_detail(const DetailLogValues& log,
                                                          const loadgen::TestSettings& requested,
                                                          std::optional<int64_t> token_count) {
  const Reader r(log);
  if (!r.find("result_validity")) return std::nullopt;
  PerformanceSummary p;
  p.sut_name = r.get_or<std::string>("sut_name", "");
  p.settings = effective_settings(r, requested);
  p.outcome.queries_issued = r.get<uint64_t>("result_query_count");
  p.sample_count = p.outcome.queries_issued * r.get<uint64_t>("generated_samples_per_query");
  p.perf_constraints_met = r.get_or<bool>("result_perf_constraints_met", true);
  p.min_duration_met = r.get<bool>("result_min_duration_met");
  p.min_queries_met = r.get<bool>("result_min_queries_met");
  p.early_stopping_met = r.get<bool>("early_stopping_met");
  p.early_stopping_text = r.get_or<std::string>("early_stopping_result", "");
  p.early_stopping_ttft_text = r.get_or<std::string>("early_stopping_ttft_result", "");
  p.early_stopping_tpot_text = r.get_or<std::string>("early_stopping_tpot_result", "");
  p.latency = latency_stats(r, "result_min_latency_ns", "result_max_latency_ns",
                            "result_mean_latency_ns", "result_", "_percentile_latency_ns",
                            p.settings.target_latency_percentile);
  read_scenario_results(r, p);
  const bool token_stats =
      p.settings.use_token_latencies && p.settings.scenario != Scenario::kOffline;
  if (token_stats) read_token_results(r, p);
  if (token_count) {
    p.token_count = *token_count;
  } else if (p.settings.use_token_latencies) {
    p.token_count = tokens_from_rate(r, p);
  }
  return p;
}

}  // namespace infermark::loadgen_official
