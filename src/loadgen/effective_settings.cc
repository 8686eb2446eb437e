#include "loadgen/effective_settings.h"

#include <algorithm>

#include "loadgen/detail_log.h"

namespace infermark::loadgen {
namespace {

// The requested_log column of INFERMARK_LOADGEN_TEST_SETTINGS (settings.h).
enum class RequestedLog {
  kSingleStream,
  kMultiStream,
  kServer,
  kOffline,
  kAlways,
  kWithTokens,
  kWithFirstTokens,
  kNever
};

// The source column of INFERMARK_LOADGEN_EFFECTIVE_SETTINGS.
enum class Source { kDerived, kCopied, kCopiedUnlogged };

bool logs_requested(RequestedLog when, const TestSettings& r) {
  switch (when) {
    case RequestedLog::kSingleStream: return r.scenario == Scenario::kSingleStream;
    case RequestedLog::kMultiStream: return r.scenario == Scenario::kMultiStream;
    case RequestedLog::kServer: return r.scenario == Scenario::kServer;
    case RequestedLog::kOffline: return r.scenario == Scenario::kOffline;
    case RequestedLog::kAlways: return true;
    case RequestedLog::kWithTokens: return r.use_token_latencies;
    case RequestedLog::kWithFirstTokens:
      return r.use_token_latencies && r.scenario != Scenario::kOffline;
    case RequestedLog::kNever: return false;
  }
  return false;
}

// The fields a run takes from the request unchanged.
void copy_requested_fields(const TestSettings& r, EffectiveSettings& s) {
#define INFERMARK_COPY_kDerived(name)
#define INFERMARK_COPY_kCopied(name) s.name = r.name;
#define INFERMARK_COPY_kCopiedUnlogged(name) s.name = r.name;
#define INFERMARK_COPY_FIELD(type, name, init, source, summary_label) INFERMARK_COPY_##source(name)
  INFERMARK_LOADGEN_EFFECTIVE_SETTINGS(INFERMARK_COPY_FIELD)
#undef INFERMARK_COPY_FIELD
#undef INFERMARK_COPY_kCopiedUnlogged
#undef INFERMARK_COPY_kCopied
#undef INFERMARK_COPY_kDerived
}

// Target QPS, latency target and percentile, outstanding-query limit and samples per query of
// the scenario (§3 "Per scenario").
void apply_scenario_rules(const TestSettings& r, EffectiveSettings& s) {
  switch (r.scenario) {
    case Scenario::kSingleStream:
      s.target_qps = 1e9 / r.single_stream_expected_latency_ns;
      s.max_async_queries = 1;
      s.target_latency_percentile = r.single_stream_target_latency_percentile;
      break;
    case Scenario::kMultiStream:
      s.target_qps = 1e9 / r.multi_stream_expected_latency_ns;
      s.max_async_queries = 1;
      s.target_latency_percentile = r.multi_stream_target_latency_percentile;
      s.samples_per_query = r.multi_stream_samples_per_query;
      break;
    case Scenario::kServer:
      if (r.server_target_qps >= 0.0) {
        s.target_qps = r.server_target_qps;
      } else {
        s.validation_errors.push_back("Invalid value for server_target_qps requested.");
      }
      s.target_latency_ns = r.server_target_latency_ns;
      s.target_latency_percentile = r.server_target_latency_percentile;
      s.max_async_queries = r.server_max_async_queries;
      break;
    case Scenario::kOffline: {
      s.target_latency_percentile = 0.99;
      if (r.offline_expected_qps >= 0.0) {
        s.target_qps = r.offline_expected_qps;
      } else {
        s.validation_errors.push_back("Invalid value for offline_expected_qps requested.");
      }
      s.max_async_queries = 1;
      const double target_sample_count = 1.1 * (r.min_duration_ms / 1000.0) * s.target_qps;
      s.samples_per_query =
          r.performance_issue_unique
              ? s.performance_sample_count
              : std::max<uint64_t>(r.min_query_count, static_cast<uint64_t>(target_sample_count));
      s.min_query_count = 1;
      s.target_duration_ms = 0;
      break;
    }
  }
}

// SingleStream equal issue: at least two minimum durations of queries, padded past a multiple
// of the QSL's own performance count (not the override), a full count even when already a
// multiple (§3).
void pad_single_stream_equal_issue(const TestSettings& r, uint64_t qsl_performance_count,
                                   EffectiveSettings& s) {
  if (!r.sample_concatenate_permutation || r.scenario != Scenario::kSingleStream) return;
  const auto expected = static_cast<uint64_t>(2.0 * (r.min_duration_ms / 1000.0) * s.target_qps);
  s.min_query_count = std::max(s.min_query_count, expected);
  s.min_query_count += qsl_performance_count - (s.min_query_count % qsl_performance_count);
}

// The settings LoadGen logs as errors without refusing them.
void note_loadgen_validation_errors(const TestSettings& r, EffectiveSettings& s) {
  if (r.performance_issue_same && r.performance_issue_same_index >= s.performance_sample_count) {
    s.validation_errors.push_back(
        "Sample Idx to be repeated in performance_issue_same mode cannot be larger than loaded "
        "samples.");
  }
  if (r.performance_issue_unique && r.performance_issue_same) {
    s.validation_errors.push_back(
        "Performance_issue_unique and performance_issue_same, both cannot be true at the same "
        "time.");
  }
}

}  // namespace

EffectiveSettings make_effective_settings(const TestSettings& r, uint64_t qsl_performance_count,
                                          uint64_t qsl_total_count) {
  EffectiveSettings s;
  s.requested = r;
  s.scenario = r.scenario;
  s.mode = r.mode;
  copy_requested_fields(r, s);
  s.target_duration_ms = r.min_duration_ms;
  s.performance_sample_count = r.performance_sample_count_override != 0
                                   ? r.performance_sample_count_override
                                   : qsl_performance_count;
  s.accuracy_sample_count =
      r.accuracy_sample_count_override != 0 ? r.accuracy_sample_count_override : qsl_total_count;
  apply_scenario_rules(r, s);
  pad_single_stream_equal_issue(r, qsl_performance_count, s);
  s.min_sample_count = s.min_query_count * s.samples_per_query;
  note_loadgen_validation_errors(r, s);
  return s;
}

void log_settings(DetailLog& log, const EffectiveSettings& s) {
  const TestSettings& r = s.requested;
  log.value("requested_scenario", std::string(to_string(r.scenario)));
  log.value("requested_test_mode", std::string(to_string(r.mode)));
#define INFERMARK_LOG_REQUESTED(type, name, init, requested_log, conf_key) \
  if (logs_requested(RequestedLog::requested_log, r)) log.value("requested_" #name, r.name);
  INFERMARK_LOADGEN_TEST_SETTINGS(INFERMARK_LOG_REQUESTED)
#undef INFERMARK_LOG_REQUESTED

  log.value("effective_scenario", std::string(to_string(s.scenario)));
  log.value("effective_test_mode", std::string(to_string(s.mode)));
#define INFERMARK_LOG_EFFECTIVE(type, name, init, source, summary_label) \
  if (Source::source != Source::kCopiedUnlogged) log.value("effective_" #name, s.name);
  INFERMARK_LOADGEN_EFFECTIVE_SETTINGS(INFERMARK_LOG_EFFECTIVE)
#undef INFERMARK_LOG_EFFECTIVE
  for (const auto& e : s.validation_errors) log.error("error_invalid_test_settings", e);
}

}  // namespace infermark::loadgen
