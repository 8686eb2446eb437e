#include "engine/scheduler.h"

#include <algorithm>

#include "util/error.h"

namespace infermark::engine {

Scheduler::Scheduler(const SchedulerLimits& limits, KvCache& cache)
    : limits_(limits), cache_(cache) {
  IM_CHECK(limits.max_seqs >= 1 && limits.max_batch_tokens >= 1 && limits.prefill_chunk >= 1);
  running_.reserve(static_cast<size_t>(limits.max_seqs));
  chunks_.reserve(static_cast<size_t>(limits.max_seqs));
}

void Scheduler::add(std::unique_ptr<Sequence> seq) { waiting_.push_back(std::move(seq)); }

std::unique_ptr<Sequence> Scheduler::remove(RequestId id) {
  auto match = [id](const std::unique_ptr<Sequence>& s) { return s->id == id; };
  std::unique_ptr<Sequence> out;
  if (auto it = std::find_if(running_.begin(), running_.end(), match); it != running_.end()) {
    out = std::move(*it);
    running_.erase(it);
  } else if (auto w = std::find_if(waiting_.begin(), waiting_.end(), match); w != waiting_.end()) {
    out = std::move(*w);
    waiting_.erase(w);
  }
  if (out) cache_.release(out->blocks);
  return out;
}

std::unique_ptr<Sequence> Scheduler::finish(Sequence* seq) {
  auto it = std::find_if(running_.begin(), running_.end(),
                         [seq](const std::unique_ptr<Sequence>& s) { return s.get() == seq; });
  IM_CHECK(it != running_.end());
  std::unique_ptr<Sequence> out = std::move(*it);
  running_.erase(it);
  cache_.release(out->blocks);
  return out;
}

std::vector<std::unique_ptr<Sequence>> Scheduler::take_all() {
  std::vector<std::unique_ptr<Sequence>> all;
  for (auto& s : running_) all.push_back(std::move(s));
  for (auto& s : waiting_) all.push_back(std::move(s));
  running_.clear();
  waiting_.clear();
  chunks_.clear();
  for (auto& s : all) cache_.release(s->blocks);
  return all;
}

const std::vector<ScheduledChunk>& Scheduler::plan() {
  chunks_.clear();
  last_preemptions_ = 0;
  ++step_;
  int64_t budget = limits_.max_batch_tokens;
  // Pass 0: decode tokens (with decode_first), pass 1: the rest, each in admission order.
  for (int pass = limits_.decode_first ? 0 : 1; pass < 2; ++pass) {
    for (size_t i = 0; i < running_.size() && budget > 0; ++i) {
      Sequence* s = running_[i].get();
      const bool decode = s->pending() == 1;
      if (s->planned_step == step_ || (pass == 0 && !decode)) continue;
      const int64_t want = decode ? 1 : std::min<int64_t>(s->pending(), limits_.prefill_chunk);
      if (!schedule(i, want, budget)) break;  // s preempted itself: it was the last one
    }
  }
  admit(budget);
  return chunks_;
}

bool Scheduler::schedule(size_t i, int64_t want, int64_t& budget) {
  Sequence* s = running_[i].get();
  want = std::min(want, budget);
  for (;;) {
    const auto held = static_cast<int64_t>(s->blocks.size());
    const int64_t need = std::max<int64_t>(0, cache_.blocks_for(s->n_cached + want) - held);
    if (need <= cache_.n_free()) {
      IM_CHECK(cache_.allocate(need, s->blocks));
      chunks_.push_back({s, static_cast<int32_t>(want),
                         s->n_cached + want == static_cast<int64_t>(s->tokens.size())});
      s->planned_step = step_;
      budget -= want;
      return true;
    }
    // A prefill chunk shrinks to the free blocks before anyone is evicted.
    const int64_t fit = (held + cache_.n_free()) * cache_.block_size() - s->n_cached;
    if (fit >= 1 && fit < want) {
      want = fit;
      continue;
    }
    const bool self = running_.back().get() == s;
    // Give back the budget of a victim already scheduled in this step.
    auto it = std::find_if(chunks_.begin(), chunks_.end(),
                           [&](const ScheduledChunk& c) { return c.seq == running_.back().get(); });
    if (it != chunks_.end()) {
      budget += it->n_tokens;
      it->seq->planned_step = 0;
      chunks_.erase(it);
    }
    preempt_last();
    if (self) return false;
  }
}

void Scheduler::preempt_last() {
  std::unique_ptr<Sequence> victim = std::move(running_.back());
  running_.pop_back();
  cache_.release(victim->blocks);
  victim->n_cached = 0;
  ++victim->preemptions;
  ++last_preemptions_;
  waiting_.push_front(std::move(victim));
}

void Scheduler::admit(int64_t& budget) {
  while (!waiting_.empty() && budget > 0 &&
         running_.size() < static_cast<size_t>(limits_.max_seqs)) {
    Sequence* s = waiting_.front().get();
    // Reserve the whole known sequence at once: an admitted prefill never waits for blocks.
    const int64_t need = cache_.blocks_for(static_cast<int64_t>(s->tokens.size()));
    if (!cache_.allocate(need, s->blocks)) return;  // first come, first served: no overtaking
    s->admit_order = next_admit_++;
    if (s->scheduled == Clock::time_point{}) s->scheduled = Clock::now();
    running_.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
    const int64_t want = std::min<int64_t>(s->pending(), limits_.prefill_chunk);
    IM_CHECK(schedule(running_.size() - 1, want, budget));
  }
}

}  // namespace infermark::engine
