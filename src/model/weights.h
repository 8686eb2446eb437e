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
//
// A compressed-tensors checkpoint (config.quantization) stores the Linears its scheme targets
// quantized: those bind as QuantizedLinear (quantized_linear.h: `<p>.weight` or
// `<p>.weight_packed`, `<p>.weight_scale`, ...), the rest (embedding, norms, usually lm_head) as
// float tensors of one dtype.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/checkpoint.h"
#include "model/config.h"
#include "model/dtype.h"
#include "model/quantized_linear.h"

namespace infermark::model {

// One Linear: a float [out, in] weight, or a quantized one.
struct LinearWeights {
  TensorView weight;  // the float weight; for a quantized Linear, its stored weight tensor
  std::optional<QuantizedLinear> quantized;
};

struct LayerWeights {
  TensorView attn_norm;  // [H]     model.layers.N.input_layernorm.weight
  LinearWeights q;       // [Q, H]  self_attn.q_proj (rows in HF rotate_half order)
  LinearWeights k;       // [KV, H] self_attn.k_proj (rows in HF rotate_half order)
  LinearWeights v;       // [KV, H] self_attn.v_proj
  LinearWeights o;       // [H, Q]  self_attn.o_proj
  TensorView ffn_norm;   // [H]     post_attention_layernorm.weight
  LinearWeights gate;    // [I, H]  mlp.gate_proj
  LinearWeights up;      // [I, H]  mlp.up_proj
  LinearWeights down;    // [H, I]  mlp.down_proj
};

struct Weights {
  DType dtype = DType::kBF16;  // every float tensor has this dtype (F32, F16 or BF16)
  TensorView embed;            // [V, H] model.embed_tokens.weight
  std::vector<LayerWeights> layers;
  TensorView final_norm;  // [H]    model.norm.weight
  LinearWeights lm_head;  // [V, H] lm_head, or the embedding itself when tied
  bool tied = false;      // lm_head shares embed's data
};

// The name and shape of one expected tensor.
struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
};

// All tensors a float Llama checkpoint for `config` holds, in Hugging Face state-dict order
// (embedding, layers 0..L-1, final norm, lm_head unless tied). 9 * L + 2 or 3 entries.
std::vector<TensorSpec> llama_tensor_specs(const Config& config);

// Binds and checks every tensor (see the file comment). Ignores `*.rotary_emb.inv_freq`
// buffers, which old conversions saved. Throws Error naming the checkpoint and the tensor, or
// the Linear and its scheme when the quantization scheme is not supported.
Weights bind_llama_weights(const Checkpoint& checkpoint, const Config& config);

}  // namespace infermark::model
