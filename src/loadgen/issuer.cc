#include "loadgen/issuer.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "loadgen/clock.h"

namespace infermark::loadgen {
namespace {

constexpr int64_t kStopPollNs = 50'000'000;  // how often long waits look for a stop request

// What ends waits early: a stop request, or a failure in another issue thread.
struct Halt {
  const std::atomic<bool>* stop = nullptr;
  const std::atomic<bool>* failed = nullptr;
  bool requested() const {
    return (stop && stop->load(std::memory_order_relaxed)) ||
           (failed && failed->load(std::memory_order_relaxed));
  }
};

// Waits until `deadline`; false if a halt came first.
bool wait_until_or_halt(int64_t deadline, const Halt& halt) {
  while (deadline - now_ns() > kStopPollNs) {
    if (halt.requested()) return false;
    std::this_thread::sleep_for(std::chrono::nanoseconds(kStopPollNs));
  }
  wait_until_ns(deadline);
  return !halt.requested();
}

// Waits until `counter` >= target: spins briefly, then polls with sleeps growing to `max_sleep`
// so that a long wait (an Offline run of an hour) costs next to no CPU, while a halt or a
// deadline (`give_up_at`, 0 = none) can still end it. False if it ended early.
bool wait_for_count(const std::atomic<uint64_t>& counter, uint64_t target, const Halt& halt,
                    int64_t give_up_at = 0,
                    std::chrono::microseconds max_sleep = std::chrono::microseconds(1000)) {
  const int64_t spin_until = now_ns() + 20'000;
  std::chrono::microseconds sleep(10);
  while (counter.load(std::memory_order_acquire) < target) {
    const int64_t now = now_ns();
    if (give_up_at != 0 && now > give_up_at) return false;
    if (halt.requested()) return false;
    if (now > spin_until) {
      std::this_thread::sleep_for(sleep);
      sleep = std::min(sleep * 2, max_sleep);
    } else {
      cpu_relax();
    }
  }
  return true;
}

std::string what_of(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

struct SharedIssueState {
  std::atomic<uint64_t> queries_issued{0};
  std::atomic<uint64_t> samples_issued{0};
  std::atomic<bool> interrupted{false};
  std::atomic<bool> failed{false};
  std::mutex failure_mu;
  std::string failure;  // the first one

  void fail(std::string what) {
    std::lock_guard lock(failure_mu);
    if (failed.load(std::memory_order_relaxed)) return;
    failure = std::move(what);
    failed.store(true, std::memory_order_relaxed);
  }
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
  IssueThread(Series& series, const EffectiveSettings& s, Mode mode, const IssueContext& ctx,
              SharedIssueState& shared, int64_t start, uint64_t k, uint64_t n)
      : series_(series), s_(s), mode_(mode), ctx_(ctx), shared_(shared),
        halt_{ctx.stop, &shared.failed}, start_(start), k_(k), n_(n),
        limits_(limits_for_thread(s, k, n)) {}

  // Issues this thread's queries; an exception from the SUT ends every thread's issuing and
  // becomes the series' failure.
  void run();

 private:
  void issue_queries();
  // Waits for query q's moment and stamps its scheduled/issued times. Returns the last query
  // sent with it (coalescing), or -1 if a halt came first.
  int64_t schedule(size_t q);
  // Hands queries [first, last] to the SUT, counted as issued unless issue() throws.
  void issue(size_t first, size_t last);
  // Performance-mode ending conditions after an issue; true to stop issuing.
  bool should_end(uint64_t issued_by_me);
  bool halted() {
    if (ctx_.stop && ctx_.stop->load(std::memory_order_relaxed)) shared_.interrupted = true;
    return halt_.requested();
  }

  Series& series_;
  const EffectiveSettings& s_;
  const Mode mode_;
  const IssueContext& ctx_;
  SharedIssueState& shared_;
  const Halt halt_;
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
      if (!wait_until_or_halt(qs.scheduled_ns, halt_)) return -1;
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
      if (!wait_for_count(series_.queries_completed, shared_.queries_issued.load(), halt_, 0,
                          std::chrono::microseconds(50))) {
        return -1;
      }
      qs.scheduled_ns = qs.issued_ns = now_ns();
      break;
  }
  return last;
}

void IssueThread::issue(size_t first, size_t last) {
  const auto span = series_.issue_span(first, last);
  const uint64_t queries = last - first + 1;
  for (size_t j = first; j <= last; ++j) series_.query(j).issued = true;
  // Counted before the call: a completion may arrive before issue() returns.
  shared_.queries_issued.fetch_add(queries, std::memory_order_acq_rel);
  shared_.samples_issued.fetch_add(span.size(), std::memory_order_relaxed);
  try {
    ctx_.sut.issue(span, ctx_.gate);
  } catch (...) {
    for (size_t j = first; j <= last; ++j) series_.query(j).issued = false;
    shared_.queries_issued.fetch_sub(queries, std::memory_order_acq_rel);
    shared_.samples_issued.fetch_sub(span.size(), std::memory_order_relaxed);
    throw;
  }
  if (ctx_.live) ctx_.live->issued.fetch_add(span.size(), std::memory_order_relaxed);
}

bool IssueThread::should_end(uint64_t issued_by_me) {
  if (mode_ == Mode::kAccuracyOnly) return false;
  if (ctx_.recorder.run_invalid()) {  // logged by the recorder; nothing more to measure
    ended_by_error_ = true;
    return true;
  }
  const int64_t elapsed = now_ns() - start_;
  if (s_.scenario == Scenario::kServer) {
    const uint64_t outstanding =
        shared_.queries_issued.load() - series_.queries_completed.load();
    if (s_.max_async_queries != 0 && outstanding > s_.max_async_queries) {
      ctx_.log.error("error_runtime",
                     fmt::format("IssueQueryThread {} Ending early: Too many outstanding queries. "
                                 "issued {} outstanding {}",
                                 k_, shared_.queries_issued.load(), outstanding));
      ended_by_error_ = true;
      return true;
    }
  } else if (issued_by_me >= limits_.min_queries &&
             elapsed >= static_cast<int64_t>(s_.target_duration_ms) * 1000000) {
    ctx_.log.message("Ending naturally: Minimum query count and test duration met.");
    ended_naturally_ = true;
    return true;
  }
  if (limits_.max_queries != 0 && issued_by_me >= limits_.max_queries) {
    ctx_.log.error("error_runtime", fmt::format("IssueQueryThread {} Ending early: Max query "
                                                "count reached. query_count {}",
                                                k_, issued_by_me));
    ended_by_error_ = true;
    return true;
  }
  if (s_.max_duration_ms != 0 && elapsed > static_cast<int64_t>(s_.max_duration_ms) * 1000000) {
    ctx_.log.error("error_runtime", fmt::format("IssueQueryThread {} Ending early: Max test "
                                                "duration reached. duration_ns {}",
                                                k_, elapsed));
    ended_by_error_ = true;
    return true;
  }
  return false;
}

void IssueThread::issue_queries() {
  uint64_t issued_by_me = 0;
  const auto& planned = series_.plan().queries;
  for (size_t q = k_; q < planned.size(); q += n_) {
    if (halted()) return;
    const int64_t last = schedule(q);
    if (last < 0) {
      halted();  // notes a stop request
      return;
    }
    issue(q, static_cast<size_t>(last));
    issued_by_me += static_cast<uint64_t>(last) - q + 1;
    q = static_cast<size_t>(last);
    if (should_end(issued_by_me)) return;
  }
}

void IssueThread::run() {
  use_low_latency_scheduling();
  try {
    issue_queries();
  } catch (...) {
    shared_.fail(what_of(std::current_exception()));
    return;
  }
  if (mode_ != Mode::kAccuracyOnly && s_.scenario != Scenario::kServer && !ended_naturally_ &&
      !ended_by_error_ && !halt_.requested()) {
    ctx_.log.error("error_runtime",
                   "Ending early: Ran out of generated queries to issue before the minimum query "
                   "count and test duration were reached. Please update the relevant expected "
                   "latency or target qps in the TestSettings so they are more accurate.");
  }
}

void run_issue_threads(Series& series, const EffectiveSettings& s, Mode mode,
                       const IssueContext& ctx, SharedIssueState& shared, int64_t start) {
  const uint64_t n = s.scenario == Scenario::kServer
                         ? std::max<uint64_t>(1, s.requested.server_num_issue_query_threads)
                         : 1;
  if (n > 1 && s.requested.server_coalesce_queries) {
    ctx.log.warning("server_coalesce_queries is ignored with several issue threads.");
  }
  if (n == 1) {
    IssueThread(series, s, mode, ctx, shared, start, 0, 1).run();
    return;
  }
  std::vector<std::thread> threads;
  for (uint64_t k = 0; k < n; ++k) {
    threads.emplace_back(
        [&, k] { IssueThread(series, s, mode, ctx, shared, start, k, n).run(); });
  }
  for (auto& t : threads) t.join();
}

// Calls the SUT's flush() or cancel(); an exception becomes the series' failure.
template <typename Call>
void call_sut(SharedIssueState& shared, std::string_view what, Call&& call) {
  try {
    call();
  } catch (...) {
    shared.fail(fmt::format("{}: {}", what, what_of(std::current_exception())));
  }
}

// Routes the SUT's responses to `series` for its lifetime, exceptions included.
class Attachment {
 public:
  Attachment(const IssueContext& ctx, Series& series) : ctx_(ctx) {
    ctx.recorder.set_series(&series);
    ctx.gate.attach(ctx.recorder);
  }
  ~Attachment() {
    ctx_.gate.detach();
    ctx_.recorder.set_series(nullptr);
  }
  Attachment(const Attachment&) = delete;
  Attachment& operator=(const Attachment&) = delete;

