// What a run has done so far, for a live progress display: samples issued and completed, first
// tokens, generated tokens, and the sums behind mean TTFT and TPOT. The run adds to them (relaxed
// atomic adds, once per counter per SUT call or issue) only when StartOptions::live points here;
// any thread may read them at any time. Each counter is exact; a reader's snapshot of several
// is not taken at one instant.
#pragma once

#include <atomic>
#include <cstdint>

namespace infermark::loadgen {

struct LiveCounters {
  std::atomic<uint64_t> issued{0};        // samples handed to the SUT
  std::atomic<uint64_t> completed{0};     // samples completed
  std::atomic<uint64_t> first_tokens{0};  // samples whose first token arrived
  std::atomic<uint64_t> tokens{0};        // n_tokens of completed samples
  std::atomic<int64_t> ttft_sum_ns{0};    // scheduled -> first token, over first_tokens samples
  std::atomic<int64_t> tpot_sum_ns{0};    // (complete - first token) / (n_tokens - 1), summed
  std::atomic<uint64_t> tpot_samples{0};  // samples in tpot_sum_ns
};

}  // namespace infermark::loadgen
