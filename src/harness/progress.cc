#include "harness/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include "loadgen/clock.h"
#include "loadgen/issue_series.h"

namespace infermark::harness {

void CountingSut::issue(std::span<const loadgen::QuerySample> samples, loadgen::Responder& r) {
  outer_.store(&r, std::memory_order_release);
  issued_.fetch_add(samples.size(), std::memory_order_relaxed);
  {
    const int64_t now = loadgen::now_ns();
    std::lock_guard lock(mu_);
    for (const auto& s : samples) times_[s.id] = {now, loadgen::kUnset};
  }
  inner_.issue(samples, *this);
}

void CountingSut::first_token(std::span<const loadgen::SampleResponse> responses) {
  first_tokens_.fetch_add(responses.size(), std::memory_order_relaxed);
  {
    const int64_t now = loadgen::now_ns();
    std::lock_guard lock(mu_);
    for (const auto& r : responses) {
      auto it = times_.find(r.id);
      if (it == times_.end() || it->second.second != loadgen::kUnset) continue;
      it->second.second = now;
      ttft_sum_ms_ += (now - it->second.first) / 1e6;
      ++ttft_n_;
    }
  }
  outer_.load(std::memory_order_acquire)->first_token(responses);
}

void CountingSut::complete(std::span<const loadgen::SampleResponse> responses) {
  uint64_t tokens = 0;
  for (const auto& r : responses) tokens += r.n_tokens > 0 ? static_cast<uint64_t>(r.n_tokens) : 0;
  {
    const int64_t now = loadgen::now_ns();
    std::lock_guard lock(mu_);
    for (const auto& r : responses) {
      auto it = times_.find(r.id);
      if (it == times_.end()) continue;
      if (it->second.second != loadgen::kUnset && r.n_tokens > 1) {
        tpot_sum_ms_ += (now - it->second.second) / 1e6 / static_cast<double>(r.n_tokens - 1);
        ++tpot_n_;
      }
      times_.erase(it);
    }
  }
  tokens_.fetch_add(tokens, std::memory_order_relaxed);
  completed_.fetch_add(responses.size(), std::memory_order_relaxed);
  outer_.load(std::memory_order_acquire)->complete(responses);
}

CountingSut::Counts CountingSut::counts() const {
  std::lock_guard lock(mu_);
  return {issued_.load(), completed_.load(), first_tokens_.load(), tokens_.load(),
          ttft_n_ ? ttft_sum_ms_ / ttft_n_ : 0.0, tpot_n_ ? tpot_sum_ms_ / tpot_n_ : 0.0};
}

ProgressReporter::ProgressReporter(const CountingSut& sut, std::string label, uint64_t total_hint,
                                   std::FILE* out, std::chrono::milliseconds interval)
    : sut_(sut),
      label_(std::move(label)),
      total_(total_hint),
      out_(out),
      tty_(isatty(fileno(out)) != 0),
      interval_(tty_ ? std::chrono::milliseconds(500) : interval),
      start_(std::chrono::steady_clock::now()),
      thread_([this] { loop(); }) {}

ProgressReporter::~ProgressReporter() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(out_, "%s%s\n", tty_ ? "\r\033[K" : "", line(elapsed).c_str());
  std::fflush(out_);
}

std::string ProgressReporter::line(double elapsed_s) const {
  const auto c = sut_.counts();
  std::string s = fmt::format("[{}] {} / {} samples", label_, c.completed,
                              total_ ? std::to_string(total_) : std::to_string(c.issued));
  if (elapsed_s > 0) {
    s += fmt::format(", {:.1f} samples/s, {:.1f} tokens/s", c.completed / elapsed_s,
                     c.tokens / elapsed_s);
  }
  if (c.mean_ttft_ms > 0) s += fmt::format(", TTFT {:.0f} ms", c.mean_ttft_ms);
  if (c.mean_tpot_ms > 0) s += fmt::format(", TPOT {:.1f} ms", c.mean_tpot_ms);
  if (total_ > 0 && c.completed > 0 && c.completed < total_) {
    const double eta = elapsed_s * (static_cast<double>(total_) / c.completed - 1);
    s += fmt::format(", ETA {:.0f} s", eta);
  }
  s += fmt::format(", {:.0f} s elapsed", elapsed_s);
  return s;
}

void ProgressReporter::loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return done_; })) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(out_, "%s%s%s", tty_ ? "\r\033[K" : "", line(elapsed).c_str(), tty_ ? "" : "\n");
    std::fflush(out_);
  }
}

}  // namespace infermark::harness
