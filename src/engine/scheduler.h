// Continuous batching: which sequences run in the next step and with how many tokens.
//
// Every step the running sequences (admitted, holding KV blocks) are served first, in admission
// order (with decode_first: all single-token decodes, then prefill chunks), then waiting
// sequences are admitted first-come first-served while the step's token budget lasts, fewer than
// max_seqs run, and enough blocks are free for the sequence's whole prompt. Prefill is chunked:
// a sequence gets at most prefill_chunk tokens per step, and a chunk shrinks to the blocks that
// are free. When a running sequence needs a block and none is free, the most recently admitted
// sequence is preempted: its blocks are freed and it goes back to the front of the queue, to be
// recomputed (prompt and generated tokens) when readmitted.
//
// The scheduler owns the sequences. Engine thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "engine/kv_cache.h"
#include "engine/sequence.h"

namespace infermark::engine {

struct SchedulerLimits {
  int max_seqs = 64;
  int64_t max_batch_tokens = 2048;
  int64_t prefill_chunk = 2048;
  bool decode_first = true;
};

// One sequence's share of a step: tokens[n_cached, n_cached + n_tokens) of seq.
struct ScheduledChunk {
  Sequence* seq = nullptr;
  int32_t n_tokens = 0;
  bool samples = false;  // the chunk ends at the last known token: a token is sampled after it
};

class Scheduler {
 public:
  Scheduler(const SchedulerLimits& limits, KvCache& cache);

  // Queues a new sequence at the back.
  void add(std::unique_ptr<Sequence> seq);
  // Removes a waiting or running sequence, freeing its blocks; null if there is none.
  std::unique_ptr<Sequence> remove(RequestId id);
  // Removes a running sequence that has finished, freeing its blocks.
  std::unique_ptr<Sequence> finish(Sequence* seq);

  // Plans the next step (allocating the blocks its chunks write). The chunks are valid until
  // the next call to plan/remove/finish. Empty when there is nothing to run.
  const std::vector<ScheduledChunk>& plan();
  // Sequences preempted while planning the last step (count).
  int64_t last_preemptions() const { return last_preemptions_; }

  bool idle() const { return running_.empty() && waiting_.empty(); }
  int64_t n_running() const { return static_cast<int64_t>(running_.size()); }
  int64_t n_waiting() const { return static_cast<int64_t>(waiting_.size()); }
  // Every sequence, for shutdown.
  std::vector<std::unique_ptr<Sequence>> take_all();

 private:
  // Adds a chunk of up to `want` tokens for running_[i]; may preempt later sequences, or this
  // one (then returns false: running_[i] is gone).
  bool schedule(size_t i, int64_t want, int64_t& budget);
  void preempt_last();
  void admit(int64_t& budget);

  SchedulerLimits limits_;
  KvCache& cache_;
  std::vector<std::unique_ptr<Sequence>> running_;  // in admission order
  std::deque<std::unique_ptr<Sequence>> waiting_;
  std::vector<ScheduledChunk> chunks_;
  uint64_t next_admit_ = 0;
  uint64_t step_ = 0;  // plan() calls so far
  int64_t last_preemptions_ = 0;
};

}  // namespace infermark::engine
