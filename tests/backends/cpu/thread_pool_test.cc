// cpu::ThreadPool: every thread runs each task once, partitions cover the range exactly, results
// are visible after run returns, back-to-back runs work, nesting is refused, and an idle pool
// sleeps instead of spinning.
#include "backends/cpu/thread_pool.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "backends/cpu/cpu_features.h"

namespace infermark::cpu {
namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

TEST(ThreadPool, DefaultSizeIsPhysicalCores) {
  ThreadPool pool;
  EXPECT_EQ(pool.size(), physical_cores());
  EXPECT_GE(pool.size(), 1);
}

TEST(ThreadPool, RunCallsEveryThreadOnce) {
  for (int n : {1, 2, 3, 5}) {
    ThreadPool pool(n);
    for (int iter = 0; iter < 2000; ++iter) {
      std::vector<int> calls(static_cast<size_t>(n), 0);
      pool.run([&](int i, int total) {
        ASSERT_EQ(total, n);
        calls[static_cast<size_t>(i)] += 1;  // each index written by one thread only
      });
      for (int c : calls) ASSERT_EQ(c, 1) << "pool of " << n << ", iteration " << iter;
    }
  }
}

TEST(ThreadPool, ParallelForCoversRangeExactlyOnce) {
  ThreadPool pool(3);
  for (int64_t n : {0, 1, 2, 3, 7, 1000}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    pool.parallel_for(
        n,
        [&](int64_t b, int64_t e, int) {
          for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
        },
        ThreadPool::kMinParallelWork);
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  }
}

TEST(ThreadPool, SmallWorkRunsOnTheCaller) {
  ThreadPool pool(2);
  int calls = 0, thread_index = -1;
  pool.parallel_for(
      10,
      [&](int64_t b, int64_t e, int t) {
        ++calls;
        thread_index = t;
        EXPECT_EQ(b, 0);
        EXPECT_EQ(e, 10);
      },
      1);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(thread_index, 0);
}

TEST(ThreadPool, OneItemRunsOnTheCallerWhateverItsWork) {
  ThreadPool pool(2);
  int calls = 0, thread_index = -1;
  pool.parallel_for(
      1,
      [&](int64_t b, int64_t e, int t) {
        ++calls;
        thread_index = t;
        EXPECT_EQ(b, 0);
        EXPECT_EQ(e, 1);
      },
      100 * ThreadPool::kMinParallelWork);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(thread_index, 0);
}

TEST(ThreadPool, SplitRangeIsContiguousAndBalanced) {
  for (int n = 1; n < 6; ++n) {
    int64_t expect_begin = 0;
    for (int i = 0; i < n; ++i) {
      const auto [b, e] = split_range(103, i, n);
      EXPECT_EQ(b, expect_begin);
      EXPECT_LE(e - b, 103 / n + 1);
      EXPECT_GE(e - b, 103 / n);
      expect_begin = e;
    }
    EXPECT_EQ(expect_begin, 103);
  }
}

TEST(ThreadPool, IdlePoolSleeps) {
  ThreadPool pool(2);
  pool.run([](int, int) {});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the spin window
  const double before = cpu_seconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // A spinning worker would burn ~0.3 s of CPU here.
  EXPECT_LT(cpu_seconds() - before, 0.05);
  // And it still wakes up for work.
  std::atomic<int> ran{0};
  pool.run([&](int, int) { ran.fetch_add(1); });
  EXPECT_EQ(ran.load(), 2);
}

TEST(ThreadPoolDeathTest, NestedRunAborts) {
  EXPECT_DEATH(
      {
        ThreadPool pool(2);
        pool.run([&](int i, int) {
          if (i == 0) pool.run([](int, int) {});
        });
      },
      "inside a task");
}

}  // namespace
}  // namespace infermark::cpu
