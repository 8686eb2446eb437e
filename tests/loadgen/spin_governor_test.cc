#include "loadgen/spin_governor.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <thread>

#include "loadgen/clock.h"

namespace infermark::loadgen {
namespace {

constexpr int64_t kMs = 1'000'000;

// A burst of preemptions ending at `t`, as a CPU-bound neighbour causes.
void contend(SpinGovernor& g, int64_t t) {
  for (int i = SpinGovernor::kBurstEvents - 1; i >= 0; --i) g.descheduled(t - i * kMs);
}

TEST(SpinGovernor, SleepPolicyNeverSpinsAndIsTheDefault) {
  EXPECT_EQ(SpinGovernor::shared().policy(), SpinGovernor::Policy::kSleep);
  SpinGovernor g;
  EXPECT_FALSE(g.may_spin(0));
  EXPECT_FALSE(g.may_spin(1'000'000 * kMs));
  g.set_policy(SpinGovernor::Policy::kAdaptive);
  EXPECT_TRUE(g.may_spin(0));
  EXPECT_EQ(parse_wait_policy("sleep"), SpinGovernor::Policy::kSleep);
  EXPECT_EQ(parse_wait_policy("adaptive"), SpinGovernor::Policy::kAdaptive);
  EXPECT_EQ(parse_wait_policy("spin"), std::nullopt);
}

TEST(SpinGovernor, SpinsUntilItsSpinnersArePreemptedRepeatedly) {
  SpinGovernor g(SpinGovernor::Policy::kAdaptive);
  EXPECT_TRUE(g.may_spin(0));
  EXPECT_TRUE(g.may_spin(1'000'000 * kMs));
  contend(g, 10 * kMs);
  EXPECT_EQ(g.hold_ns(), SpinGovernor::kMinHoldNs);
  EXPECT_FALSE(g.may_spin(10 * kMs));
  EXPECT_FALSE(g.may_spin(10 * kMs + SpinGovernor::kMinHoldNs - 1));
  EXPECT_TRUE(g.may_spin(10 * kMs + SpinGovernor::kMinHoldNs));
}

TEST(SpinGovernor, OccasionalPreemptionsKeepItSpinning) {
  SpinGovernor g(SpinGovernor::Policy::kAdaptive);
  // A kernel thread's run now and then: fewer than kBurstEvents in any kBurstWindowNs.
  for (int64_t t = kMs; t < 5'000 * kMs; t += SpinGovernor::kBurstWindowNs / 2 + kMs) {
    g.descheduled(t);
    EXPECT_TRUE(g.may_spin(t)) << "at " << t / kMs << " ms";
  }
  const int64_t t = 10'000 * kMs;
  g.descheduled(t);
  g.descheduled(t + SpinGovernor::kBurstWindowNs / 2);
  EXPECT_TRUE(g.may_spin(t + SpinGovernor::kBurstWindowNs / 2));
  g.descheduled(t + SpinGovernor::kBurstWindowNs);  // the third within the window
  EXPECT_FALSE(g.may_spin(t + SpinGovernor::kBurstWindowNs));
}

TEST(SpinGovernor, PreemptionsDuringAHoldDoNotExtendIt) {
  SpinGovernor g(SpinGovernor::Policy::kAdaptive);
  contend(g, 10 * kMs);
  contend(g, 10 * kMs + SpinGovernor::kMinHoldNs / 2);  // short spins under the hold
  EXPECT_TRUE(g.may_spin(10 * kMs + SpinGovernor::kMinHoldNs));
  EXPECT_EQ(g.hold_ns(), SpinGovernor::kMinHoldNs);
}

TEST(SpinGovernor, HoldsDoubleWhileContentionRecursAndResetAfterACleanSpin) {
  SpinGovernor g(SpinGovernor::Policy::kAdaptive);
  int64_t t = 10 * kMs;
  contend(g, t);
  int64_t expected = SpinGovernor::kMinHoldNs;
  for (int i = 0; i < 8; ++i) {
    t += g.hold_ns() + 5 * kMs;  // spinning again after the hold ended: preempted again
    contend(g, t);
    expected = std::min(2 * expected, SpinGovernor::kMaxHoldNs);
    EXPECT_EQ(g.hold_ns(), expected) << "recurrence " << i;
    EXPECT_FALSE(g.may_spin(t + expected - 1));
    EXPECT_TRUE(g.may_spin(t + expected));
  }
  EXPECT_EQ(g.hold_ns(), SpinGovernor::kMaxHoldNs);
  t += 2 * g.hold_ns() + kMs;  // spun cleanly for longer than a hold after it ended
  contend(g, t);
  EXPECT_EQ(g.hold_ns(), SpinGovernor::kMinHoldNs);
}

// Makes the calling thread lose its core to another thread for at least `ms`: pins itself and a
// spinning thread to its CPU and spins until the kernel has preempted it (an involuntary context
// switch, as a CPU-bound neighbour causes). False if no preemption came within 2 s.
bool lose_core_for(int64_t ms) {
  cpu_set_t original, one;
  if (sched_getaffinity(0, sizeof original, &original) != 0) return false;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0) return false;
  const int64_t before = thread_preemptions();
  std::thread rival([&] {
    sched_setaffinity(0, sizeof one, &one);
    const int64_t end = now_ns() + ms * kMs;
    while (now_ns() < end) cpu_relax();
  });
  const int64_t give_up = now_ns() + 2'000 * kMs;
  while (thread_preemptions() == before && now_ns() < give_up) cpu_relax();
  rival.join();
  sched_setaffinity(0, sizeof original, &original);
  return thread_preemptions() != before;
}

TEST(SpinGovernor, SpinUntilReportsLostCoresAndStopsWhenItHolds) {
  SpinGovernor g(SpinGovernor::Policy::kAdaptive);
  int calls = 0;
  bool preempted = true;
  const int64_t start = now_ns();
  // Preempted for 1+ ms between clock reads on each of the first kBurstEvents calls.
  const int64_t end = g.spin_until(start + 10'000 * kMs, [&] {
    if (calls++ < SpinGovernor::kBurstEvents) preempted = preempted && lose_core_for(1);
    return false;
  });
  ASSERT_TRUE(preempted) << "the rival thread never preempted this one";
  EXPECT_LT(end - start, 10'000 * kMs) << "the spin goes on while the governor holds";
  EXPECT_FALSE(g.may_spin(end));
  EXPECT_EQ(g.hold_ns(), SpinGovernor::kMinHoldNs);
  EXPECT_EQ(g.stats().holds, 1);
  EXPECT_GE(g.stats().preempted, SpinGovernor::kBurstEvents);
}

// Gaps in which the thread was not preempted (a paused virtual CPU; here, work between clock
// reads, or a sleep) are counted apart and never start a hold. Tried up to 20 times, since any
// kernel thread may preempt the test's own spin on a real machine.
TEST(SpinGovernor, SpinUntilIgnoresGapsWithoutAPreemption) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    SpinGovernor g(SpinGovernor::Policy::kAdaptive);
    int calls = 0;
    const int64_t preemptions = thread_preemptions();
    g.spin_until(now_ns() + 200 * kMs, [&] {
      if (calls == 2 * SpinGovernor::kBurstEvents) return true;
      if (calls++ % 2 == 0) {
        const int64_t end = now_ns() + kMs;
        while (now_ns() < end) cpu_relax();
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // voluntary: not preempted
      }
      return false;
    });
    if (thread_preemptions() != preemptions) continue;
    EXPECT_TRUE(g.may_spin(now_ns()));
    EXPECT_EQ(g.stats().holds, 0);
    EXPECT_EQ(g.stats().preempted + g.stats().paused, 2 * SpinGovernor::kBurstEvents);
    EXPECT_LE(g.stats().preempted, 1) << "at most the thread's first gap, against its start";
    return;
  }
  GTEST_SKIP() << "this thread was preempted in every attempt (a busy machine)";
}

