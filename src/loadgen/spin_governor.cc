#include "loadgen/spin_governor.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "loadgen/clock.h"

namespace infermark::loadgen {

SpinGovernor& SpinGovernor::shared() {
  static SpinGovernor governor;
  return governor;
}

SpinGovernor::SpinGovernor(Policy policy) : policy_(policy) {
  std::fill(recent_, recent_ + kBurstEvents - 1, kNone);
}

std::optional<SpinGovernor::Policy> parse_wait_policy(std::string_view name) {
  if (name == "sleep") return SpinGovernor::Policy::kSleep;
  if (name == "adaptive") return SpinGovernor::Policy::kAdaptive;
  return std::nullopt;
}

void SpinGovernor::descheduled(int64_t after) {
  std::lock_guard lock(mu_);
  const int64_t hold_end = sleep_until_.load(std::memory_order_relaxed);
  if (after < hold_end) return;
  const int64_t oldest = recent_[0];
  std::move(recent_ + 1, recent_ + kBurstEvents - 1, recent_);
  recent_[kBurstEvents - 2] = after;
  if (oldest == kNone || after - oldest > kBurstWindowNs) return;
  std::fill(recent_, recent_ + kBurstEvents - 1, kNone);
  ++holds_;
  const bool again_soon = hold_end != 0 && after - hold_end < hold_ns_;
  hold_ns_ = again_soon ? std::min(2 * hold_ns_, kMaxHoldNs) : kMinHoldNs;
  sleep_until_.store(after + hold_ns_, std::memory_order_relaxed);
}

int64_t SpinGovernor::hold_ns() const {
  std::lock_guard lock(mu_);
  return hold_ns_;
}

SpinGovernor::Stats SpinGovernor::stats() const {
  Stats s;
  s.preempted = preempted_.load(std::memory_order_relaxed);
  s.paused = paused_.load(std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  s.holds = holds_;
  return s;
}

bool SpinGovernor::preempted_since_last_gap() {
  thread_local int64_t preemptions_at_last_gap = 0;
  const int64_t preemptions = thread_preemptions();
  const bool preempted = preemptions < 0 || preemptions != preemptions_at_last_gap;
  preemptions_at_last_gap = preemptions;
  (preempted ? preempted_ : paused_).fetch_add(1, std::memory_order_relaxed);
  return preempted;
}

}  // namespace infermark::loadgen
