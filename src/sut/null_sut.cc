#include "sut/null_sut.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "loadgen/clock.h"
#include "loadgen/spin_governor.h"
#include "util/error.h"

namespace infermark::sut {

using loadgen::QuerySample;
using loadgen::SampleResponse;

NullSut::NullSut(NullSutOptions options)
    : options_(options),
      delayed_(options.ttft_ms > 0 || options.tpot_ms > 0 || options.serial_ms > 0),
      rng_state_(options.seed * 0x9E3779B97F4A7C15ull + 1) {
  if (options_.n_tokens < 1) {
    throw Error::format("null SUT: n_tokens must be at least 1, got {}", options_.n_tokens);
  }
  if (options_.ttft_ms < 0 || options_.tpot_ms < 0 || options_.serial_ms < 0) {
    throw Error::format(
        "null SUT: latencies must not be negative (ttft {} ms, tpot {} ms, serial {} ms)",
        options_.ttft_ms, options_.tpot_ms, options_.serial_ms);
  }
  tokens_.resize(options_.n_tokens);
  for (int64_t i = 0; i < options_.n_tokens; ++i) tokens_[i] = static_cast<int32_t>(1000 + i);
  thread_ = std::thread([this] { worker(); });
}

NullSut::~NullSut() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

double NullSut::draw_ms(double mean) {
  if (!options_.random_latency || mean <= 0) return mean;
  // splitmix64 -> uniform (0,1) -> exponential with the given mean.
  uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  const double u = (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;
  return -std::log(u) * mean;
}

void NullSut::schedule(std::span<const QuerySample> samples, int64_t now) {
  for (const QuerySample& s : samples) {
    if (options_.serial_ms > 0) {
      busy_until_ns_ = std::max(busy_until_ns_, now) +
                       static_cast<int64_t>(draw_ms(options_.serial_ms) * 1e6);
      now = busy_until_ns_;  // this sample's work starts only when the server is free
    }
    const auto ttft = static_cast<int64_t>(draw_ms(options_.ttft_ms) * 1e6);
    const auto rest =
        static_cast<int64_t>(draw_ms(options_.tpot_ms) * 1e6 * (options_.n_tokens - 1));
    if (options_.report_first_token) events_.push({now + ttft, next_seq_++, s.id, true});
    events_.push({now + ttft + rest, next_seq_++, s.id, false});
  }
}

void NullSut::issue(std::span<const QuerySample> samples, loadgen::Responder& responder) {
  bool wake;
  {
    std::lock_guard lock(mu_);
    responder_ = &responder;
    if (delayed_) {
      schedule(samples, loadgen::now_ns());
    } else {
      pending_.insert(pending_.end(), samples.begin(), samples.end());
      has_work_.store(true, std::memory_order_release);
    }
    wake = worker_waiting_;
  }
  if (wake) cv_.notify_one();
}

void NullSut::respond_now(std::span<const QuerySample> batch, loadgen::Responder& responder) {
  const auto data = std::as_bytes(std::span<const int32_t>(tokens_));
  for (const QuerySample& s : batch) {
    if (options_.report_first_token) {
      const SampleResponse first{s.id, data.first(sizeof(int32_t)), 1};
      responder.first_token({&first, 1});
    }
    const SampleResponse done{s.id, data, options_.n_tokens};
    responder.complete({&done, 1});
  }
}

void NullSut::fire(const Event& e, loadgen::Responder& responder) {
  const auto data = std::as_bytes(std::span<const int32_t>(tokens_));
  if (e.first_token) {
    const SampleResponse first{e.id, data.first(sizeof(int32_t)), 1};
    responder.first_token({&first, 1});
  } else {
    const SampleResponse done{e.id, data, options_.n_tokens};
    responder.complete({&done, 1});
  }
}

void NullSut::cancel() {
  {
    std::lock_guard lock(mu_);
    for (; !events_.empty(); events_.pop()) due_now_.push_back(events_.top());
    busy_until_ns_ = 0;
  }
  cv_.notify_all();
}

void NullSut::worker() {
  loadgen::use_low_latency_scheduling();
  Lock lock(mu_);
  while (!stopping_) {
    if (delayed_) {
      serve_events(lock);
    } else {
      serve_pending(lock);
    }
  }
}

void NullSut::serve_pending(Lock& lock) {
  if (pending_.empty()) {
    // Spin for up to 1 ms before sleeping while the governor allows it: at the rates this SUT
    // is measured with, work arrives every few to a hundred microseconds, and on an idle core a
    // futex wake-up per issue would dominate the latency. On a busy machine the governor has
    // the worker sleep at once, so that it is woken ahead of CPU-bound tasks.
    lock.unlock();
    loadgen::SpinGovernor& governor = loadgen::SpinGovernor::shared();
    const int64_t now = loadgen::now_ns();
    if (governor.may_spin(now)) {
      governor.spin_until(now + 1'000'000,
                          [&] { return has_work_.load(std::memory_order_acquire); });
    }
    lock.lock();
    if (!pending_.empty() || stopping_) return;
    worker_waiting_ = true;
    cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    worker_waiting_ = false;
    return;
  }
  // The batch keeps its capacity from round to round (swapped back into pending_ next time).
  batch_.swap(pending_);
  has_work_.store(false, std::memory_order_relaxed);
  loadgen::Responder& responder = *responder_;
  lock.unlock();
  respond_now(batch_, responder);
  batch_.clear();
  lock.lock();
}

void NullSut::serve_events(Lock& lock) {
  if (!due_now_.empty()) {
    std::vector<Event> batch;
    batch.swap(due_now_);
    loadgen::Responder& responder = *responder_;
    lock.unlock();
    for (const Event& e : batch) fire(e, responder);
    lock.lock();
    return;
  }
  if (events_.empty()) {
    worker_waiting_ = true;
    cv_.wait(lock, [&] { return stopping_ || !events_.empty() || !due_now_.empty(); });
    worker_waiting_ = false;
    return;
  }
  const int64_t due = events_.top().due_ns;
  const int64_t now = loadgen::now_ns();
  if (due - now > 200'000) {  // far: sleep, but wake for earlier new events, cancel or stop
    worker_waiting_ = true;
    cv_.wait_for(lock, std::chrono::nanoseconds(due - now - 100'000));
    worker_waiting_ = false;
    return;
  }
  if (due > now) {
    lock.unlock();
    loadgen::wait_until_ns(due, 200'000);
    lock.lock();
    return;
  }
  const Event e = events_.top();
  events_.pop();
  loadgen::Responder& responder = *responder_;
  lock.unlock();
  fire(e, responder);
  lock.lock();
}

}  // namespace infermark::sut
