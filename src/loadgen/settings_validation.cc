#include "loadgen/settings_validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include "loadgen/query_plan.h"
#include "util/error.h"

namespace infermark::loadgen {
namespace {

constexpr uint64_t kMaxNs = std::numeric_limits<int64_t>::max();

// Checks of the request alone, then of its normalised form.
class Checks {
 public:
  Checks(const TestSettings& r, uint64_t loaded, const SettingsOrigins& origins)
      : r_(r), loaded_(loaded), origins_(origins) {}

  void scenario_rules() const;
  void durations_and_counts() const;
  void normalised(const EffectiveSettings& s) const;

 private:
  // "user.conf:3: *.Server.target_qps = 0", or "server_target_qps = 0" if no origin is known.
  template <typename T>
  std::string where(std::string_view field, const T& value) const {
    if (auto it = origins_.find(field); it != origins_.end()) return it->second;
    return fmt::format("{} = {}", field, value);
  }
  template <typename T>
  [[noreturn]] void fail(std::string_view field, const T& value, std::string_view problem) const {
    throw Error::format("{}: {}", where(field, value), problem);
  }
  void rate(std::string_view field, double qps) const {
    if (!(qps >= kMinQps) || !std::isfinite(qps)) {
      fail(field, qps,
           fmt::format("must be a number of at least {} (queries per second)", kMinQps));
    }
  }
  void expected_latency(std::string_view field, double ns) const {
    if (!(ns > 0) || !(1e9 / ns >= kMinQps)) {
      fail(field, ns, fmt::format("must be above 0 and at most {} ms", 1e3 / kMinQps));
    }
  }
  // Below 1: LoadGen's early stopping has no finite bound for the 100th percentile (its
  // formula divides by log(1) and converts the infinity to an integer).
  void percentile(std::string_view field, double value) const {
    if (!(value > 0 && value < 1)) {
      fail(field, value, "must be above 0 and below 1 (below 100 in a conf file, in percent)");
    }
  }
  void nanoseconds(std::string_view field, uint64_t value) const {
    if (value > kMaxNs) fail(field, value, fmt::format("must be at most {} ns", kMaxNs));
  }
  void multi_stream_samples_per_query() const;
  void samples_per_duration(std::string_view qps_field, double qps, double factor) const;

