#include "server/null_backend.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"
#include "util/log.h"

namespace infermark::server {
namespace {

double seconds_between(std::chrono::steady_clock::time_point from,
                       std::chrono::steady_clock::time_point to) {
  return from == std::chrono::steady_clock::time_point{} ||
                 to == std::chrono::steady_clock::time_point{}
             ? 0
             : std::chrono::duration<double>(to - from).count();
}

}  // namespace

TokenId null_token_id(size_t prompt_len, int64_t i, int32_t vocab_size) {
  const int64_t id = 1000 + (static_cast<int64_t>(prompt_len) + 7 * i) % 20000;
  return static_cast<TokenId>(id % vocab_size);
}

NullBackend::NullBackend(const NullBackendOptions& o) : options_(o) {
  if (!(o.tokens_per_s >= 0) || std::isinf(o.tokens_per_s)) {
    throw Error::format("--null-tokens-per-s {}: must be a finite number >= 0", o.tokens_per_s);
  }
  if (!(o.ttft_ms >= 0) || std::isinf(o.ttft_ms)) {
    throw Error::format("--null-ttft-ms {}: must be a finite number >= 0", o.ttft_ms);
  }
  if (o.output_len < 0) throw Error::format("--null-output-len {}: must be >= 0", o.output_len);
  if (o.max_seqs < 1) throw Error::format("--max-seqs {}: must be >= 1", o.max_seqs);
  if (o.vocab_size < 1 || o.max_context < 2) {
    throw Error::format("null backend: vocab_size ({}) and max_context ({}) too small",
                        o.vocab_size, o.max_context);
  }
  info_.kind = "null";
  info_.vocab_size = o.vocab_size;
  info_.max_context = o.max_context;
  info_.max_seqs = o.max_seqs;
  if (o.tokens_per_s > 0) {
    interval_ = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / o.tokens_per_s));
  }
  ttft_ = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double, std::milli>(o.ttft_ms));
  thread_ = std::thread([this] { loop(); });
}

NullBackend::~NullBackend() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::string NullBackend::validate(const std::vector<TokenId>& prompt,
                                  const engine::GenerationParams& p) const {
  if (prompt.empty()) return "prompt is empty";
  if (static_cast<int64_t>(prompt.size()) > info_.max_context) {
    return fmt::format("prompt has {} tokens, more than the context of {} tokens", prompt.size(),
                       info_.max_context);
  }
  for (size_t i = 0; i < prompt.size(); ++i) {
    if (prompt[i] < 0 || prompt[i] >= info_.vocab_size) {
      return fmt::format("prompt token {} is {}, outside the vocabulary [0, {})", i, prompt[i],
                         info_.vocab_size);
    }
  }
  if (p.max_new_tokens < 1)
    return fmt::format("max_new_tokens = {}: must be >= 1", p.max_new_tokens);
  return {};
}

engine::RequestId NullBackend::submit(std::vector<TokenId> prompt, engine::GenerationParams params,
                                      engine::RequestCallbacks callbacks) {
  auto r = std::make_unique<Request>();
  r->submitted = Clock::now();
  r->error = validate(prompt, params);
  r->prompt_len = prompt.size();
  r->params = std::move(params);
  r->callbacks = std::move(callbacks);
  engine::RequestId id;
  {
    std::lock_guard lock(mu_);
    id = r->id = next_id_++;
    inbox_.push_back(std::move(r));
  }
  queued_.fetch_add(1, std::memory_order_relaxed);
  wake_.notify_one();
  return id;
}

void NullBackend::cancel(engine::RequestId id) {
  {
    std::lock_guard lock(mu_);
    cancels_.push_back(id);
  }
  wake_.notify_one();
}

BackendLoad NullBackend::load() const {
  BackendLoad l;
  l.running = running_.load(std::memory_order_relaxed);
  l.waiting = queued_.load(std::memory_order_relaxed);
  return l;
}

