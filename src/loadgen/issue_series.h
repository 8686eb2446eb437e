// One issue series at run time: a QueryPlan plus what happens to each query and sample
// (scheduled/issued/completed times, first tokens, token counts), and the Recorder — the
// Responder the SUT reaches through the run's ResponseGate — that fills it in. Recording is
// wait-free for the caller except for samples selected for the accuracy log and for error
// reports, which take a lock.
//
// Response ids name a series and a slot: (series tag << 32) | ((slot + 1) << 3), the tag unique
// to the series in the process (2^32 - 1 series before tags repeat), so that a late response from
// an earlier series is recognised as unknown rather than recorded against a sample of a later
// one. As with LoadGen's pointer ids, neighbouring integers are not ids: a SUT that garbles an id
// is told so instead of completing another sample.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "loadgen/accuracy_log_writer.h"
#include "loadgen/detail_log.h"
#include "loadgen/interfaces.h"
#include "loadgen/live_counters.h"
#include "loadgen/query_plan.h"

namespace infermark::loadgen {

inline constexpr int64_t kUnset = INT64_MIN;

struct QueryState {
  int64_t scheduled_ns = kUnset;  // absolute, now_ns() clock
  int64_t issued_ns = kUnset;
  int64_t all_done_ns = kUnset;  // written by the thread completing its last sample
  std::atomic<uint64_t> remaining{0};
  bool issued = false;  // written by the issuing thread only
};

struct SampleState {
  static constexpr uint8_t kFirstToken = 1, kComplete = 2;
  std::atomic<uint8_t> flags{0};
  uint32_t query = 0;
  int64_t first_token_ns = kUnset;
  int64_t complete_ns = kUnset;
  int64_t n_tokens = kUnset;
};

class Series {
 public:
  // `log_accuracy[i]` says whether sample i's response goes to the accuracy log.
  Series(QueryPlan plan, std::vector<bool> log_accuracy);

  const QueryPlan& plan() const { return plan_; }
  size_t query_count() const { return plan_.queries.size(); }
  QueryState& query(size_t i) { return queries_[i]; }
  const QueryState& query(size_t i) const { return queries_[i]; }
  SampleState& sample(size_t i) { return samples_[i]; }
  const SampleState& sample(size_t i) const { return samples_[i]; }
  // The QuerySamples of queries [first, last], contiguous in issue order.
  std::span<const QuerySample> issue_span(size_t first_query, size_t last_query) const;
  bool logs_accuracy(size_t sample) const { return log_accuracy_[sample]; }

  // Returns the sample slot for `id`, or -1 if `id` is not one of this series' samples.
  int64_t slot_of(ResponseId id) const {
    if ((id >> 32) != tag_ || (id & 7) != 0) return -1;
    const uint64_t slot = ((id & 0xffffffffu) >> 3) - 1;  // wraps for slot bits 0: too large
    return slot < plan_.samples.size() ? static_cast<int64_t>(slot) : -1;
  }

  std::atomic<uint64_t> samples_completed{0};
  std::atomic<uint64_t> queries_completed{0};

 private:
  const uint64_t tag_;  // this series' ids are (tag_ << 32) | ((slot + 1) << 3)
  QueryPlan plan_;
  std::vector<bool> log_accuracy_;
  std::unique_ptr<QueryState[]> queries_;
  std::unique_ptr<SampleState[]> samples_;
  std::vector<QuerySample> issue_list_;
};

class Recorder final : public Responder {
 public:
  // `needs_first_token`: token latencies are measured and the scenario is not Offline.
  // `live`, if given, is counted into as responses arrive.
  Recorder(DetailLog& log, AccuracyLogWriter& accuracy, bool use_tokens, bool needs_first_token,
           LiveCounters* live = nullptr);

  // Routes responses to `series` from now on (nullptr: none expected).
  void set_series(Series* series);

  void first_token(std::span<const SampleResponse> responses) override;
  void complete(std::span<const SampleResponse> responses) override;
  void note(SutNote kind, std::string_view text) override;

  // Whether the SUT declared the run invalid (SutNote::kRunInvalid), and its first reason.
  bool run_invalid() const { return run_invalid_.load(std::memory_order_acquire); }
  std::string run_invalid_reason() const;

 private:
  // Records the completion of `slot`; false if it had completed already.
  bool record_completion(Series& s, int64_t slot, const SampleResponse& r, int64_t ts);
  void unknown_id(ResponseId id);

  DetailLog& log_;
  AccuracyLogWriter& accuracy_;
  const bool use_tokens_;
  const bool needs_first_token_;
  LiveCounters* const live_;
  std::atomic<Series*> series_{nullptr};
  std::mutex token_data_mu_;
  std::unordered_map<uint64_t, std::vector<std::byte>> token_data_;  // logged samples only
  std::atomic<bool> run_invalid_{false};
  mutable std::mutex invalid_mu_;
  std::string run_invalid_reason_;
};

}  // namespace infermark::loadgen
