// The Llama weights of a checkpoint, bound by name and checked against the config.
//
// bind_llama_weights() is the single place that knows the Hugging Face tensor names. It checks
// that every expected tensor is present with the expected shape and dtype, and that nothing else
// is: a missing, misshapen or extra tensor is an Error naming it. The resulting Weights are views
// into the Checkpoint's mappings (no copies): the Checkpoint must outlive them. Immutable and
// shared by all threads.
//
// Shapes follow nn.Linear: [out_features, in_features], row-major. H = hidden_size,
// Q = num_heads * head_dim, KV = num_kv_heads * head_dim, I = intermediate_size, V = vocab_size.
#pragma once

#include <string>
#include <vector>

#include "model/checkpoint.h"
#include "model/config.h"
#include "model/dtype.h"

namespace infermark::model {

struct LayerWeights {
  TensorView attn_norm;  // [H]     model.layers.N.input_layernorm.weight
  TensorView q;          // [Q, H]  self_attn.q_proj.weight (rows in HF rotate_half order)
  TensorView k;          // [KV, H] self_attn.k_proj.weight (rows in HF rotate_half order)
  TensorView v;          // [KV, H] self_attn.v_proj.weight
  TensorView o;          // [H, Q]  self_attn.o_proj.weight
  TensorView ffn_norm;   // [H]     post_attention_layernorm.weight
  TensorView gate;       // [I, H]  mlp.gate_proj.weight
  TensorView up;         // [I, H]  mlp.up_proj.weight
  TensorView down;       // [H, I]  mlp.down_proj.weight
};

struct Weights {
  DType dtype = DType::kBF16;  // every tensor has this dtype (F32, F16 or BF16)
  TensorView embed;            // [V, H] model.embed_tokens.weight
  std::vector<LayerWeights> layers;
  TensorView final_norm;  // [H]    model.norm.weight
  TensorView lm_head;     // [V, H] lm_head.weight, or the embedding itself when tied
  bool tied = false;      // lm_head shares embed's data
};

// The name and shape of one expected tensor.
struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
};

// All tensors a Llama checkpoint for `config` holds, in Hugging Face state-dict order
// (embedding, layers 0..L-1, final norm, lm_head unless tied). 9 * L + 2 or 3 entries.
std::vector<TensorSpec> llama_tensor_specs(const Config& config);

// Binds and checks every tensor (see the file comment). Ignores `*.rotary_emb.inv_freq`
// buffers, which old conversions saved. Throws Error naming the checkpoint and the tensor.
Weights bind_llama_weights(const Checkpoint& checkpoint, const Config& config);

}  // namespace infermark::model
