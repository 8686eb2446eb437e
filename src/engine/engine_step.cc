// One step of the engine loop: plan, build the flat batch, run the model, sample, report.
#include <algorithm>
#include <cstring>

#include "engine/engine.h"
#include "util/error.h"
#include "util/log.h"

namespace infermark::engine {

void Engine::step() {
  const auto t0 = Clock::now();
  const std::vector<ScheduledChunk>& chunks = scheduler_->plan();
  work_stats_.preemptions += scheduler_->last_preemptions();
  if (chunks.empty()) return;
  build_batch(chunks);
  model::ForwardBatch batch;
  batch.tokens = tokens_;
  batch.seqs.q_start = q_start_;
  batch.seqs.p0 = p0_;
  batch.seqs.block_tables = tables_.data();
  batch.seqs.block_table_stride = table_stride_;
  batch.logit_rows = logit_rows_;
  model_->forward(*backend_, batch, kv_->layers(), *ws_, dump_.get());
  for (const ScheduledChunk& c : chunks) {
    c.seq->n_cached += c.n_tokens;
    (c.n_tokens == 1 && c.samples ? work_stats_.decode_tokens : work_stats_.prefill_tokens) +=
        c.n_tokens;
  }
  if (!sample_seqs_.empty()) {
    sampled_.resize(sample_seqs_.size());
    sampler_->sample(*backend_, ws_->logits(static_cast<int64_t>(sample_seqs_.size())),
                     sample_seqs_, sampled_);
  }
  done_.clear();
  for (size_t i = 0; i < sample_seqs_.size(); ++i) deliver(*sample_seqs_[i], sampled_[i]);
  for (const auto& [s, reason] : done_) finish(scheduler_->finish(s), reason);
  ++work_stats_.steps;
  work_stats_.busy_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
}

void Engine::build_batch(const std::vector<ScheduledChunk>& chunks) {
  tokens_.clear();
  q_start_.assign(1, 0);
  p0_.clear();
  logit_rows_.clear();
  sample_seqs_.clear();
  for (size_t i = 0; i < chunks.size(); ++i) {
    const ScheduledChunk& c = chunks[i];
    const Sequence& s = *c.seq;
    IM_CHECK(static_cast<int64_t>(s.blocks.size()) <= table_stride_);
    const auto first = s.tokens.begin() + s.n_cached;
    tokens_.insert(tokens_.end(), first, first + c.n_tokens);
    q_start_.push_back(static_cast<int32_t>(tokens_.size()));
    p0_.push_back(s.n_cached);
    std::memcpy(tables_.data() + i * static_cast<size_t>(table_stride_), s.blocks.data(),
                s.blocks.size() * sizeof(int32_t));
    if (c.samples) {
      logit_rows_.push_back(q_start_.back() - 1);
      sample_seqs_.push_back(c.seq);
    }
  }
}

void Engine::deliver(Sequence& seq, TokenId token) {
  seq.tokens.push_back(token);
  ++work_stats_.generated_tokens;
  const bool first = seq.generated() == 1;
  if (first) seq.first_token = Clock::now();
  if (seq.callbacks.on_tokens) {
    try {
      seq.callbacks.on_tokens(std::span<const TokenId>(&seq.tokens.back(), 1), first);
    } catch (const std::exception& e) {
      IM_LOG_WARN("engine: on_tokens of request {} threw: {}", seq.id, e.what());
    }
  }
  const bool stop =
      seq.generated() >= seq.params.min_new_tokens &&
      std::find(seq.stop_ids.begin(), seq.stop_ids.end(), token) != seq.stop_ids.end();
  if (stop) {
    done_.emplace_back(&seq, FinishReason::kStop);
  } else if (seq.generated() >= seq.params.max_new_tokens ||
             static_cast<int64_t>(seq.tokens.size()) >= max_context_) {
    done_.emplace_back(&seq, FinishReason::kLength);
  }
}

}  // namespace infermark::engine
