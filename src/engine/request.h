// What a caller of the engine deals in: token ids, request ids, the per-request generation
// parameters, the callbacks through which tokens and the outcome come back, and the engine's
// counters. See engine.h for how they are used.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::engine {

using TokenId = int32_t;
using RequestId = uint64_t;

// Per-request parameters (the third configuration tier: chosen per request, validated at
// submission; a bad value fails that request only).
struct GenerationParams {
  int max_new_tokens = 128;  // >= 1: generation stops after this many tokens
  int min_new_tokens = 1;    // stop ids are suppressed (never sampled) before this many tokens
  float temperature = 0;     // <= 0: greedy; else softmax(logits / temperature) sampling
  float top_p = 1;           // (0, 1]: nucleus filter (1 = off)
  int top_k = 0;             // >= 0: keep the k largest logits (0 = off; 1 = greedy)
  uint64_t seed = 0;         // sampling draws depend only on (seed, token index): reproducible
  // Tokens that end generation (the stop token is part of the output, as vLLM returns it).
  // Empty: the model's eos ids (generation_config.json, e.g. 128001, 128008, 128009).
  std::vector<TokenId> stop_ids;
  // True: stop_ids alone end generation, even when empty (no eos default).
  bool ignore_eos = false;
};

enum class FinishReason {
  kStop,       // a stop id was generated (it is the last output token)
  kLength,     // max_new_tokens reached, or the context (or KV cache) is full
  kCancelled,  // cancel() or the engine shut down
  kError,      // bad input (empty prompt, too long, token id out of range, bad parameters)
};
std::string_view finish_reason_name(FinishReason reason);

// The outcome of one request, passed to on_finish exactly once.
struct Finish {
  RequestId id = 0;
  FinishReason reason = FinishReason::kStop;
  std::string error;               // kError: what was wrong, naming the field and value
  int32_t prompt_tokens = 0;       // tokens in the prompt
  int32_t generated_tokens = 0;    // tokens delivered through on_tokens (stop token included)
  int32_t preemptions = 0;         // times the request was evicted and recomputed
  double queue_seconds = 0;        // submit -> first scheduled
  double first_token_seconds = 0;  // submit -> first token (0 if none)
  double total_seconds = 0;        // submit -> finish
};

// Called on the engine thread: keep them cheap and never block on the engine (submit and cancel
// from inside a callback are fine). Exceptions thrown by callbacks are logged and ignored.
struct RequestCallbacks {
  // New tokens of the request, in order; `first` marks the call carrying its first token.
  std::function<void(std::span<const TokenId> new_tokens, bool first)> on_tokens;
  std::function<void(const Finish& finish)> on_finish;
};

// Counters since the engine started (a consistent snapshot, updated once per step).
struct Stats {
  int64_t submitted = 0;
  int64_t finished = 0;  // all reasons, errors included
  int64_t errors = 0;
  int64_t cancelled = 0;
  int64_t running = 0;  // admitted sequences (holding KV blocks)
  int64_t waiting = 0;  // queued, not admitted (new or preempted)
  int64_t steps = 0;
  int64_t prefill_tokens = 0;  // prompt (and recomputed) tokens run through the model
  int64_t decode_tokens = 0;   // single-token decode rows run through the model
  int64_t generated_tokens = 0;
  int64_t preemptions = 0;
  int64_t kv_blocks_total = 0;
  int64_t kv_blocks_free = 0;
  int block_size = 0;
  double busy_seconds = 0;  // wall time spent in steps
};

}  // namespace infermark::engine
