// The Llama forward pass over a flat batch: prefill chunks and decode tokens of many sequences
// mixed in one step, with K/V kept in a paged cache owned by the caller (the engine), producing
// logits only for the rows that need them (the last token of each sequence that samples).
//
// `Llama` holds the model: its config and its weights, made resident once at load by a backend
// (ops/backend.h) on its device: matrices packed for the backend's matmul kernels (q/k/v fused
// into one matrix, gate/up into another, lm_head packed from the embedding when tied), norms
// converted to f32, the embedding table as stored. It is immutable after load and may be shared
// by any number of engines whose backends are on the same device; `forward` is const and
// allocation-free, running on the caller's backend and writing only into the caller's Workspace
// and KV cache. One forward at a time per Workspace.
//
// Per layer (HF modeling_llama): x = rms_norm(h); q,k,v = x·Wqkv; rope(q, k); cache k, v;
// a = attention(q); h += a·Wo; x = rms_norm(h); h += (silu(x·Wg) * x·Wu)·Wd. Then
// logits = rms_norm(h[rows]) · lm_head. Activations are f32 throughout, except that W8A8
// Linears quantize their input per token to int8 inside the matmul.
//
// Quantized weights: a compressed-tensors checkpoint's quantized Linears (weights.h) are decoded
// to the host form and packed with ops::pack_quantized; LoadOptions::quantize quantizes a float
// checkpoint's layer Linears at load instead (quantize.h). Linears computed together (q/k/v,
// gate/up) must share one scheme.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "model/checkpoint.h"
#include "model/config.h"
#include "model/forward_batch.h"
#include "model/forward_dump.h"
#include "model/llama_workspace.h"
#include "model/quantize.h"
#include "ops/attention.h"
#include "ops/backend.h"
#include "ops/matmul.h"
#include "ops/memory.h"
#include "ops/rope.h"

namespace infermark::model {

struct LoadOptions {
  // Quantize a float checkpoint's layer Linears at load (an Error for a quantized checkpoint).
  std::optional<LoadQuantization> quantize;
  // Quantize a float lm_head at load (the embedding when tied; the embedding lookup itself stays
  // float), whether the layers are float or quantized; an Error when the checkpoint already
  // stores lm_head quantized. Decode streams lm_head once per step, so this cuts its bytes.
  std::optional<LoadQuantization> quantize_lm_head;
};

class Llama {
 public:
  // Opens `dir` (config.json, generation_config.json if present, the safetensors), binds and
  // checks every tensor, and makes the weights resident with `backend` (on its device, using its
  // threads). Throws Error naming the file and tensor on any problem. Cost: one pass over the
  // weights.
  static std::unique_ptr<Llama> load(const std::filesystem::path& dir, ops::Backend& backend,
                                     const LoadOptions& options = {});

  // Makes the weights of an opened checkpoint resident with `backend`. The Llama keeps the
  // checkpoint (a backend may compute on its mapping in place: see ops::upload).
  Llama(Checkpoint checkpoint, Config config, ops::Backend& backend,
        const LoadOptions& options = {});
  Llama(const Llama&) = delete;
  Llama& operator=(const Llama&) = delete;

  const Config& config() const { return config_; }
  // Where the weights live: forward runs on backends of this device only.
  ops::Device device() const { return device_; }
  // The float weights' dtype in the checkpoint (f32, bf16 or f16): the embedding, the norms and
  // the Linears that are not quantized.
  ops::DType weight_dtype() const { return weight_dtype_; }
  // What the layer Linears compute with, for reports: the weights ("bf16", "int8", "int4-g128",
  // "fp8-e4m3", "int4-g128-asym"; several joined by "+"), with lm_head's added when it differs
  // ("int4-g128 (lm_head bf16)"); the activations ("f32", or "int8-per-token" where W8A8), with
  // lm_head's added likewise.
  const std::string& weight_precision() const { return weight_precision_; }
  const std::string& activation_precision() const { return activation_precision_; }
  // The checkpoint's end-of-sequence ids: generation_config.json's eos_token_id when the folder
  // has one, else config.json's. The engine's default stop ids.
  std::span<const int32_t> eos_token_ids() const { return eos_ids_; }
  void set_eos_token_ids(std::vector<int32_t> ids) { eos_ids_ = std::move(ids); }
  // Bytes of packed weights streamed by one decode step (every layer matrix + lm_head).
  uint64_t packed_weight_bytes() const;
  // Multiply-adds per token in the linear layers (every layer matrix), excluding lm_head.
  int64_t layer_macs_per_token() const;

  // Runs one step on `backend` (of device(); see forward_batch.h for the batch contract; tokens
  // must be < vocab_size and the block tables must cover every position the step writes). kv:
  // one PagedKvLayer per layer, head_dim / n_kv_heads as the config, and ws: both from memory of
  // the backend's device. Afterwards ws.logits(batch.logit_rows.size()) holds f32 [R, vocab]
  // logits of the requested rows in order. `dump`, when not null, receives every intermediate by
  // name (see forward_dump.h); null costs nothing.
  void forward(ops::Backend& backend, const ForwardBatch& batch,
               std::span<const ops::PagedKvLayer> kv, LlamaWorkspace& ws,
               ForwardDump* dump = nullptr) const;

 private:
  struct Layer {
    ops::Tensor attn_norm;      // f32 [1, H]
    ops::Tensor ffn_norm;       // f32 [1, H]
    ops::PackedMatrix qkv;      // [Q + 2 KV, H]
    ops::PackedMatrix o;        // [H, Q]
    ops::PackedMatrix gate_up;  // [2 I, H]
    ops::PackedMatrix down;     // [H, I]
  };

  void run_layer(ops::Backend& backend, int64_t l, const ForwardBatch& batch,
                 const ops::PagedKvLayer& kv, LlamaWorkspace& ws, int64_t rows,
                 ForwardDump* dump) const;
  void run_head(ops::Backend& backend, LlamaWorkspace& ws, int64_t rows, ForwardDump* dump) const;

  Checkpoint checkpoint_;
  Config config_;
  ops::Device device_ = ops::Device::kCpu;
  ops::DType weight_dtype_ = ops::DType::kBF16;
  std::string weight_precision_, activation_precision_;
  std::vector<int32_t> eos_ids_;
  ops::Tensor embed_;  // [V, H] in the checkpoint's dtype
  std::vector<Layer> layers_;
  ops::Tensor final_norm_;     // f32 [1, H]
  ops::PackedMatrix lm_head_;  // [V, H]
  ops::RopeTable rope_;
};

}  // namespace infermark::model
