#include "loadgen/issuer.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "loadgen/clock.h"

namespace infermark::loadgen {
namespace {

constexpr int64_t kStopPollNs = 50'000'000;       // how often long waits look at `stop`
constexpr int64_t kStopGraceNs = 10'000'000'000;  // how long a stopped run waits for stragglers

bool stop_requested(const std::atomic<bool>* stop) {
  return stop && stop->load(std::memory_order_relaxed);
}

// Waits until `deadline`; false if a stop came first.
bool wait_until_or_stop(int64_t deadline, const std::atomic<bool>* stop) {
  while (deadline - now_ns() > kStopPollNs) {
    if (stop_requested(stop)) return false;
    std::this_thread::sleep_for(std::chrono::nanoseconds(kStopPollNs));
  }
  wait_until_ns(deadline);
  return !stop_requested(stop);
}

// Waits until `counter` >= target: spins briefly, then polls with sleeps growing to `max_sleep`
// so that a long wait (an Offline run of an hour) costs next to no CPU, while a stop request or
// a deadline (`give_up_at`, 0 = none) can still end it. False if it ended early.
bool wait_for_count(const std::atomic<uint64_t>& counter, uint64_t target,
                    const std::atomic<bool>* stop, int64_t give_up_at = 0,
                    std::chrono::microseconds max_sleep = std::chrono::microseconds(1000)) {
  const int64_t spin_until = now_ns() + 20'000;
  std::chrono::microseconds sleep(10);
  while (counter.load(std::memory_order_acquire) < target) {
    const int64_t now = now_ns();
    if (give_up_at != 0 && now > give_up_at) return false;
    if (give_up_at == 0 && stop_requested(stop)) return false;
    if (now > spin_until) {
      std::this_thread::sleep_for(sleep);
      sleep = std::min(sleep * 2, max_sleep);
    } else {
      cpu_relax();
    }
  }
  return true;
}

struct SharedIssueState {
  std::atomic<uint64_t> queries_issued{0};
  std::atomic<uint64_t> samples_issued{0};
  std::atomic<bool> interrupted{false};
};

struct ThreadLimits {
  uint64_t min_queries;
  uint64_t max_queries;  // 0 = none
};

// Thread k of n gets ceil-split shares of min_query_count and max_query_count.
ThreadLimits limits_for_thread(const EffectiveSettings& s, uint64_t k, uint64_t n) {
  auto split = [&](uint64_t total) { return total / n + (k < total % n ? 1 : 0); };
  return {split(s.min_query_count), s.max_query_count == 0 ? 0 : split(s.max_query_count)};
}

class IssueThread {
 public:
  IssueThread(Series& series, SystemUnderTest& sut, Recorder& recorder,
              const EffectiveSettings& s, Mode mode, DetailLog& log, const std::atomic<bool>* stop,
              SharedIssueState& shared, int64_t start, uint64_t k, uint64_t n)
      : series_(series), sut_(sut), recorder_(recorder), s_(s), mode_(mode), log_(log),
        stop_(stop), shared_(shared), start_(start), k_(k), n_(n),
        limits_(limits_for_thread(s, k, n)) {}

  void run();

 private:
  // Waits for query q's moment and stamps its scheduled/issued times. Returns the last query
  // sent with it (coalescing), or -1 if a stop came first.
  int64_t schedule(size_t q);
  // Performance-mode ending conditions after an issue; true to stop issuing.
  bool should_end(uint64_t issued_by_me);

