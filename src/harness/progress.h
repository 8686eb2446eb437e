// Live progress of a run: a reporter thread that prints the load generator's live counters — one
// rewritten line on a terminal, a plain line every `interval` otherwise. The counting happens in
// the load generator (StartOptions::live), lock-free and only when a reporter is wanted; the
// reporter only reads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "loadgen/live_counters.h"

namespace infermark::harness {

// Prints progress from `counters` until destroyed. `total_hint` is the number of samples expected
// (0 if unknown); `label` names the phase ("accuracy", "performance", ...).
class ProgressReporter {
 public:
  ProgressReporter(const loadgen::LiveCounters& counters, std::string label, uint64_t total_hint,
                   std::FILE* out = stdout,
                   std::chrono::milliseconds interval = std::chrono::milliseconds(10000));
  ~ProgressReporter();  // prints the final line
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  void loop();
  std::string line(double elapsed_s) const;

  const loadgen::LiveCounters& counters_;
  std::string label_;
  uint64_t total_;
  std::FILE* out_;
  bool tty_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace infermark::harness