  const TestSettings& r_;
  const uint64_t loaded_;
  const SettingsOrigins& origins_;
};

void Checks::multi_stream_samples_per_query() const {
  const uint64_t spq = r_.multi_stream_samples_per_query;
  if (spq == 0) fail("multi_stream_samples_per_query", spq, "must be at least 1");
  if (spq <= loaded_) return;
  const uint64_t override_count = r_.performance_sample_count_override;
  const std::string loaded_from =
      override_count != 0 && override_count == loaded_
          ? where("performance_sample_count_override", override_count)
      : origins_.contains("sample_library") ? origins_.at("sample_library")
                                            : std::string("the sample library's counts");
  fail("multi_stream_samples_per_query", spq,
       fmt::format("a query needs {} samples but only {} samples are loaded at once ({})", spq,
                   loaded_, loaded_from));
}

// The samples a rate asks for over the minimum duration (`factor` durations: Offline's query,
// SingleStream's equal-issue count) must fit in a plan; checked before normalisation converts
// the count to an integer.
void Checks::samples_per_duration(std::string_view qps_field, double qps, double factor) const {
  const double samples = factor * (static_cast<double>(r_.min_duration_ms) / 1000.0) * qps;
  if (samples > static_cast<double>(kMaxPlannedSamples)) {
    throw Error::format("{} over {}: would pre-generate about {:.3g} samples; at most {} are "
                        "supported",
                        where(qps_field, qps), where("min_duration_ms", r_.min_duration_ms),
                        samples, kMaxPlannedSamples);
  }
}

void Checks::scenario_rules() const {
  switch (r_.scenario) {
    case Scenario::kSingleStream:
      expected_latency("single_stream_expected_latency_ns", r_.single_stream_expected_latency_ns);
      percentile("single_stream_target_latency_percentile",
                 r_.single_stream_target_latency_percentile);
      samples_per_duration("single_stream_expected_latency_ns",
                           1e9 / r_.single_stream_expected_latency_ns, 2.0);
      break;
    case Scenario::kMultiStream:
      expected_latency("multi_stream_expected_latency_ns", r_.multi_stream_expected_latency_ns);
      percentile("multi_stream_target_latency_percentile",
                 r_.multi_stream_target_latency_percentile);
      multi_stream_samples_per_query();
      break;
    case Scenario::kServer:
      rate("server_target_qps", r_.server_target_qps);
      percentile("server_target_latency_percentile", r_.server_target_latency_percentile);
      nanoseconds("server_target_latency_ns", r_.server_target_latency_ns);
      if (r_.use_token_latencies) {
        nanoseconds("server_ttft_latency", r_.server_ttft_latency);
        nanoseconds("server_tpot_latency", r_.server_tpot_latency);
      }
      if (r_.server_num_issue_query_threads > kMaxIssueThreads) {
        fail("server_num_issue_query_threads", r_.server_num_issue_query_threads,
             fmt::format("must be at most {}", kMaxIssueThreads));
      }
      if (r_.mode == Mode::kFindPeakPerformance) {
        rate("server_find_peak_qps_boundary_step_size",
             r_.server_find_peak_qps_boundary_step_size);
      }
      break;
    case Scenario::kOffline:
      rate("offline_expected_qps", r_.offline_expected_qps);
      samples_per_duration("offline_expected_qps", r_.offline_expected_qps, 1.1);
      break;
  }
}

void Checks::durations_and_counts() const {
  for (const auto& [field, value] : {std::pair{"min_duration_ms", r_.min_duration_ms},
                                     std::pair{"max_duration_ms", r_.max_duration_ms}}) {
    if (value > kMaxDurationMs) {
      fail(field, value, fmt::format("must be at most {} ms", kMaxDurationMs));
    }
  }
  if (r_.mode != Mode::kAccuracyOnly && r_.performance_issue_same &&
      r_.performance_issue_same_index >= loaded_) {
    fail("performance_issue_same_index", r_.performance_issue_same_index,
         fmt::format("must be below the {} samples loaded at once", loaded_));
  }
}

void Checks::normalised(const EffectiveSettings& s) const {
  if (s.mode == Mode::kAccuracyOnly) return;  // accuracy runs issue each loaded sample once
  if (s.scenario == Scenario::kOffline && s.samples_per_query == 0) {
    throw Error::format("{} and {} over {}: the Offline query would have no samples",
                        where("min_query_count", r_.min_query_count),
                        where("offline_expected_qps", r_.offline_expected_qps),
                        where("min_duration_ms", r_.min_duration_ms));
  }
  if (s.scenario != Scenario::kOffline && !s.performance_issue_unique &&
      s.min_query_count == 0 && s.target_duration_ms == 0) {
    throw Error::format("{} and {}: the run would issue no queries",
                        where("min_query_count", r_.min_query_count),
                        where("min_duration_ms", r_.min_duration_ms));
  }
  check_plan_fits(s, loaded_);
}

}  // namespace

void validate_settings(const TestSettings& requested, uint64_t qsl_performance_count,
                       uint64_t qsl_total_count, const SettingsOrigins& origins) {
  const uint64_t psc = requested.performance_sample_count_override != 0
                           ? requested.performance_sample_count_override
                           : qsl_performance_count;
  const Checks checks(requested, std::min(psc, qsl_total_count), origins);
  checks.scenario_rules();
  checks.durations_and_counts();
  checks.normalised(make_effective_settings(requested, qsl_performance_count, qsl_total_count));
}

}  // namespace infermark::loadgen
