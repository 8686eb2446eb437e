#include "loadgen/result_logs.h"

#include <fmt/format.h>

#include <algorithm>

#include "loadgen/log_format.h"

namespace infermark::loadgen {
namespace {

class Lines {
 public:
  void add(const std::string& s) { out_ += s + "\n"; }
  template <typename T>
  void add(const std::string& label, const T& v) {
    if constexpr (std::is_same_v<T, double>) {
      out_ += label + format_g(v) + "\n";
    } else if constexpr (std::is_same_v<T, bool>) {
      out_ += label + (v ? "1" : "0") + "\n";
    } else {
      out_ += label + fmt::format("{}", v) + "\n";
    }
  }
  std::string str() && { return std::move(out_); }

 private:
  std::string out_;
};

std::string pct_label(double p) { return format_fixed(p * 100, 2); }

void add_latency_block(Lines& out, const LatencyStats& s) {
  out.add("Min latency (ns)                : ", s.min);
  out.add("Max latency (ns)                : ", s.max);
  out.add("Mean latency (ns)               : ", s.mean);
  for (size_t i = 0; i < kLatencyPercentiles.size(); ++i) {
    out.add(pct_label(kLatencyPercentiles[i]) + " percentile latency (ns)   : ", s.percentiles[i]);
  }
}

void add_token_blocks(Lines& out, const PerformanceSummary& r) {
  const EffectiveSettings& s = r.settings;
  const SeriesOutcome& o = r.outcome;
  out.add("");
  if (s.scenario == Scenario::kSingleStream) {
    out.add("TPS w/ loadgen overhead         : " +
            format_fixed(r.token_count / o.final_query_issued_time_s, 2));
    const double mean_s = r.latency.mean / 1e9;
    out.add("TPS w/o loadgen overhead        : " +
            format_fixed(static_cast<double>(r.token_count) / (mean_s * r.sample_count), 2));
  } else if (s.scenario == Scenario::kServer) {
    out.add("Completed tokens per second                 : ",
            format_fixed(r.token_count / o.final_query_all_samples_done_time_s, 2));
  }
  if (s.scenario == Scenario::kOffline) return;
  out.add("Min First Token latency (ns)                : ", r.first_token.min);
  out.add("Max First Token latency (ns)                : ", r.first_token.max);
  out.add("Mean First Token latency (ns)               : ", r.first_token.mean);
  for (size_t i = 0; i < kLatencyPercentiles.size(); ++i) {
    out.add(pct_label(kLatencyPercentiles[i]) + " percentile first token latency (ns)   : ",
            r.first_token.percentiles[i]);
  }
  out.add("");
  out.add("Min Time per Output Token (ns)                : ", r.tpot.min);
  out.add("Max Time per Output Token (ns)                : ", r.tpot.max);
  out.add("Mean Time per Output Token (ns)               : ", r.tpot.mean);
  for (size_t i = 0; i < kLatencyPercentiles.size(); ++i) {
    out.add(pct_label(kLatencyPercentiles[i]) + " percentile time to output token (ns)   : ",
            r.tpot.percentiles[i]);
  }
}

template <typename T>
void add_parameter(Lines& out, const EffectiveSettings& s, std::string_view field,
                   const char* label, const T& value) {
  if (label == nullptr) return;
  if (field == "target_latency_ns" && s.use_token_latencies) {  // LoadGen shows the token limits
    out.add("ttft_latency (ns): ", s.server_ttft_latency);
    out.add("tpot_latency (ns): ", s.server_tpot_latency);
    return;
  }
  out.add(label, value);
}

void add_test_parameters(Lines& out, const EffectiveSettings& s) {
  out.add("\n================================================\nTest Parameters Used\n"
          "================================================");
#define INFERMARK_ADD_PARAMETER(type, name, init, source, summary_label) \
  add_parameter(out, s, #name, summary_label, s.name);
  INFERMARK_LOADGEN_EFFECTIVE_SETTINGS(INFERMARK_ADD_PARAMETER)
#undef INFERMARK_ADD_PARAMETER
  if (s.sample_concatenate_permutation) {
    out.add("WARNING: sample_concatenate_permutation was set to true. \n"
            "Generated samples per query might be different as the one in the setting.\n"
            "Check the generated_samples_per_query line in the detailed log for the real\n"
            "samples_per_query value");
  }
}

// "SUT name" down to the scenario's headline metrics (samples, tokens, inferred tokens).
void add_headline(Lines& out, const PerformanceSummary& r) {
  const EffectiveSettings& s = r.settings;
  const SeriesOutcome& o = r.outcome;
  const std::string target_pct = format_fixed(s.target_latency_percentile * 100, 1);
  out.add("================================================\nMLPerf Results Summary\n"
          "================================================");
  out.add("SUT name : ", r.sut_name);
  out.add("Scenario : ", to_string(s.scenario));
  out.add("Mode     : ", to_string(s.mode));
  switch (s.scenario) {
    case Scenario::kSingleStream:
      out.add(target_pct + "th percentile latency (ns) : ", r.latency.at_target);
      break;
    case Scenario::kMultiStream:
      out.add(target_pct + "th percentile latency (ns) : ", r.query_latency.at_target);
      break;
    case Scenario::kServer:
      out.add("Completed samples per second    : ",
              format_fixed((r.sample_count - 1.0) / o.final_query_all_samples_done_time_s, 2));
      break;
    case Scenario::kOffline:
      out.add("Samples per second: ", r.sample_count / o.max_latency_s);
      break;
  }
  if (s.use_token_latencies) {
    switch (s.scenario) {
      case Scenario::kSingleStream:
      case Scenario::kMultiStream:
        out.add(target_pct + "th first token percentile latency (ns) : ", r.first_token.at_target);
        break;
      case Scenario::kOffline:
        out.add("Tokens per second: ", r.token_count / o.max_latency_s);
        break;
      case Scenario::kServer:
        out.add("Completed tokens per second: ",
                format_fixed(r.token_count / o.final_query_all_samples_done_time_s, 2));
        break;
    }
  }
  if (s.infer_token_latencies) {
    const double f = static_cast<double>(s.token_latency_scaling_factor);
    if (s.scenario == Scenario::kOffline) {
      out.add("Tokens per second (inferred): ", f * r.sample_count / o.max_latency_s);
    } else if (s.scenario == Scenario::kServer) {
      out.add("Completed tokens per second (inferred): ",
              format_fixed(f * (r.sample_count - 1.0) / o.final_query_all_samples_done_time_s, 2));
    }
  }
}

// "Result is" with each check, the recommendations of an invalid run, and early stopping.
void add_validity(Lines& out, const PerformanceSummary& r) {
  const EffectiveSettings& s = r.settings;
  out.add("Result is : ", std::string(r.valid() ? "VALID" : "INVALID"));
  if (s.scenario == Scenario::kServer) {
    out.add("  Performance constraints satisfied : ",
            std::string(r.perf_constraints_met ? "Yes" : "NO"));
  }
  out.add("  Min duration satisfied : ", std::string(r.min_duration_met ? "Yes" : "NO"));
  out.add("  Min queries satisfied : ", std::string(r.min_queries_met ? "Yes" : "NO"));
  out.add("  Early stopping satisfied: ", std::string(r.early_stopping_met ? "Yes" : "NO"));
  if (!r.valid()) {
    out.add("Recommendations:");
    if (!r.perf_constraints_met) out.add(" * " + r.perf_recommendation);
    if (!r.min_duration_met) out.add(" * " + r.min_duration_recommendation);
    if (!r.min_queries_met) {
      out.add(" * The test exited early, before enough queries were issued.\n"
              "   See the detailed log for why this may have occurred.");
    }
    if (r.outcome.interrupted) out.add(" * The run was interrupted before it finished.");
    if (!r.outcome.sut_invalid_reason.empty()) {
      out.add(" * The system under test failed: " + r.outcome.sut_invalid_reason);
    }
    if (r.outcome.failure) out.add(" * The system under test failed: " + *r.outcome.failure);
  }
  if (s.scenario == Scenario::kOffline) return;
  if (!s.use_token_latencies) {
    out.add("Early Stopping Result:");
    out.add(r.early_stopping_text);
  } else {
    out.add("TTFT Early Stopping Result:");
    out.add(r.early_stopping_ttft_text);
    out.add("TPOT Early Stopping Result:");
    out.add(r.early_stopping_tpot_text);
  }
}

// "Additional Stats": throughput variants and the latency blocks.
void add_additional_stats(Lines& out, const PerformanceSummary& r) {
  const EffectiveSettings& s = r.settings;
  const SeriesOutcome& o = r.outcome;
  out.add("\n================================================\nAdditional Stats\n"
          "================================================");
  if (s.scenario == Scenario::kSingleStream) {
    out.add("QPS w/ loadgen overhead         : " +
            format_fixed((r.sample_count - 1.0) / o.final_query_issued_time_s, 2));
    out.add("QPS w/o loadgen overhead        : " + format_fixed(1 / (r.latency.mean / 1e9), 2));
    out.add("");
  } else if (s.scenario == Scenario::kServer) {
    out.add("Scheduled samples per second : ",
            format_fixed((r.sample_count - 1.0) / o.final_query_scheduled_time_s, 2));
  } else if (s.scenario == Scenario::kMultiStream) {
    out.add("Per-query latency:  ");
    add_latency_block(out, r.query_latency);
  }
  if (s.scenario != Scenario::kMultiStream) add_latency_block(out, r.latency);
  if (s.use_token_latencies) add_token_blocks(out, r);
}

std::string one_line(std::string t) {
  std::replace(t.begin(), t.end(), '\n', ' ');
  return t;
}

// result_validity ... early_stopping_*_result.
void log_validity(DetailLog& log, const PerformanceSummary& r) {
  const EffectiveSettings& s = r.settings;
  log.value("result_validity", r.valid() ? "VALID" : "INVALID");
  if (s.scenario == Scenario::kServer) {
    log.value("result_perf_constraints_met", r.perf_constraints_met);
  }
  log.value("result_min_duration_met", r.min_duration_met);
  log.value("result_min_queries_met", r.min_queries_met);
  log.value("early_stopping_met", r.early_stopping_met);
  if (!r.valid()) {
    std::string reason;
    if (!r.perf_constraints_met) reason += r.perf_recommendation + " ";
    if (!r.min_duration_met) reason += r.min_duration_recommendation + " ";
    if (!r.min_queries_met) reason += "The test exited early, before enough queries were issued.";
    if (r.outcome.interrupted) reason += "The run was interrupted.";
    if (!r.outcome.sut_invalid_reason.empty()) {
      reason += " The system under test failed: " + r.outcome.sut_invalid_reason;
    }
    if (r.outcome.failure) reason += " The system under test failed: " + *r.outcome.failure;
    log.value("result_invalid_reason", one_line(reason));
  }
  if (!s.use_token_latencies) {
    log.value("early_stopping_result", one_line(r.early_stopping_text));
  } else {
    log.value("early_stopping_ttft_result", one_line(r.early_stopping_ttft_text));
    log.value("early_stopping_tpot_result", one_line(r.early_stopping_tpot_text));
  }
}

void log_percentiles(DetailLog& log, const std::string& prefix, const std::string& suffix,
                     const std::array<int64_t, 6>& values) {
  for (size_t i = 0; i < kLatencyPercentiles.size(); ++i) {
    log.value(prefix + pct_label(kLatencyPercentiles[i]) + suffix, values[i]);
  }
}

// The query count and the scenario's own result keys.
void log_scenario_results(DetailLog& log, const PerformanceSummary& r) {
  const SeriesOutcome& o = r.outcome;
  log.value("result_query_count", o.queries_issued);
  if (r.settings.scenario == Scenario::kServer) {
    log.value("result_overlatency_query_count", r.overlatency_query_count);
  }
  const double n = static_cast<double>(r.sample_count);
  switch (r.settings.scenario) {
    case Scenario::kSingleStream:
      log.value("result_qps_with_loadgen_overhead", (n - 1) / o.final_query_issued_time_s);
      log.value("result_qps_without_loadgen_overhead", 1 / (r.latency.mean / 1e9));
      log.value("early_stopping_latency_ss", r.early_stopping_latency_ss);
      log.value("early_stopping_latency_ms", r.early_stopping_latency_ms);
      break;
    case Scenario::kMultiStream:
      log.value("result_min_query_latency_ns", r.query_latency.min);
      log.value("result_max_query_latency_ns", r.query_latency.max);
      log.value("result_mean_query_latency_ns", r.query_latency.mean);
      log_percentiles(log, "result_", "_percentile_per_query_latency_ns",
                      r.query_latency.percentiles);
      log.value("early_stopping_latency_ms", r.early_stopping_latency_ms);
      break;
    case Scenario::kServer:
      log.value("result_scheduled_samples_per_sec", (n - 1) / o.final_query_scheduled_time_s);
      log.value("result_completed_samples_per_sec",
                (n - 1) / o.final_query_all_samples_done_time_s);
      break;
    case Scenario::kOffline:
      log.value("result_samples_per_second", n / o.max_latency_s);
      break;
  }
}

// First-token, throughput and per-output-token keys of a run with token latencies.
void log_token_results(DetailLog& log, const PerformanceSummary& r) {
  const SeriesOutcome& o = r.outcome;
  const auto tokens = static_cast<double>(r.token_count);
  if (r.settings.scenario == Scenario::kOffline) {
    log.value("result_tokens_per_second", tokens / o.max_latency_s);
    return;
  }
  log.value("result_first_token_min_latency_ns", r.first_token.min);
  log.value("result_first_token_max_latency_ns", r.first_token.max);
  log.value("result_first_token_mean_latency_ns", r.first_token.mean);
  log_percentiles(log, "result_first_token_", "_percentile_latency_ns", r.first_token.percentiles);
  log.value("result_token_throughput_with_loadgen_overhead", tokens / o.final_query_issued_time_s);
  log.value("result_token_throughput",
            tokens / (static_cast<double>(r.latency.mean) * static_cast<double>(r.sample_count)));
  log_percentiles(log, "result_time_per_output_token_", "_percentile_ns", r.tpot.percentiles);
  log.value("result_time_to_output_token_min", r.tpot.min);
  log.value("result_time_to_output_token_max", r.tpot.max);
  log.value("result_time_to_output_token_mean", r.tpot.mean);
  log.value("result_completed_tokens_per_second", tokens / o.final_query_all_samples_done_time_s);
}

void log_inferred_token_results(DetailLog& log, const PerformanceSummary& r) {
  const SeriesOutcome& o = r.outcome;
  const double n = static_cast<double>(r.sample_count);
  const double f = static_cast<double>(r.settings.token_latency_scaling_factor);
  if (r.settings.scenario == Scenario::kServer) {
    log.value("result_inferred_completed_tokens_per_second",
              (n - 1) * f / o.final_query_all_samples_done_time_s);
  } else if (r.settings.scenario == Scenario::kOffline) {
    log.value("result_inferred_tokens_per_second", n * f / o.max_latency_s);
  }
}

}  // namespace

std::string format_summary(const PerformanceSummary& r) {
  Lines out;
  add_headline(out, r);
  add_validity(out, r);
  add_additional_stats(out, r);
  add_test_parameters(out, r.settings);
  return std::move(out).str();
}

std::string format_summary_footer(int warnings, int errors) {
  std::string w = warnings == 0   ? "No warnings encountered during test."
                  : warnings == 1 ? "1 warning encountered. See detailed log."
                                  : fmt::format("{} warnings encountered. See detailed log.",
                                                warnings);
  std::string e = errors == 0   ? "No errors encountered during test."
                  : errors == 1 ? "1 ERROR encountered. See detailed log."
                                : fmt::format("{} ERRORS encountered. See detailed log.", errors);
  return "\n" + w + "\n\n" + e + "\n";
}

void log_results(DetailLog& log, const PerformanceSummary& r) {
  log_validity(log, r);
  log_scenario_results(log, r);
  log.value("result_min_latency_ns", r.latency.min);
  log.value("result_max_latency_ns", r.latency.max);
  log.value("result_mean_latency_ns", r.latency.mean);
  log_percentiles(log, "result_", "_percentile_latency_ns", r.latency.percentiles);
  if (r.settings.use_token_latencies) log_token_results(log, r);
  if (r.settings.infer_token_latencies) log_inferred_token_results(log, r);
  log.value("num_errors", log.error_count());
}

}  // namespace infermark::loadgen
