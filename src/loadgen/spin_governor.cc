#include "loadgen/spin_governor.h"

#include <algorithm>

namespace infermark::loadgen {

SpinGovernor& SpinGovernor::shared() {
  static SpinGovernor governor;
  return governor;
}

SpinGovernor::SpinGovernor() { std::fill(recent_, recent_ + kBurstEvents - 1, kNone); }

void SpinGovernor::descheduled(int64_t after) {
  std::lock_guard lock(mu_);
  const int64_t hold_end = sleep_until_.load(std::memory_order_relaxed);
  if (after < hold_end) return;
  const int64_t oldest = recent_[0];
  std::move(recent_ + 1, recent_ + kBurstEvents - 1, recent_);
  recent_[kBurstEvents - 2] = after;
  if (oldest == kNone || after - oldest > kBurstWindowNs) return;
  std::fill(recent_, recent_ + kBurstEvents - 1, kNone);
  const bool again_soon = hold_end != 0 && after - hold_end < hold_ns_;
  hold_ns_ = again_soon ? std::min(2 * hold_ns_, kMaxHoldNs) : kMinHoldNs;
  sleep_until_.store(after + hold_ns_, std::memory_order_relaxed);
}

int64_t SpinGovernor::hold_ns() const {
  std::lock_guard lock(mu_);
  return hold_ns_;
}

}  // namespace infermark::loadgen
