// LoadGen's normalised settings (`TestSettingsInternal`, loadgen-behaviour.md §3): what a run
// actually uses after the scenario rules, the QSL's counts and equal-issue padding are applied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/settings.h"

namespace infermark::loadgen {

class DetailLog;

// The fields of EffectiveSettings besides scenario and mode, in the order LoadGen logs them as
// effective_* keys (§10.3 item 5). This list drives the struct, the copies from the request, the
// effective_* log lines and the summary's "Test Parameters Used" block (result_logs.cc).
//
//   X(type, name, default, source, summary_label)
//     source: kDerived (computed by make_effective_settings), kCopied (the requested field of the
//       same name, as is), kCopiedUnlogged (copied, and not logged: LoadGen keeps the token
//       settings without logging them as effective).
//     summary_label: the line's label in "Test Parameters Used", or nullptr if not shown.
#define INFERMARK_LOADGEN_EFFECTIVE_SETTINGS(X)                                                    \
  X(uint64_t, samples_per_query, 1, kDerived, "samples_per_query : ")                              \
  X(double, target_qps, 1, kDerived, "target_qps : ")                                              \
  /* Server only; 0 elsewhere. With token latencies the summary shows ttft/tpot instead */         \
  X(uint64_t, target_latency_ns, 0, kDerived, "target_latency (ns): ")                             \
  X(double, target_latency_percentile, 0, kDerived, nullptr)                                       \
  X(uint64_t, max_async_queries, 0, kDerived, "max_async_queries : ")                              \
  X(uint64_t, target_duration_ms, 0, kDerived, nullptr)                                            \
  X(uint64_t, min_duration_ms, 0, kCopied, "min_duration (ms): ")                                  \
  X(uint64_t, max_duration_ms, 0, kCopied, "max_duration (ms): ")                                  \
  X(uint64_t, min_query_count, 0, kCopied, "min_query_count : ")                                   \
  X(uint64_t, max_query_count, 0, kCopied, "max_query_count : ")                                   \
  X(uint64_t, min_sample_count, 0, kDerived, nullptr)                                              \
  X(uint64_t, qsl_rng_seed, 0, kCopied, "qsl_rng_seed : ")                                         \
  X(uint64_t, sample_index_rng_seed, 0, kCopied, "sample_index_rng_seed : ")                       \
  X(uint64_t, schedule_rng_seed, 0, kCopied, "schedule_rng_seed : ")                               \
  X(uint64_t, accuracy_log_rng_seed, 0, kCopied, "accuracy_log_rng_seed : ")                       \
  X(double, accuracy_log_probability, 0, kCopied, "accuracy_log_probability : ")                   \
  X(uint64_t, accuracy_log_sampling_target, 0, kCopied, "accuracy_log_sampling_target : ")         \
  X(bool, print_timestamps, false, kCopied, "print_timestamps : ")                                 \
  X(bool, performance_issue_unique, false, kCopied, "performance_issue_unique : ")                 \
  X(bool, performance_issue_same, false, kCopied, "performance_issue_same : ")                     \
  X(uint64_t, performance_issue_same_index, 0, kCopied, "performance_issue_same_index : ")         \
  X(uint64_t, performance_sample_count, 0, kDerived, "performance_sample_count : ")                \
  X(uint64_t, accuracy_sample_count, 0, kDerived, "accuracy_sample_count : ")                      \
  /* The summary prints a warning instead when it is set */                                        \
  X(bool, sample_concatenate_permutation, false, kCopied, nullptr)                                 \
  X(bool, use_token_latencies, false, kCopiedUnlogged, nullptr)                                    \
  X(uint64_t, server_ttft_latency, 0, kCopiedUnlogged, nullptr)                                    \
  X(uint64_t, server_tpot_latency, 0, kCopiedUnlogged, nullptr)                                    \
  X(bool, infer_token_latencies, false, kCopiedUnlogged, nullptr)                                  \
  X(uint64_t, token_latency_scaling_factor, 0, kCopiedUnlogged, nullptr)

struct EffectiveSettings {
  TestSettings requested;

  Scenario scenario = Scenario::kOffline;
  Mode mode = Mode::kPerformanceOnly;
#define INFERMARK_DECLARE_FIELD(type, name, init, source, summary_label) type name = init;
  INFERMARK_LOADGEN_EFFECTIVE_SETTINGS(INFERMARK_DECLARE_FIELD)
#undef INFERMARK_DECLARE_FIELD

  // Settings LoadGen logs as errors but does not refuse (e.g. issue_same_index out of range).
  std::vector<std::string> validation_errors;
};

// Normalises `requested` for a QSL reporting `qsl_performance_count` and `qsl_total_count`
// (both >= 1).
EffectiveSettings make_effective_settings(const TestSettings& requested,
                                          uint64_t qsl_performance_count,
                                          uint64_t qsl_total_count);

// Writes the requested_* keys, then the effective_* keys, in LoadGen's order (§10.3 items 4–5).
void log_settings(DetailLog& log, const EffectiveSettings& s);

}  // namespace infermark::loadgen
