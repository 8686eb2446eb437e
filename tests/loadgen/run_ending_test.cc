// How runs end when things go wrong: a stop request with samples far from done, a SUT that keeps
// answering after the run returned, a SUT whose issue() or flush() throws, and the live counters
// a progress display reads.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "loadgen/loadgen.h"
#include "log_parsing.h"
#include "sut/null_qsl.h"
#include "sut/null_sut.h"
#include "test_settings.h"

// Under AddressSanitizer, catch the use of a finished run's stack frame too (off by default):
// that is where a late response used to land.
#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __asan_default_options() { return "detect_stack_use_after_return=1"; }
#endif

namespace infermark::loadgen {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using testing::v61_settings;

LogSettings fresh_logs(const std::string& name) {
  LogSettings ls;
  ls.outdir = fs::path(::testing::TempDir()) / ("loadgen_ending_" + name);
  fs::remove_all(ls.outdir);
  ls.enable_trace = false;
  return ls;
}

TestSettings server(double qps, uint64_t min_duration_ms) {
  TestSettings t = v61_settings(Scenario::kServer);
  t.server_target_qps = qps;
  t.min_duration_ms = min_duration_ms;
  t.min_query_count = 1;
  return t;
}

// Sets `stop` after `delay` on its own thread.
class Stopper {
 public:
  Stopper(std::atomic<bool>& stop, std::chrono::milliseconds delay)
      : thread_([&stop, delay] {
          std::this_thread::sleep_for(delay);
          stop = true;
        }) {}
  ~Stopper() { thread_.join(); }

 private:
  std::thread thread_;
};

TEST(RunEndingTest, NullSutAnswersItsBacklogAtOnceWhenCancelled) {
  std::atomic<bool> stop{false};
  StartOptions start;
  start.stop = &stop;
  sut::NullSutOptions o;
  o.ttft_ms = 60000;  // every sample would take a minute
  const auto t0 = Clock::now();
  RunResult r;
  {
    sut::NullSut sut(o);
    sut::NullSampleLibrary qsl(64, 64);
    Stopper stopper(stop, std::chrono::milliseconds(300));
    r = run(sut, qsl, server(100, 60000), fresh_logs("cancel_backlog"), start);
  }  // the SUT's destructor is part of what must be prompt
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
  EXPECT_TRUE(r.interrupted);
  ASSERT_TRUE(r.performance);
  EXPECT_GT(r.performance->sample_count, 5u);  // answered through cancel(), not dropped
  const auto detail = infermark::testing::read_detail_log(r.detail_path);
  for (const auto& e : detail) {
    if (e.is_error) {
      EXPECT_EQ(e.value.get<std::string>().find("incomplete samples"), std::string::npos);
    }
  }
}

TEST(RunEndingTest, NullSutStopsPromptlyWithABacklog) {
  const auto t0 = Clock::now();
  {
    sut::NullSutOptions o;
    o.ttft_ms = 60000;
    sut::NullSut sut(o);
    struct Ignore final : Responder {
      void first_token(std::span<const SampleResponse>) override {}
      void complete(std::span<const SampleResponse>) override {}
      void note(SutNote, std::string_view) override {}
    } ignore;
    std::vector<QuerySample> samples(100);
    for (size_t i = 0; i < samples.size(); ++i) samples[i] = {i + 1, i};
    sut.issue(samples, ignore);
  }
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
}

// Holds every sample and answers only when told, from its own thread; ignores cancel().
class LateSut final : public SystemUnderTest {
 public:
  ~LateSut() override { answer_and_join(); }
  std::string name() const override { return "LateSUT"; }
  void issue(std::span<const QuerySample> samples, Responder& r) override {
    std::lock_guard lock(mu_);
    responder_ = &r;
    held_.insert(held_.end(), samples.begin(), samples.end());
  }
  // Answers everything held so far, now, from another thread; waits until it has.
  void answer_and_join() {
    std::vector<QuerySample> held;
    Responder* r = nullptr;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
      r = responder_;
    }
    if (!r) return;
    std::thread([&] {
      const int32_t tokens[2] = {7, 8};
      const auto data = std::as_bytes(std::span<const int32_t>(tokens));
      for (const QuerySample& s : held) {
        const SampleResponse first{s.id, data.first(4), 1};
        r->first_token({&first, 1});
        const SampleResponse done{s.id, data, 2};
        r->complete({&done, 1});
      }
    }).join();
  }
  size_t held() {
    std::lock_guard lock(mu_);
    return held_.size();
  }

 private:
  std::mutex mu_;
  std::vector<QuerySample> held_;
  Responder* responder_ = nullptr;
};

// A run against a LateSut, stopped after 150 ms; returns 50 ms later with every sample held.
RunResult run_late(LateSut& sut, const std::string& name,
                   const std::function<void()>& while_running = {}) {
  sut::NullSampleLibrary qsl(64, 64);
  std::atomic<bool> stop{false};
  StartOptions start;
  start.stop = &stop;
  start.stop_grace = std::chrono::milliseconds(50);
  Stopper stopper(stop, std::chrono::milliseconds(150));
  std::thread during;
  if (while_running) {
    during = std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      while_running();
    });
  }
  RunResult r = run(sut, qsl, server(200, 60000), fresh_logs(name), start);
  if (during.joinable()) during.join();
  return r;
}

TEST(RunEndingTest, ResponsesAfterTheRunReturnedTouchNothingOfIt) {
  LateSut late;
  const RunResult r = run_late(late, "late");
  EXPECT_TRUE(r.interrupted);
  ASSERT_GT(late.held(), 10u);
  // The run's Recorder, series and logs are gone; these responses must land nowhere.
  late.answer_and_join();
  EXPECT_EQ(late.held(), 0u);
}

