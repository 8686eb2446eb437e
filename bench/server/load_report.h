// What a serve_load run measured, and how it is printed: rates over the measurement window
// (after the warm-up) and latency percentiles of the requests scheduled in it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace infermark::bench {

struct LoadReport {
  std::string label;
  double window_s = 0;
  int64_t requests = 0;         // completed in the window
  int64_t errors = 0;           // failed (not 200) or cut short, whole run
  int64_t tokens = 0;           // generated tokens received in the window
  int64_t events = 0;           // SSE events with at least one token received in the window
  std::vector<double> e2e_ms;   // scheduled -> last byte, requests scheduled in the window
  std::vector<double> ttft_ms;  // scheduled -> first token

  static double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(static_cast<double>(v.size()) * p))];
  }

  void print() const {
    const double w = window_s > 0 ? window_s : 1;
    std::printf(
        "%-10s window=%.1fs requests/s=%.1f tokens/s=%.1f events/s=%.1f errors=%lld "
        "e2e_ms p50=%.3f p99=%.3f max=%.3f ttft_ms p50=%.3f p99=%.3f (n=%zu)\n",
        label.c_str(), window_s, static_cast<double>(requests) / w, static_cast<double>(tokens) / w,
        static_cast<double>(events) / w, static_cast<long long>(errors), percentile(e2e_ms, 0.5),
        percentile(e2e_ms, 0.99), percentile(e2e_ms, 1.0), percentile(ttft_ms, 0.5),
        percentile(ttft_ms, 0.99), e2e_ms.size());
    std::fflush(stdout);
  }
};

// The load's shape: the same for HTTP and in-process runs.
struct LoadShape {
  int concurrency = 0;  // closed loop: this many requests always in flight
  double rate = 0;      // open loop: requests per second at fixed intervals
  double warmup_s = 2;
  double duration_s = 10;
  int prompt_len = 16;  // token ids 1000, 1007, 1014, ...
  int max_tokens = 16;  // ignore_eos: always this many
  bool stream = true;

  std::vector<int32_t> prompt() const {
    std::vector<int32_t> p;
    for (int i = 0; i < prompt_len; ++i) p.push_back(1000 + (7 * i) % 100000);
    return p;
  }
};

}  // namespace infermark::bench