void NullBackend::loop() {
  std::vector<std::unique_ptr<Request>> fresh;
  std::vector<engine::RequestId> cancels;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      auto ready = [&] { return stop_ || !inbox_.empty() || !cancels_.empty(); };
      if (due_.empty()) {
        wake_.wait(lock, ready);
      } else {
        wake_.wait_until(lock, due_.top().at, ready);
      }
      if (stop_) break;
      fresh.swap(inbox_);
      cancels.swap(cancels_);
    }
    for (auto& r : fresh) {
      if (!r->error.empty()) {
        queued_.fetch_sub(1, std::memory_order_relaxed);
        finish(std::move(r), engine::FinishReason::kError);
      } else {
        waiting_.push_back(std::move(r));
      }
    }
    fresh.clear();
    for (engine::RequestId id : cancels) {
      if (auto it = active_.find(id); it != active_.end()) {
        auto r = std::move(it->second);
        active_.erase(it);
        finish(std::move(r), engine::FinishReason::kCancelled);
      } else if (auto w = std::find_if(waiting_.begin(), waiting_.end(),
                                       [id](const auto& r) { return r->id == id; });
                 w != waiting_.end()) {
        auto r = std::move(*w);
        waiting_.erase(w);
        queued_.fetch_sub(1, std::memory_order_relaxed);
        finish(std::move(r), engine::FinishReason::kCancelled);
      }
    }
    cancels.clear();
    const Clock::time_point now = Clock::now();
    start_waiting(now);
    emit_due(now);
    publish();
  }
  for (auto& [id, r] : active_) finish(std::move(r), engine::FinishReason::kCancelled);
  for (auto& r : waiting_) finish(std::move(r), engine::FinishReason::kCancelled);
  {
    std::lock_guard lock(mu_);
    fresh.swap(inbox_);
  }
  for (auto& r : fresh) finish(std::move(r), engine::FinishReason::kCancelled);
}

void NullBackend::start_waiting(Clock::time_point now) {
  while (!waiting_.empty() && static_cast<int>(active_.size()) < options_.max_seqs) {
    auto r = std::move(waiting_.front());
    waiting_.pop_front();
    queued_.fetch_sub(1, std::memory_order_relaxed);
    r->started = now;
    r->due = now + ttft_;
    due_.push({r->due, r->id});
    active_.emplace(r->id, std::move(r));
  }
}

void NullBackend::emit_due(Clock::time_point now) {
  while (!due_.empty() && due_.top().at <= now) {
    const Due d = due_.top();
    due_.pop();
    auto it = active_.find(d.id);
    if (it == active_.end()) continue;  // cancelled
    Request& r = *it->second;
    std::optional<engine::FinishReason> done = emit_one(r);
    while (!done && interval_ == Clock::duration::zero()) done = emit_one(r);
    if (done) {
      auto owned = std::move(it->second);
      active_.erase(it);
      finish(std::move(owned), *done);
      start_waiting(now);
    } else {
      r.due += interval_;
      due_.push({r.due, r.id});
    }
  }
}

std::optional<engine::FinishReason> NullBackend::emit_one(Request& r) {
  const TokenId id = null_token_id(r.prompt_len, r.generated, info_.vocab_size);
  ++r.generated;
  const bool first = r.generated == 1;
  if (first) r.first_token = Clock::now();
  if (r.callbacks.on_tokens) {
    try {
      r.callbacks.on_tokens(std::span<const TokenId>(&id, 1), first);
    } catch (const std::exception& e) {
      IM_LOG_WARN("null backend: on_tokens of request {} threw: {}", r.id, e.what());
    }
  }
  const auto& stops = r.params.stop_ids;
  if (r.generated >= r.params.min_new_tokens &&
      std::find(stops.begin(), stops.end(), id) != stops.end()) {
    return engine::FinishReason::kStop;
  }
  if (r.generated >= r.params.max_new_tokens ||
      static_cast<int64_t>(r.prompt_len) + r.generated >= info_.max_context) {
    return engine::FinishReason::kLength;
  }
  if (options_.output_len > 0 && r.generated >= options_.output_len) {
    return engine::FinishReason::kStop;
  }
  return std::nullopt;
}

void NullBackend::finish(std::unique_ptr<Request> r, engine::FinishReason reason) {
  publish();  // load() no longer counts it by the time on_finish runs
  const Clock::time_point now = Clock::now();
  engine::Finish f;
  f.id = r->id;
  f.reason = reason;
  f.error = r->error;
  f.prompt_tokens = static_cast<int32_t>(r->prompt_len);
  f.generated_tokens = static_cast<int32_t>(r->generated);
  f.queue_seconds = seconds_between(r->submitted, r->started);
  f.first_token_seconds = seconds_between(r->submitted, r->first_token);
  f.total_seconds = seconds_between(r->submitted, now);
  if (r->callbacks.on_finish) {
    try {
      r->callbacks.on_finish(f);
    } catch (const std::exception& e) {
      IM_LOG_WARN("null backend: on_finish of request {} threw: {}", r->id, e.what());
    }
  }
}

void NullBackend::publish() {
  running_.store(static_cast<int64_t>(active_.size()), std::memory_order_relaxed);
}

}  // namespace infermark::server
