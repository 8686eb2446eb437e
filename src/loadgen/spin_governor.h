// When the load generator's waiters (the issue thread before each scheduled query, the null
// SUT's worker between batches) may spin, and when they must sleep instead.
//
// Two policies. kSleep, the default: waiters never spin longer than kSleepingSpinNs (clock.h);
// they sleep (timer or futex) until their deadline or their work, as MLPerf's LoadGen does.
// kAdaptive: the governor below. Measured on 2-vCPU AMD EPYC VMs (docs/benchmarks.md, issue
// #17), sleeping gave the lower p99 latency there, quiet or beside a CPU-bound process (10k QPS,
// medians of 5: 109 us sleeping vs 1,692 us adaptive vs 291 us for the official LoadGen, same
// window), while spinning had given 18-68 us on the same machine type on a calmer host. Kernel
// threads (up to 3.4 ms at a time there) stall a spinner that its twin holds the other core
// from; likely too, though not measurable from the guest, a virtual CPU that never halts is a
// CPU hog to the host's scheduler. So spinning is opt-in (`run --loadgen-wait adaptive`) for
// dedicated machines.
//
// Spinning is the lowest-latency wait on a core nobody else wants and the worst one on a busy
// machine: a thread that spins through its time slice is, to the kernel's fair scheduler, a
// CPU-bound task, so when a third task needs one of the two cores the spinner is preempted for
// a whole slice (milliseconds, measured with `perf sched` in docs/benchmarks.md), while a thread
// that sleeps between short bursts is usually woken ahead of CPU-bound tasks (not always: a
// wake-up queued behind another task's slice still waits it out). The governor lets waiters
// spin while the cores are theirs and makes every waiter of the process sleep instead for a
// hold time once its spinners lose their core to other tasks repeatedly: kBurstEvents times
// within kBurstWindowNs, each seen as two consecutive clock reads more than kDescheduledNs apart
// with a preemption of the thread since its previous such gap (thread_preemptions() moved: the
// kernel ran another task on its core). (One preemption now and then — a kernel thread's run —
// costs a spinner as much as a sleeper and is no reason to stop spinning; a CPU-bound task on the
// same cores preempts a spinner every few milliseconds. A gap without a preemption is the
// hypervisor pausing the virtual CPU, which sleeping would not avoid: it is counted, never held
// against spinning.) The hold starts at kMinHoldNs and doubles, up to kMaxHoldNs,
// each time contention is seen again within one hold of the previous hold's end; a clean spin
// longer than that resets it. So on a quiet machine the waiters spin (and keep microsecond
// latency), and under sustained contention they spin only in probes that grow rarer (a handful
// per minute), sleeping in between.
//
// Thread safety: every member may be called from any thread. may_spin() is one relaxed atomic
// load (the hot path); descheduled() takes a mutex and is rare.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

#include "loadgen/clock.h"

namespace infermark::loadgen {

class SpinGovernor {
 public:
  static constexpr int64_t kDescheduledNs = 100'000;      // a clock jump longer than an interrupt
  static constexpr int kBurstEvents = 3;                  // preemptions that mean contention ...
  static constexpr int64_t kBurstWindowNs = 100'000'000;  // ... when they fall within this
  static constexpr int64_t kMinHoldNs = 250'000'000;      // first sleep-only period
  static constexpr int64_t kMaxHoldNs = 8'000'000'000;    // longest sleep-only period

  enum class Policy : uint8_t { kSleep, kAdaptive };

  // The governor shared by every waiter of this process (others exist only in tests), kSleep
  // until set_policy() says otherwise.
  static SpinGovernor& shared();
  explicit SpinGovernor(Policy policy = Policy::kSleep);
  SpinGovernor(const SpinGovernor&) = delete;
  SpinGovernor& operator=(const SpinGovernor&) = delete;

  // Set before a run (a change reaches running waiters at their next may_spin()).
  void set_policy(Policy policy) { policy_.store(policy, std::memory_order_relaxed); }
  Policy policy() const { return policy_.load(std::memory_order_relaxed); }

  // Whether a waiter may spin at time `now` (now_ns()): never under kSleep; under kAdaptive
  // unless a hold is running.
  bool may_spin(int64_t now) const {
    return policy() == Policy::kAdaptive && now >= sleep_until_.load(std::memory_order_relaxed);
  }

  // A spinner's consecutive clock reads ended at `after` (now_ns()) more than kDescheduledNs
  // apart: it was off its core in between. Starts a sleep-only hold from `after` when this is
  // the kBurstEvents-th such report within kBurstWindowNs and no hold is running.
  void descheduled(int64_t after);

  // The current hold length (ns), for tests and logs.
  int64_t hold_ns() const;

  // What spin_until saw so far, for logs: clock gaps > kDescheduledNs with the thread preempted
  // (reported to descheduled()) and without (the virtual CPU paused), and holds started.
  struct Stats {
    int64_t preempted = 0;
    int64_t paused = 0;
    int64_t holds = 0;
  };
  Stats stats() const;

  // Spins until `done()` is true, now_ns() >= `until`, or the spinner loses its core and the
  // governor holds (whatever the policy: callers ask may_spin() first); returns the last now_ns()
  // read. `done` is called between clock reads.
  template <typename Done>
  int64_t spin_until(int64_t until, Done done);

 private:
  std::atomic<Policy> policy_;
  std::atomic<int64_t> sleep_until_{0};  // when the latest hold ends (0: none yet); written
                                         // under mu_
  mutable std::mutex mu_;                // guards what follows
  int64_t hold_ns_ = kMinHoldNs;
  static constexpr int64_t kNone = INT64_MIN;
  int64_t recent_[kBurstEvents - 1];  // the previous reports, oldest first (kNone: none)
  int64_t holds_ = 0;
  std::atomic<int64_t> preempted_{0};
  std::atomic<int64_t> paused_{0};

  // Whether the calling thread was preempted since its previous call (ever, on its first);
  // counts the gap as preempted or paused.
  bool preempted_since_last_gap();
};

// "sleep" or "adaptive" (`--loadgen-wait`); nullopt for anything else.
std::optional<SpinGovernor::Policy> parse_wait_policy(std::string_view name);

template <typename Done>
int64_t SpinGovernor::spin_until(int64_t until, Done done) {
  int64_t now = now_ns();
  while (now < until && !done()) {
    cpu_relax();
    const int64_t next = now_ns();
    if (next - now > kDescheduledNs && preempted_since_last_gap()) {
      descheduled(next);
      if (!may_spin(next)) return next;
    }
    now = next;
  }
  return now;
}

}  // namespace infermark::loadgen
