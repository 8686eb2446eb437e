// The engine's state for one admitted or queued request (internal to the engine): its tokens
// (prompt, then generated), how many of them have K/V in the cache, its KV blocks, parameters,
// callbacks and timings. Owned by the scheduler; touched by the engine thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/request.h"

namespace infermark::engine {

using Clock = std::chrono::steady_clock;

struct Sequence {
  RequestId id = 0;
  std::vector<TokenId> tokens;  // prompt, then generated tokens
  int32_t prompt_len = 0;
  int32_t n_cached = 0;         // tokens[0, n_cached) have K/V in this sequence's blocks
  std::vector<int32_t> blocks;  // KV block ids, position p in blocks[p / block_size]
  GenerationParams params;
  std::span<const TokenId> stop_ids;  // params.stop_ids, or the model's eos ids
  RequestCallbacks callbacks;
  uint64_t admit_order = 0;   // larger = admitted later (preemption victims first)
  uint64_t planned_step = 0;  // the scheduler's step counter when last given a chunk
  int32_t preemptions = 0;
  std::string error;  // set at submission when the request is invalid
  Clock::time_point submitted{}, scheduled{}, first_token{};

  int32_t generated() const { return static_cast<int32_t>(tokens.size()) - prompt_len; }
  // Tokens still to run through the model before the next token can be sampled (1 in decode).
  int32_t pending() const { return static_cast<int32_t>(tokens.size()) - n_cached; }
};

}  // namespace infermark::engine
