#include "harness/progress.h"

#include <fmt/format.h>
#include <unistd.h>

namespace infermark::harness {

ProgressReporter::ProgressReporter(const loadgen::LiveCounters& counters, std::string label,
                                   uint64_t total_hint, std::FILE* out,
                                   std::chrono::milliseconds interval)
    : counters_(counters),
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
  constexpr auto kRelaxed = std::memory_order_relaxed;
  const uint64_t completed = counters_.completed.load(kRelaxed);
  const uint64_t issued = counters_.issued.load(kRelaxed);
  const uint64_t tokens = counters_.tokens.load(kRelaxed);
  const uint64_t first_tokens = counters_.first_tokens.load(kRelaxed);
  const uint64_t tpot_samples = counters_.tpot_samples.load(kRelaxed);
  std::string s = fmt::format("[{}] {} / {} samples", label_, completed,
                              total_ ? std::to_string(total_) : std::to_string(issued));
  if (elapsed_s > 0) {
    s += fmt::format(", {:.1f} samples/s, {:.1f} tokens/s", completed / elapsed_s,
                     tokens / elapsed_s);
  }
  if (first_tokens > 0) {
    const double ttft_ns = static_cast<double>(counters_.ttft_sum_ns.load(kRelaxed));
    s += fmt::format(", TTFT {:.0f} ms", ttft_ns / 1e6 / static_cast<double>(first_tokens));
  }
  if (tpot_samples > 0) {
    const double tpot_ns = static_cast<double>(counters_.tpot_sum_ns.load(kRelaxed));
    s += fmt::format(", TPOT {:.1f} ms", tpot_ns / 1e6 / static_cast<double>(tpot_samples));
  }
  if (total_ > 0 && completed > 0 && completed < total_) {
    const double eta = elapsed_s * (static_cast<double>(total_) / completed - 1);
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
