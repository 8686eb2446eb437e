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

// Waits until now_ns() >= deadline: sleeps while the deadline is more than `spin_ns` away, then
// spins, so that the wake-up is precise to about a microsecond whatever the scheduler's sleep
// granularity. Returns now_ns() on return. Costs a core for at most `spin_ns` per call.
int64_t wait_until_ns(int64_t deadline, int64_t spin_ns = 500'000);

// Lowers the calling thread's timer slack to 1 us so that its sleeps end close to when asked.
void use_precise_sleeps();

// A hint to the CPU inside spin loops.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace infermark::loadgen
