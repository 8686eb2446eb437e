#include "server/generation.h"

#include <chrono>
#include <mutex>

#include "util/error.h"

namespace infermark::server {

struct Generation::Inbox {
  struct Slot {
    std::vector<TokenId> tokens;
    std::optional<engine::Finish> finish;
    bool ended_by_stop_string = false;
  };
  std::mutex mu;
  std::vector<Slot> slots;
  bool woken = false;
  std::function<void()> wake;
  Metrics* metrics = nullptr;
  Admission* admission = nullptr;

  // Under mu: whether the caller must call wake() (once per poll).
  bool needs_wake() {
    const bool w = !woken;
    woken = true;
    return w;
  }
};

namespace {

using Clock = std::chrono::steady_clock;

const char* metric_reason(engine::FinishReason r, bool ended_by_stop_string) {
  switch (r) {
    case engine::FinishReason::kStop:
      return "stop";
    case engine::FinishReason::kLength:
      return "length";
    case engine::FinishReason::kCancelled:
      return ended_by_stop_string ? "stop" : "abort";
    case engine::FinishReason::kError:
      return "error";
  }
  return "error";
}

engine::RequestCallbacks callbacks_for(const std::shared_ptr<Generation::Inbox>& inbox, size_t i) {
  engine::RequestCallbacks cb;
  cb.on_tokens = [inbox, i, last = Clock::time_point{}](std::span<const TokenId> t,
                                                        bool first) mutable {
    const Clock::time_point now = Clock::now();
    if (!first)
      inbox->metrics->observe_inter_token(std::chrono::duration<double>(now - last).count());
    last = now;
    bool wake;
    {
      std::lock_guard lock(inbox->mu);
      auto& tokens = inbox->slots[i].tokens;
      tokens.insert(tokens.end(), t.begin(), t.end());
      wake = inbox->needs_wake();
    }
    if (wake) inbox->wake();
  };
  cb.on_finish = [inbox, i](const engine::Finish& f) {
    bool by_stop_string;
    {
      std::lock_guard lock(inbox->mu);
      by_stop_string = inbox->slots[i].ended_by_stop_string;
    }
    // Counted and given back before the response can see the finish: a client that sends its
    // next request on receiving this one finds the slot free and the metrics up to date.
    inbox->metrics->observe_finish(f, metric_reason(f.reason, by_stop_string));
    inbox->admission->release(1);
    bool wake;
    {
      std::lock_guard lock(inbox->mu);
      inbox->slots[i].finish = f;
      wake = inbox->needs_wake();
    }
    if (wake) inbox->wake();
  };
  return cb;
}

}  // namespace

Generation::Generation(GenerationRequest request, GenerationSettings settings)
    : request_(std::move(request)), settings_(std::move(settings)) {
  IM_CHECK(settings_.backend && settings_.metrics && settings_.admission && settings_.wake);
  choice_settings_.tokenizer = settings_.tokenizer;
  choice_settings_.stop = request_.stop;
  choice_settings_.stop_token_ids = request_.stop_token_ids;
  choice_settings_.min_tokens = request_.params.min_new_tokens;
  choice_settings_.stream_interval = std::max(1, settings_.stream_interval);
  const size_t n = request_.prompts.size();
  choices_.reserve(n);
  for (size_t i = 0; i < n; ++i) choices_.emplace_back(i, choice_settings_);
  backend_done_.assign(n, false);
  cancel_sent_.assign(n, false);
  tokens_.resize(n);
  finishes_.resize(n);
  inbox_ = std::make_shared<Inbox>();
  inbox_->slots.resize(n);
  inbox_->wake = settings_.wake;
  inbox_->metrics = settings_.metrics;
  inbox_->admission = settings_.admission;
}

Generation::~Generation() { cancel(); }

void Generation::start() {
  ids_.reserve(request_.prompts.size());
  for (size_t i = 0; i < request_.prompts.size(); ++i) {
    ids_.push_back(
        settings_.backend->submit(request_.prompts[i], request_.params, callbacks_for(inbox_, i)));
  }
}

void Generation::cancel() {
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (!backend_done_[i] && !cancel_sent_[i]) {
      cancel_sent_[i] = true;
      settings_.backend->cancel(ids_[i]);
    }
  }
}

bool Generation::poll(std::vector<Chunk>& out) {
  bool reported = false;
  {
    std::lock_guard lock(inbox_->mu);
    for (size_t i = 0; i < choices_.size(); ++i) {
      Inbox::Slot& s = inbox_->slots[i];
      tokens_[i].clear();
      tokens_[i].swap(s.tokens);
      finishes_[i] = std::move(s.finish);
      s.finish.reset();
      reported = reported || !tokens_[i].empty() || finishes_[i];
    }
    inbox_->woken = false;
  }
  for (size_t i = 0; i < choices_.size(); ++i) {
    const bool ending = finishes_[i] && (finishes_[i]->reason == engine::FinishReason::kStop ||
                                         finishes_[i]->reason == engine::FinishReason::kLength);
    if (!choices_[i].finished() && choices_[i].add(tokens_[i], out, ending)) {
      {
        std::lock_guard lock(inbox_->mu);
        inbox_->slots[i].ended_by_stop_string = true;
      }
      if (!finishes_[i] && !cancel_sent_[i]) {
        cancel_sent_[i] = true;
        settings_.backend->cancel(ids_[i]);
      }
    }
    if (finishes_[i]) take_finish(i, *finishes_[i], out);
  }
  return reported;
}

void Generation::take_finish(size_t i, const engine::Finish& f, std::vector<Chunk>& out) {
  backend_done_[i] = true;
  if (choices_[i].finished() || failure_) return;
  switch (f.reason) {
    case engine::FinishReason::kStop:
    case engine::FinishReason::kLength:
      choices_[i].end(f.reason, out);
      return;
    case engine::FinishReason::kError:
      failure_ = GenerationFailure{500, "internal_error", "generation failed: " + f.error};
      break;
    case engine::FinishReason::kCancelled:
      failure_ = GenerationFailure{503, "cancelled", "the request was cancelled by the server"};
      break;
  }
  cancel();
}

bool Generation::done() const {
  if (failure_) return true;
  for (const ChoiceStream& c : choices_) {
    if (!c.finished()) return false;
  }
  return true;
}

int64_t Generation::prompt_tokens() const {
  int64_t n = 0;
  for (const auto& p : request_.prompts) n += static_cast<int64_t>(p.size());
  return n;
}

int64_t Generation::completion_tokens() const {
  int64_t n = 0;
  for (const ChoiceStream& c : choices_) n += static_cast<int64_t>(c.ids().size());
  return n;
}

}  // namespace infermark::server
