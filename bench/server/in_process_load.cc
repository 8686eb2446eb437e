#include "in_process_load.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace infermark::bench {
namespace {

using Clock = std::chrono::steady_clock;

class InProcessLoad {
 public:
  InProcessLoad(engine::Engine& engine, const LoadShape& shape)
      : engine_(engine), shape_(shape), prompt_(shape.prompt()) {}

  LoadReport run() {
    start_ = Clock::now();
    window_start_ = start_ + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(shape_.warmup_s));
    end_ = window_start_ + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(shape_.duration_s));
    for (int i = 0; i < shape_.concurrency; ++i) submit();
    std::this_thread::sleep_until(end_);
    stopping_ = true;
    engine_.wait_idle();
    std::lock_guard lock(mu_);
    report_.label = "in-process";
    report_.window_s = shape_.duration_s;
    return report_;
  }

 private:
  void submit() {
    engine::GenerationParams p;
    p.max_new_tokens = shape_.max_tokens;
    p.min_new_tokens = 0;
    p.ignore_eos = true;
    const Clock::time_point scheduled = Clock::now();
    auto first = std::make_shared<Clock::time_point>();
    engine::RequestCallbacks cb;
    cb.on_tokens = [this, first](std::span<const engine::TokenId> t, bool is_first) {
      const Clock::time_point now = Clock::now();
      if (is_first) *first = now;
      if (now >= window_start_ && now < end_) {
        std::lock_guard lock(mu_);
        report_.tokens += static_cast<int64_t>(t.size());
        ++report_.events;
      }
    };
    cb.on_finish = [this, scheduled, first](const engine::Finish& f) {
      const Clock::time_point now = Clock::now();
      {
        std::lock_guard lock(mu_);
        if (f.reason != engine::FinishReason::kLength) ++report_.errors;
        if (now >= window_start_ && now < end_) ++report_.requests;
        if (scheduled >= window_start_ && scheduled < end_) {
          report_.e2e_ms.push_back(
              std::chrono::duration<double, std::milli>(now - scheduled).count());
          report_.ttft_ms.push_back(
              std::chrono::duration<double, std::milli>(*first - scheduled).count());
        }
      }
      if (!stopping_) submit();  // the engine allows submit from its callbacks
    };
    engine_.submit(prompt_, p, std::move(cb));
  }

  engine::Engine& engine_;
  const LoadShape shape_;
  const std::vector<engine::TokenId> prompt_;
  Clock::time_point start_, window_start_, end_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  LoadReport report_;
};

}  // namespace

LoadReport run_in_process_load(engine::Engine& engine, const LoadShape& shape) {
  return InProcessLoad(engine, shape).run();
}

}  // namespace infermark::bench
