#include "loadgen/clock.h"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "loadgen/spin_governor.h"

namespace infermark::loadgen {

int64_t wait_until_ns(int64_t deadline, int64_t spin_ns) {
  SpinGovernor& governor = SpinGovernor::shared();
  int64_t now = now_ns();
  while (now < deadline) {
    const int64_t spin = governor.may_spin(now) ? spin_ns : std::min(spin_ns, kSleepingSpinNs);
    if (deadline - now > spin) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(deadline - now - spin));
      now = now_ns();
    } else {
      now = governor.spin_until(deadline, [] { return false; });
    }
  }
  return now;
}

int64_t thread_preemptions() {
  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) != 0) return -1;
  return usage.ru_nivcsw;
}

namespace {

// struct sched_attr of sched_setattr(2); <linux/sched/types.h> clashes with glibc's <sched.h>.
struct SchedAttr {
  uint32_t size = sizeof(SchedAttr);
  uint32_t sched_policy = 0;  // SCHED_OTHER
  uint64_t sched_flags = 0;
  int32_t sched_nice = 0;
  uint32_t sched_priority = 0;
  uint64_t sched_runtime = 0;
  uint64_t sched_deadline = 0;
  uint64_t sched_period = 0;
};

}  // namespace

bool use_low_latency_scheduling() {
  prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
  if (sched_getscheduler(0) != SCHED_OTHER) return false;  // a policy the user chose stays
  SchedAttr attr;
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, 0);  // this thread's
  if (errno != 0) return false;
  attr.sched_nice = nice;
  attr.sched_runtime = kShortSliceNs;
  return syscall(SYS_sched_setattr, 0, &attr, 0) == 0;
}

}  // namespace infermark::loadgen
