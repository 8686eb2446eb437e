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

// Waits until now_ns() >= deadline: sleeps while far away, then spins for the last
// `spin_ns` so that the wake-up is precise to about a microsecond. Returns now_ns() on return.
int64_t wait_until_ns(int64_t deadline, int64_t spin_ns = 60000);

}  // namespace infermark::loadgen
