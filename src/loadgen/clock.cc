#include "loadgen/clock.h"

#include <sys/prctl.h>

#include <thread>

namespace infermark::loadgen {

int64_t wait_until_ns(int64_t deadline, int64_t spin_ns) {
  int64_t now = now_ns();
  while (deadline - now > spin_ns) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(deadline - now - spin_ns));
    now = now_ns();
  }
  while (now < deadline) {
    cpu_relax();
    now = now_ns();
  }
  return now;
}

void use_precise_sleeps() { prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0); }

}  // namespace infermark::loadgen