 private:
  const IssueContext& ctx_;
};

}  // namespace

IssueStats issue_series(Series& series, const EffectiveSettings& s, Mode mode,
                        const IssueContext& ctx) {
  std::optional<Attachment> attachment(std::in_place, ctx, series);
  SharedIssueState shared;
  IssueStats stats;
  stats.start_ns = now_ns();
  run_issue_threads(series, s, mode, ctx, shared, stats.start_ns);
  call_sut(shared, "flush()", [&] { ctx.sut.flush(); });

  stats.queries_issued = shared.queries_issued.load();
  stats.samples_issued = shared.samples_issued.load();
  stats.interrupted = shared.interrupted.load();
  bool ending = stats.interrupted || shared.failed.load();
  if (!ending && !wait_for_count(series.samples_completed, stats.samples_issued,
                                 Halt{ctx.stop, nullptr})) {
    stats.interrupted = ending = true;
  }
  if (ending) {
    call_sut(shared, "cancel()", [&] { ctx.sut.cancel(); });
    stats.incomplete = !wait_for_count(series.samples_completed, stats.samples_issued, Halt{},
                                       now_ns() + ctx.stop_grace_ns);
  }
  attachment.reset();  // no response reaches the series from here on

  if (shared.failed.load()) {
    stats.failure = shared.failure;
    ctx.log.error("error_runtime", "The system under test failed: " + shared.failure);
  }
  if (stats.interrupted) ctx.log.error("error_runtime", "Run interrupted by a stop request.");
  if (ctx.recorder.run_invalid()) stats.sut_invalid_reason = ctx.recorder.run_invalid_reason();
  if (stats.incomplete) {
    ctx.log.error("error_runtime",
                  fmt::format("Encountered incomplete samples at the end of a series of queries. "
                              "count: {}",
                              stats.samples_issued - series.samples_completed.load()));
  }
  return stats;
}

}  // namespace infermark::loadgen
