#include "loadgen/outcome.h"

#include <algorithm>

namespace infermark::loadgen {

SeriesOutcome collect_outcome(const Series& series, const IssueStats& stats,
                              const EffectiveSettings& s) {
  SeriesOutcome o;
  o.queries_issued = stats.queries_issued;
  o.interrupted = stats.interrupted;
  o.sut_invalid_reason = stats.sut_invalid_reason;
  o.failure = stats.failure;
  const bool tokens = s.use_token_latencies;
  const bool first_tokens = tokens && s.scenario != Scenario::kOffline;
  const QueryPlan& plan = series.plan();
  int64_t max_latency = 0;
  size_t last_issued = 0;
  bool any_issued = false;
  for (size_t q = 0; q < plan.queries.size(); ++q) {
    const QueryState& qs = series.query(q);
    if (!qs.issued) continue;
    any_issued = true;
    last_issued = q;
    const PlannedQuery& pq = plan.queries[q];
    for (uint64_t i = pq.first_sample; i < pq.first_sample + pq.sample_count; ++i) {
      const SampleState& st = series.sample(i);
      if (st.complete_ns == kUnset) continue;  // never completed (interrupted run)
      const int64_t latency = st.complete_ns - qs.scheduled_ns;
      max_latency = std::max(max_latency, latency);
      o.sample_latencies.push_back(latency);
      if (!tokens) continue;
      o.tokens_per_sample.push_back(st.n_tokens);
      if (!first_tokens) continue;
      // A sample whose first token never came counts it at completion (an error is logged).
      const int64_t ttft =
          st.first_token_ns == kUnset ? latency : st.first_token_ns - qs.scheduled_ns;
      o.first_token_latencies.push_back(ttft);
      o.time_per_output_token.push_back((latency - ttft) / (st.n_tokens - 1));
    }
    if (s.scenario == Scenario::kMultiStream && qs.all_done_ns != kUnset) {
      o.query_latencies.push_back(qs.all_done_ns - qs.scheduled_ns);
    }
  }
  o.max_latency_s = max_latency / 1e9;
  if (any_issued) {
    const QueryState& last = series.query(last_issued);
    o.final_query_scheduled_time_s = plan.queries[last_issued].scheduled_delta_ns / 1e9;
    o.final_query_issued_time_s = (last.issued_ns - stats.start_ns) / 1e9;
    if (last.all_done_ns != kUnset) {
      o.final_query_all_samples_done_time_s = (last.all_done_ns - stats.start_ns) / 1e9;
    }
  }
  return o;
}

std::vector<int64_t> issue_delays(const Series& series) {
  std::vector<int64_t> out;
  for (size_t q = 0; q < series.query_count(); ++q) {
    const QueryState& qs = series.query(q);
    if (qs.issued) out.push_back(qs.issued_ns - qs.scheduled_ns);
  }
  return out;
}

int64_t max_completion_ns(const Series& series, int64_t fallback) {
  int64_t m = fallback;
  for (size_t i = 0; i < series.plan().samples.size(); ++i) {
    const int64_t t = series.sample(i).complete_ns;
    if (t != kUnset) m = std::max(m, t);
  }
  return m;
}

}  // namespace infermark::loadgen
