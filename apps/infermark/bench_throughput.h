// The engine throughput measurement behind `infermark bench`: prefill and decode tokens per
// second at a given batch size, measured through the real engine (scheduler, paged KV cache,
// sampler), and the work each token costs so rates can be quoted as fractions of the machine's
// ceilings (backends/cpu/ceilings.h).
#pragma once

#include <cstdint>

#include "engine/engine.h"

namespace infermark::cli {

struct ThroughputResult {
  int batch = 0;
  int64_t prompt_len = 0;
  int gen_len = 0;
  // One pass: `batch` requests submitted at once, each generating gen_len tokens (stop ids
  // suppressed). Prefill: from submission until every request has its first token (the steps
  // are prompt chunks; the few decode tokens of early requests ride along). Decode: the window
  // in which all requests are decoding (last first token -> first finish), so every step in it
  // is a batch-sized decode step.
  int64_t prefill_tokens = 0;
  double prefill_seconds = 0;
  int64_t decode_tokens = 0;
  double decode_seconds = 0;
  // CPU-seconds the process used in each window (all threads): rates per CPU-second, compared
  // with per-CPU-second ceilings, are stable when other processes share the cores.
  double prefill_cpu_seconds = 0;
  double decode_cpu_seconds = 0;
  // CPU-seconds used by the process / (wall seconds x engine threads) over the pass: below ~0.9
  // other processes took part of the cores.
  double cpu_share = 0;

  double prefill_tok_s() const {
    return prefill_seconds > 0 ? prefill_tokens / prefill_seconds : 0;
  }
  double decode_tok_s() const { return decode_seconds > 0 ? decode_tokens / decode_seconds : 0; }
};

// Runs one pass on `eng` (idle on entry and exit) with random prompt tokens drawn from `seed`.
// prompt_len + gen_len must fit the engine's context, batch its max_seqs; gen_len >= 2.
ThroughputResult measure_throughput(engine::Engine& eng, int batch, int64_t prompt_len, int gen_len,
                                    uint64_t seed = 1);

// Arithmetic work of a Llama forward pass, for roofline fractions.
struct TokenCost {
  // FLOPs per prompt token of a prefill of `prompt_len` tokens (linear layers, attention at the
  // average context, lm_head once per prompt).
  double prefill_flops = 0;
  // Bytes read from memory per generated token at batch `batch` and context `context`: the packed
  // weights once per step shared by the batch, plus each sequence's K/V.
  double decode_bytes = 0;
  // FLOPs per generated token (linear layers, lm_head, attention at the context).
  double decode_flops = 0;
};
TokenCost token_cost(const engine::Engine& eng, int64_t prompt_len, int batch, int64_t context);

}  // namespace infermark::cli
