// Live progress of a run: a SystemUnderTest decorator that counts issued and completed samples,
// generated tokens and first-token/per-token latencies as they happen, and a reporter thread
// that prints them — one rewritten line on a terminal, a plain line every `interval` otherwise.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "loadgen/interfaces.h"

namespace infermark::harness {

// Counts what passes through a SUT, and measures TTFT (issue -> first token) and TPOT
// ((completion - first token) / (tokens - 1)) per sample as running means. Takes a lock per
// sample: meant for LLM rates (thousands of samples per second at most), not for the null SUT.
class CountingSut final : public loadgen::SystemUnderTest, private loadgen::Responder {
 public:
  explicit CountingSut(loadgen::SystemUnderTest& inner) : inner_(inner) {}

  std::string name() const override { return inner_.name(); }
  void issue(std::span<const loadgen::QuerySample> samples, loadgen::Responder& r) override;
  void flush() override { inner_.flush(); }
  void cancel() override { inner_.cancel(); }

  struct Counts {
    uint64_t issued, completed, first_tokens, tokens;
    double mean_ttft_ms, mean_tpot_ms;  // over the samples measured so far; 0 if none
  };
  Counts counts() const;

 private:
  void first_token(std::span<const loadgen::SampleResponse> responses) override;
  void complete(std::span<const loadgen::SampleResponse> responses) override;
  void note(loadgen::SutNote kind, std::string_view text) override {
    outer_.load(std::memory_order_acquire)->note(kind, text);
  }

  loadgen::SystemUnderTest& inner_;
  std::atomic<loadgen::Responder*> outer_{nullptr};
  std::atomic<uint64_t> issued_{0}, completed_{0}, first_tokens_{0}, tokens_{0};
  mutable std::mutex mu_;
  std::unordered_map<loadgen::ResponseId, std::pair<int64_t, int64_t>> times_;  // issue, first
  double ttft_sum_ms_ = 0, tpot_sum_ms_ = 0;
  uint64_t ttft_n_ = 0, tpot_n_ = 0;
};

// Prints progress of `sut` until stopped. `total_hint` is the number of samples expected (0 if
// unknown); `label` names the phase ("accuracy", "performance", ...).
class ProgressReporter {
 public:
  ProgressReporter(const CountingSut& sut, std::string label, uint64_t total_hint,
                   std::FILE* out = stdout,
                   std::chrono::milliseconds interval = std::chrono::milliseconds(10000));
  ~ProgressReporter();  // prints the final line
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  void loop();
  std::string line(double elapsed_s) const;

  const CountingSut& sut_;
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