  Series& series_;
  SystemUnderTest& sut_;
  Recorder& recorder_;
  const EffectiveSettings& s_;
  const Mode mode_;
  DetailLog& log_;
  const std::atomic<bool>* stop_;
  SharedIssueState& shared_;
  const int64_t start_;
  const uint64_t k_, n_;
  const ThreadLimits limits_;
  bool ended_naturally_ = false;
  bool ended_by_error_ = false;
};

int64_t IssueThread::schedule(size_t q) {
  QueryState& qs = series_.query(q);
  const auto& planned = series_.plan().queries;
  int64_t last = static_cast<int64_t>(q);
  switch (s_.scenario) {
    case Scenario::kServer: {
      qs.scheduled_ns = start_ + planned[q].scheduled_delta_ns;
      if (!wait_until_or_stop(qs.scheduled_ns, stop_)) return -1;
      qs.issued_ns = now_ns();
      if (s_.requested.server_coalesce_queries && n_ == 1) {
        while (static_cast<size_t>(last + 1) < planned.size() &&
               start_ + planned[last + 1].scheduled_delta_ns <= qs.issued_ns) {
          QueryState& next = series_.query(++last);
          next.scheduled_ns = start_ + planned[last].scheduled_delta_ns;
          next.issued_ns = qs.issued_ns;
        }
      }
      break;
    }
    case Scenario::kOffline:
      qs.scheduled_ns = start_;
      qs.issued_ns = now_ns();
      break;
    case Scenario::kSingleStream:
    case Scenario::kMultiStream:
      // Between queries: the gap is not measured (latency starts at the next issue), so
      // polling at up to 50 us only costs a little throughput.
      if (!wait_for_count(series_.queries_completed, shared_.queries_issued.load(), stop_, 0,
                          std::chrono::microseconds(50))) {
        return -1;
      }
      qs.scheduled_ns = qs.issued_ns = now_ns();
      break;
  }
  return last;
}

bool IssueThread::should_end(uint64_t issued_by_me) {
  if (mode_ == Mode::kAccuracyOnly) return false;
  if (recorder_.run_invalid()) {  // logged by the recorder; nothing more to measure
    ended_by_error_ = true;
    return true;
  }
  const int64_t elapsed = now_ns() - start_;
  if (s_.scenario == Scenario::kServer) {
    const uint64_t outstanding =
        shared_.queries_issued.load() - series_.queries_completed.load();
    if (s_.max_async_queries != 0 && outstanding > s_.max_async_queries) {
      log_.error("error_runtime",
                 fmt::format("IssueQueryThread {} Ending early: Too many outstanding queries. "
                             "issued {} outstanding {}",
                             k_, shared_.queries_issued.load(), outstanding));
      ended_by_error_ = true;
      return true;
    }
  } else if (issued_by_me >= limits_.min_queries &&
             elapsed >= static_cast<int64_t>(s_.target_duration_ms) * 1000000) {
    log_.message("Ending naturally: Minimum query count and test duration met.");
    ended_naturally_ = true;
    return true;
  }
  if (limits_.max_queries != 0 && issued_by_me >= limits_.max_queries) {
    log_.error("error_runtime", fmt::format("IssueQueryThread {} Ending early: Max query count "
                                            "reached. query_count {}",
                                            k_, issued_by_me));
    ended_by_error_ = true;
    return true;
  }
  if (s_.max_duration_ms != 0 && elapsed > static_cast<int64_t>(s_.max_duration_ms) * 1000000) {
    log_.error("error_runtime", fmt::format("IssueQueryThread {} Ending early: Max test duration "
                                            "reached. duration_ns {}",
                                            k_, elapsed));
    ended_by_error_ = true;
    return true;
  }
  return false;
}

void IssueThread::run() {
  use_precise_sleeps();
  uint64_t issued_by_me = 0;
  const auto& planned = series_.plan().queries;
  for (size_t q = k_; q < planned.size(); q += n_) {
    if (stop_requested(stop_)) {
      shared_.interrupted = true;
      break;
    }
    const int64_t last = schedule(q);
    if (last < 0) {
      shared_.interrupted = true;
      break;
    }
    for (size_t j = q; j <= static_cast<size_t>(last); ++j) series_.query(j).issued = true;
    const auto span = series_.issue_span(q, last);
    const uint64_t count = static_cast<uint64_t>(last) - q + 1;
    shared_.queries_issued.fetch_add(count, std::memory_order_acq_rel);
    shared_.samples_issued.fetch_add(span.size(), std::memory_order_relaxed);
    sut_.issue(span, recorder_);
    issued_by_me += count;
    q = static_cast<size_t>(last);
    if (should_end(issued_by_me)) break;
  }
  if (mode_ != Mode::kAccuracyOnly && s_.scenario != Scenario::kServer && !ended_naturally_ &&
      !ended_by_error_ && !shared_.interrupted) {
    log_.error("error_runtime",
               "Ending early: Ran out of generated queries to issue before the minimum query "
               "count and test duration were reached. Please update the relevant expected "
               "latency or target qps in the TestSettings so they are more accurate.");
  }
}

}  // namespace

IssueStats issue_series(Series& series, SystemUnderTest& sut, Recorder& recorder,
                        const EffectiveSettings& s, Mode mode, DetailLog& log,
                        const std::atomic<bool>* stop) {
  recorder.set_series(&series);
  SharedIssueState shared;
  const uint64_t n_threads =
      s.scenario == Scenario::kServer ? std::max<uint64_t>(1, s.requested.server_num_issue_query_threads)
                                      : 1;
  if (n_threads > 1 && s.requested.server_coalesce_queries) {
    log.warning("server_coalesce_queries is ignored with several issue threads.");
  }
  IssueStats stats;
  stats.start_ns = now_ns();
  if (n_threads == 1) {
    IssueThread(series, sut, recorder, s, mode, log, stop, shared, stats.start_ns, 0, 1).run();
  } else {
    std::vector<std::thread> threads;
    for (uint64_t k = 0; k < n_threads; ++k) {
      threads.emplace_back([&, k] {
        IssueThread(series, sut, recorder, s, mode, log, stop, shared, stats.start_ns, k,
                    n_threads)
            .run();
      });
    }
    for (auto& t : threads) t.join();
  }
  sut.flush();

  stats.queries_issued = shared.queries_issued.load();
  stats.samples_issued = shared.samples_issued.load();
  stats.interrupted = shared.interrupted.load();
  if (stats.interrupted) sut.cancel();
  if (!wait_for_count(series.samples_completed, stats.samples_issued, stop)) {
    stats.interrupted = true;
    sut.cancel();
    stats.incomplete = !wait_for_count(series.samples_completed, stats.samples_issued, nullptr,
                                       now_ns() + kStopGraceNs);
  }
  if (stats.interrupted) log.error("error_runtime", "Run interrupted by a stop request.");
  if (recorder.run_invalid()) stats.sut_invalid_reason = recorder.run_invalid_reason();
  if (stats.incomplete) {
    log.error("error_runtime",
              fmt::format("Encountered incomplete samples at the end of a series of queries. "
                          "count: {}",
                          stats.samples_issued - series.samples_completed.load()));
  }
  return stats;
}

}  // namespace infermark::loadgen
