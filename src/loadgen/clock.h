// The load generator's clock: a monotonic nanosecond count. LoadGen uses system_clock (through
// high_resolution_clock in libstdc++), which can jump; infermark measures with steady_clock and
// converts to wall time only where a log asks for a date.
#pragma once

#include <chrono>
#include <cstdint>

namespace infermark::loadgen {

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// How long a waiter spins before a deadline while the SpinGovernor (spin_governor.h) has it
// sleep: less than one sleep's overshoot (~20 us on a VM), so that a short wait is not made
// longer, while the thread stays a sleeper to the scheduler.
inline constexpr int64_t kSleepingSpinNs = 5'000;

// Waits until now_ns() >= deadline: sleeps while the deadline is more than `spin_ns` away, then
// spins, so that the wake-up is precise to about a microsecond whatever the scheduler's sleep
// granularity — while the SpinGovernor allows spinning; while it does not, spins at most
// kSleepingSpinNs and the wake-up is as late as the scheduler makes it. Returns now_ns() on
// return. Costs a core for at most `spin_ns` per call.
int64_t wait_until_ns(int64_t deadline, int64_t spin_ns = 500'000);

// The time slice use_low_latency_scheduling() asks for.
inline constexpr uint64_t kShortSliceNs = 100'000;

// Lowers the calling thread's timer slack to 1 us so that its sleeps end close to when asked,
// and asks the fair scheduler for a kShortSliceNs time slice (sched_setattr's sched_runtime,
// Linux 6.12 and later; ignored before), with which a waking thread preempts a CPU-bound one
// instead of waiting out its slice. The thread's share of the CPU and its nice value do not
// change, and a thread under another policy than SCHED_OTHER (chrt) keeps it. Best effort:
// false when the thread is not under SCHED_OTHER or the kernel (or a seccomp filter) refused
// the slice, which leaves the thread as it was.
bool use_low_latency_scheduling();

// The calling thread's involuntary context switches so far (getrusage's RUSAGE_THREAD
// ru_nivcsw): how often the kernel gave its core to another task while it was runnable. Not
// moved by its own sleeps, nor by what stops a thread unseen by the kernel's scheduler (a
// hypervisor pausing the virtual CPU, an interrupt). One system call; -1 if it fails.
int64_t thread_preemptions();

// A hint to the CPU inside spin loops.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace infermark::loadgen
