// Engine parameters (the second configuration tier: chosen at start, fixed for the engine's
// life), with named presets for the two ways the benchmark drives it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "ops/tensor.h"

namespace infermark::engine {

struct EngineOptions {
  // The device the engine runs on (its backend: ops/backend.h); the model must have been loaded
  // for the same device.
  ops::Device device = ops::Device::kCpu;
  // Compute threads of the backend, the engine thread included; 0 = one per physical core.
  int threads = 0;

  // KV cache memory in bytes; 0 = kv_cache_fraction of physical memory, capped at what
  // max_seqs sequences of max_context tokens could use.
  int64_t kv_cache_bytes = 0;
  double kv_cache_fraction = 0.2;
  // Tokens per KV block (the paging granularity).
  int block_size = 16;
  // Element type of cached K/V; nullopt = the weights' dtype (f32, bf16 or f16).
  std::optional<ops::DType> kv_dtype;

  // Tokens per sequence, prompt plus generated; 0 = the model's max_position_embeddings. Also
  // capped by the KV cache size. Longer prompts are rejected.
  int64_t max_context = 0;
  // Sequences admitted (holding KV blocks) at once.
  int max_seqs = 64;
  // Tokens per step over all sequences (prefill chunks plus decode tokens): sets the activation
  // workspace. Big favours throughput (weights are read once per step), small favours latency.
  // At least max_seqs (every running sequence's decode token fits in a step).
  int64_t max_batch_tokens = 2048;
  // Tokens of one sequence's prefill per step at most (chunked prefill).
  int64_t prefill_chunk = 2048;
  // Schedule every running sequence's decode token before any prefill chunk (bounds TPOT),
  // else serve running sequences strictly in admission order.
  bool decode_first = true;

  // When set, every step's intermediate tensors are written there (model/forward_dump.h).
  std::filesystem::path dump_dir;

  // Throughput: many sequences, big steps (MLPerf Offline).
  static EngineOptions offline();
  // Latency: decode first, small prefill chunks so a long prompt never stalls running
  // sequences for long (MLPerf Server / Interactive).
  static EngineOptions server();
  // "offline" or "server"; throws Error naming the value otherwise.
  static EngineOptions preset(std::string_view name);
};

}  // namespace infermark::engine