TEST(RunEndingTest, LateResponsesOfAnEarlierRunAreNotCountedInTheNext) {
  LateSut earlier, later;
  run_late(earlier, "earlier");
  const size_t stale = earlier.held();
  ASSERT_GT(stale, 10u);
  // The next run leases the gate the earlier SUT still holds; the earlier answers arrive while
  // it issues, carrying the ids of a finished series.
  const RunResult r = run_late(later, "later", [&] { earlier.answer_and_join(); });
  ASSERT_TRUE(r.performance);
  EXPECT_EQ(r.performance->sample_count, 0u);
  size_t unknown = 0;
  for (const auto& e : infermark::testing::read_detail_log(r.detail_path)) {
    unknown += e.is_error && e.value.get<std::string>().find("unknown sample") != std::string::npos;
  }
  EXPECT_EQ(unknown, 2 * stale);  // a first token and a completion each
  later.answer_and_join();
}

// Forwards to a null SUT, but throws from the `throw_at`-th issue() call (1-based), or from
// flush() when `throw_at` is 0.
class ThrowingSut final : public SystemUnderTest {
 public:
  explicit ThrowingSut(uint64_t throw_at) : inner_(sut::NullSutOptions{}), throw_at_(throw_at) {}
  std::string name() const override { return "ThrowingSUT"; }
  void issue(std::span<const QuerySample> samples, Responder& r) override {
    if (++calls_ == throw_at_) throw std::runtime_error("engine out of memory");
    inner_.issue(samples, r);
  }
  void flush() override {
    if (throw_at_ == 0) throw std::runtime_error("connection reset");
  }

 private:
  sut::NullSut inner_;
  const uint64_t throw_at_;
  std::atomic<uint64_t> calls_{0};
};

struct Throwing {
  std::string name;
  uint64_t issue_threads;
  uint64_t throw_at;
  std::string expect;
};

void PrintTo(const Throwing& c, std::ostream* os) { *os << c.name; }

class SutFailureTest : public ::testing::TestWithParam<Throwing> {};

TEST_P(SutFailureTest, EndsTheRunWithLogsThatSayWhy) {
  const Throwing& c = GetParam();
  TestSettings t = server(2000, 1000);
  t.server_num_issue_query_threads = c.issue_threads;
  t.mode = Mode::kSubmission;  // the performance phase must not start after a failure
  ThrowingSut sut(c.throw_at);
  sut::NullSampleLibrary qsl(64, 64);
  const RunResult r = run(sut, qsl, t, fresh_logs("throw_" + c.name));
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_NE(r.failure->find(c.expect), std::string::npos) << *r.failure;
  EXPECT_FALSE(r.performance.has_value());
  bool logged = false;
  for (const auto& e : infermark::testing::read_detail_log(r.detail_path)) {
    if (e.is_error && e.value.get<std::string>() ==
                          "The system under test failed: " + *r.failure) {
      logged = true;
    }
    EXPECT_NE(e.value.dump(), "\"Starting performance mode\"");
  }
  EXPECT_TRUE(logged);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SutFailureTest,
    ::testing::Values(Throwing{"issue_one_thread", 0, 20, "engine out of memory"},
                      Throwing{"issue_three_threads", 3, 20, "engine out of memory"},
                      Throwing{"flush", 3, 0, "flush(): connection reset"}),
    [](const auto& test) { return test.param.name; });

TEST(RunEndingTest, PerformanceFailureIsAnInvalidResult) {
  TestSettings t = server(2000, 1000);
  t.server_num_issue_query_threads = 2;
  ThrowingSut sut(30);
  sut::NullSampleLibrary qsl(64, 64);
  const RunResult r = run(sut, qsl, t, fresh_logs("throw_performance"));
  ASSERT_TRUE(r.failure && r.performance);
  EXPECT_FALSE(r.performance->valid());
  const auto fields =
      infermark::testing::summary_fields(infermark::testing::read_text(r.summary_path));
  EXPECT_EQ(fields.at("Result is"), "INVALID");
  EXPECT_NE(infermark::testing::read_text(r.summary_path)
                .find(" * The system under test failed: engine out of memory"),
            std::string::npos);
}

TEST(RunEndingTest, LiveCountersFollowTheRun) {
  TestSettings t = server(2000, 200);
  t.use_token_latencies = true;
  sut::NullSutOptions o;
  o.n_tokens = 5;
  o.tpot_ms = 0.01;
  sut::NullSut sut(o);
  sut::NullSampleLibrary qsl(64, 64);
  LiveCounters live;
  StartOptions start;
  start.live = &live;
  const RunResult r = run(sut, qsl, t, fresh_logs("live"), start);
  ASSERT_TRUE(r.performance);
  const uint64_t n = r.performance->sample_count;
  EXPECT_EQ(live.issued.load(), n);
  EXPECT_EQ(live.completed.load(), n);
  EXPECT_EQ(live.first_tokens.load(), n);
  EXPECT_EQ(live.tokens.load(), 5 * n);
  EXPECT_EQ(live.tpot_samples.load(), n);
  // The same per-sample TTFT and TPOT as the results, summed as they arrive.
  EXPECT_EQ(live.ttft_sum_ns.load() / static_cast<int64_t>(n), r.performance->first_token.mean);
  EXPECT_EQ(live.tpot_sum_ns.load() / static_cast<int64_t>(n), r.performance->tpot.mean);
  static_assert(std::atomic<uint64_t>::is_always_lock_free);
  static_assert(std::atomic<int64_t>::is_always_lock_free);
}

}  // namespace
}  // namespace infermark::loadgen