TEST(SpinGovernor, SpinUntilStopsWhenDone) {
  SpinGovernor g(SpinGovernor::Policy::kAdaptive);
  int calls = 0;
  const int64_t start = now_ns();
  const int64_t end = g.spin_until(start + 10'000 * kMs, [&] { return ++calls == 3; });
  EXPECT_EQ(calls, 3);
  EXPECT_LT(end - start, 10'000 * kMs);
}

int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

// While the process's governor holds, wait_until_ns sleeps rather than spins and still never
// returns before the deadline.
TEST(SpinGovernor, WaitsSleepDuringAHoldAndStillMeetTheirDeadline) {
  use_low_latency_scheduling();
  const int64_t cpu_before = thread_cpu_ns();
  int64_t spin_budget_used = 0;
  for (int i = 0; i < 10; ++i) {
    contend(SpinGovernor::shared(), now_ns());  // a hold, however slow the machine
    ASSERT_FALSE(SpinGovernor::shared().may_spin(now_ns()));
    const int64_t deadline = now_ns() + 3 * kMs;
    // Spinning for the last 3 ms (the whole wait) is what a quiet machine would get.
    const int64_t woke = wait_until_ns(deadline, 3 * kMs);
    EXPECT_GE(woke, deadline);
    spin_budget_used += 3 * kMs;
  }
  // Sleeping waits cost microseconds each; spinning ones would cost the 30 ms of waiting.
  EXPECT_LT(thread_cpu_ns() - cpu_before, spin_budget_used / 3);
}

struct SchedAttr {  // sched_getattr(2)'s struct sched_attr
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
};

bool kernel_at_least(int major, int minor) {
  utsname u{};
  int ma = 0, mi = 0;
  return uname(&u) == 0 && std::sscanf(u.release, "%d.%d", &ma, &mi) == 2 &&
         (ma > major || (ma == major && mi >= minor));
}

TEST(LowLatencyScheduling, KeepsTheThreadsNiceValueAndAsksForAShortSlice) {
  std::thread([] {
    ASSERT_EQ(setpriority(PRIO_PROCESS, 0, 3), 0);  // this thread only (Linux)
    const bool granted = use_low_latency_scheduling();
    EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 3);
    if (!granted) {
      std::printf("sched_setattr refused here: the thread keeps the default slice\n");
      return;
    }
    SchedAttr attr{};
    ASSERT_EQ(syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0), 0);
    EXPECT_EQ(attr.sched_policy, 0u) << "still SCHED_OTHER";
    if (kernel_at_least(6, 12)) {
      EXPECT_EQ(attr.sched_runtime, kShortSliceNs);
    }
  }).join();
}

TEST(LowLatencyScheduling, LeavesAThreadUnderAnotherPolicyAsItIs) {
  std::thread([] {
    sched_param param{};
    ASSERT_EQ(sched_setscheduler(0, SCHED_BATCH, &param), 0);
    EXPECT_FALSE(use_low_latency_scheduling());
    EXPECT_EQ(sched_getscheduler(0), SCHED_BATCH);
  }).join();
}

}  // namespace
}  // namespace infermark::loadgen
