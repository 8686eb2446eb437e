#include "loadgen/results.h"

#include <fmt/format.h>

#include <algorithm>

#include "loadgen/early_stopping.h"
#include "loadgen/issue_series.h"
#include "loadgen/log_format.h"

namespace infermark::loadgen {
namespace {

// Sorts `v` and computes LoadGen's statistics; the mean divides by `divisor` (sample_count for
// token metrics, as LoadGen does). Empty input gives zeros.
LatencyStats stats_of(std::vector<int64_t>& v, double target_percentile, uint64_t divisor) {
  LatencyStats s;
  if (v.empty()) return s;
  int64_t sum = 0;
  for (int64_t x : v) sum += x;
  s.mean = divisor == 0 ? 0 : sum / static_cast<int64_t>(divisor);
  std::sort(v.begin(), v.end());
  auto at = [&](double p) { return v[std::min(v.size() - 1, static_cast<size_t>(v.size() * p))]; };
  s.min = v.front();
  s.max = v.back();
  s.at_target = at(target_percentile);
  for (size_t i = 0; i < kLatencyPercentiles.size(); ++i) s.percentiles[i] = at(kLatencyPercentiles[i]);
  return s;
}

// The SingleStream/MultiStream early-stopping count: how many of the `queries` highest latencies
// may be discarded plus one (t), or 0 if there are too few queries; `h_min` is the least number
// of queries that would do.
int64_t early_stopping_discards(int64_t queries, double percentile, int64_t* h_min) {
  MinPassingQueriesFinder find(percentile);
  *h_min = find(1);
  if (queries < *h_min + 1) return 0;
  for (int64_t i = 2; i < queries + 1; ++i) {
    if (queries < find(i) + i) return i - 1;
  }
  return 1;
}

int64_t value_at(const std::vector<int64_t>& v, int64_t i) {
  return i >= 0 && static_cast<size_t>(i) < v.size() ? v[i] : 0;
}

// Early stopping of SingleStream (per-sample latencies) and MultiStream (per-query latencies):
// the percentile estimates, and SingleStream's extra 99th percentile estimate.
bool stream_early_stopping(PerformanceSummary& r, const std::vector<int64_t>& sample_latencies,
                           std::string& text) {
  const bool ss = r.settings.scenario == Scenario::kSingleStream;
  const std::vector<int64_t>& lat = ss ? sample_latencies : r.outcome.query_latencies;
  const auto q = static_cast<int64_t>(r.outcome.queries_issued);
  const double p = r.settings.target_latency_percentile;
  int64_t h_min = 0;
  const int64_t t = early_stopping_discards(q, p, &h_min);
  if (t == 0) {
    text = fmt::format(" * Only processed {} queries.\n * Need to process at least {} queries "
                       "for early stopping.",
                       q, h_min + 1);
    return false;
  }
  const int64_t est = value_at(lat, q - t);
  text = fmt::format(" * Processed at least {} queries ({}).\n * Would discard {} highest "
                     "latency queries.\n * Early stopping {}th percentile estimate: {}",
                     h_min + 1, q, t - 1, format_fixed(p * 100, 1), est);
  if (!ss) {
    r.early_stopping_latency_ms = est;
    return true;
  }
  r.early_stopping_latency_ss = est;
  constexpr double kMultiStreamPercentile = 0.99;
  const int64_t t99 = early_stopping_discards(q, kMultiStreamPercentile, &h_min);
  if (t99 == 0) {
    text += fmt::format("\n * Not enough queries processed for {}th percentile\n early "
                        "stopping estimate (would need to process at\n least {} total "
                        "queries).",
                        format_fixed(kMultiStreamPercentile * 100, 1), h_min + 1);
  } else {
    r.early_stopping_latency_ms = value_at(lat, q - t99);
    text += fmt::format("\n * Early stopping {}th percentile estimate: {}",
                        format_fixed(kMultiStreamPercentile * 100, 1),
                        r.early_stopping_latency_ms);
  }
  return true;
}

// Server early stopping: enough queries that the ones over `target_latency` cannot break the
// percentile.
bool server_early_stopping(const PerformanceSummary& r, const std::vector<int64_t>& latencies,
                           int64_t target_latency, std::string& text) {
  const auto q = static_cast<int64_t>(r.outcome.queries_issued);
  const auto t = static_cast<int64_t>(std::count_if(
      latencies.begin(), latencies.end(), [&](int64_t l) { return l > target_latency; }));
  const int64_t h = MinPassingQueriesFinder(r.settings.target_latency_percentile)(t);
  if (q >= h + t) {
    text = " * Run successful.";
    return true;
  }
  text = fmt::format(" * Run unsuccessful.\n * Processed {} queries.\n * Would need to run at "
                     "least {} more queries,\n with the run being successful if every "
                     "additional\n query were under latency.",
                     q, h + t - q);
  return false;
}

// LoadGen's EarlyStopping() for one latency array (sorted ascending); fills `text`.
bool early_stopping(PerformanceSummary& r, const std::vector<int64_t>& latencies,
                    int64_t target_latency, std::string& text) {
  switch (r.settings.scenario) {
    case Scenario::kSingleStream:
    case Scenario::kMultiStream: return stream_early_stopping(r, latencies, text);
    case Scenario::kServer: return server_early_stopping(r, latencies, target_latency, text);
    case Scenario::kOffline: return true;
  }
  return true;
}

void check_min_duration(PerformanceSummary& r) {
  const EffectiveSettings& s = r.settings;
  const double min_duration = s.min_duration_ms / 1000.0;
  switch (s.scenario) {
    case Scenario::kOffline:
      r.min_duration_met = r.outcome.max_latency_s >= min_duration;
      r.min_duration_recommendation =
          "Increase expected QPS so the loadgen pre-generates a larger (coalesced) query.";
      break;
    case Scenario::kServer:
      r.min_duration_met = r.outcome.final_query_scheduled_time_s >= min_duration;
      r.min_duration_recommendation =
          "Increase the target QPS so the loadgen pre-generates more queries.";
      break;
    case Scenario::kSingleStream:
    case Scenario::kMultiStream:
      r.min_duration_met = r.outcome.final_query_issued_time_s >= min_duration;
      r.min_duration_recommendation =
          "Decrease the expected latency so the loadgen pre-generates more queries.";
      break;
  }
  if (r.min_duration_met) r.min_duration_recommendation.clear();
}

void check_perf_constraints(PerformanceSummary& r) {
  const EffectiveSettings& s = r.settings;
  if (s.scenario != Scenario::kServer) return;
  if (!s.use_token_latencies) {
    if (r.latency.at_target > static_cast<int64_t>(s.target_latency_ns)) {
      r.perf_recommendation = "Reduce target QPS to improve latency.";
      r.perf_constraints_met = false;
    }
    return;
  }
  if (r.first_token.at_target > static_cast<int64_t>(s.server_ttft_latency)) {
    r.perf_recommendation = "TTFT constrain not met: Reduce target QPS to improve latency.";
    r.perf_constraints_met = false;
  }
  if (r.tpot.at_target > static_cast<int64_t>(s.server_tpot_latency)) {
    r.perf_recommendation += r.perf_recommendation.empty() ? "" : "\n * ";
    r.perf_recommendation += "TPOT constrain not met: Reduce target QPS to improve latency.";
    r.perf_constraints_met = false;
  }
}

}  // namespace

PerformanceSummary summarize(const EffectiveSettings& settings, std::string sut_name,
                             SeriesOutcome outcome) {
  PerformanceSummary r;
  r.sut_name = std::move(sut_name);
  r.settings = settings;
  r.outcome = std::move(outcome);
  SeriesOutcome& o = r.outcome;
  const double p = settings.target_latency_percentile;

  r.sample_count = o.sample_latencies.size();
  r.latency = stats_of(o.sample_latencies, p, r.sample_count);
  if (settings.scenario == Scenario::kServer) {
    r.overlatency_query_count = static_cast<uint64_t>(std::count_if(
        o.sample_latencies.begin(), o.sample_latencies.end(),
        [&](int64_t l) { return l > static_cast<int64_t>(settings.target_latency_ns); }));
  }
  if (settings.use_token_latencies) {
    for (int64_t n : o.tokens_per_sample) {
      if (n != kUnset) r.token_count += n;
    }
    if (!o.first_token_latencies.empty()) {
      r.first_token = stats_of(o.first_token_latencies, p, r.sample_count);
      r.tpot = stats_of(o.time_per_output_token, p, r.sample_count);
    }
  }
  if (settings.scenario == Scenario::kMultiStream) {
    r.query_latency = stats_of(o.query_latencies, p, o.query_latencies.size());
  }

  check_min_duration(r);
  r.min_queries_met = o.queries_issued >= settings.min_query_count &&
                      r.sample_count >= settings.min_sample_count;
  check_perf_constraints(r);
  if (!settings.use_token_latencies) {
    r.early_stopping_met = early_stopping(r, o.sample_latencies,
                                          static_cast<int64_t>(settings.target_latency_ns),
                                          r.early_stopping_text);
  } else {
    // LoadGen's short-circuit: TTFT is not evaluated when TPOT fails.
    r.early_stopping_met =
        early_stopping(r, o.time_per_output_token,
                       static_cast<int64_t>(settings.server_tpot_latency),
                       r.early_stopping_tpot_text) &&
        early_stopping(r, o.first_token_latencies,
                       static_cast<int64_t>(settings.server_ttft_latency),
                       r.early_stopping_ttft_text);
  }
  return r;
}

}  // namespace infermark::loadgen
