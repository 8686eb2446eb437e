// Admission control: a request takes one slot per choice before anything is submitted and gives
// each back when the backend finishes that choice. Slots = --max-seqs + --max-queue (unbounded
// without --max-queue); when they are taken the request is refused (429) at once, so load beyond
// capacity is shed instead of queued without bound. Lock-free; thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

namespace infermark::server {

class Admission {
 public:
  // nullopt: no limit.
  explicit Admission(std::optional<int64_t> capacity) : capacity_(capacity) {}

  // Takes n slots if all n are free.
  bool try_acquire(int64_t n) {
    int64_t used = in_flight_.load(std::memory_order_relaxed);
    do {
      if (capacity_ && used + n > *capacity_) return false;
    } while (!in_flight_.compare_exchange_weak(used, used + n, std::memory_order_relaxed));
    return true;
  }
  void release(int64_t n) { in_flight_.fetch_sub(n, std::memory_order_relaxed); }

  int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  std::optional<int64_t> capacity() const { return capacity_; }

 private:
  const std::optional<int64_t> capacity_;
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace infermark::server
