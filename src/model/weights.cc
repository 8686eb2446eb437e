#include "model/weights.h"

#include <fmt/ranges.h>

#include <optional>
#include <set>

#include "model/weight_values.h"
#include "util/error.h"

namespace infermark::model {
namespace {

std::string layer_name(int64_t layer, std::string_view suffix) {
  return fmt::format("model.layers.{}.{}", layer, suffix);
}

std::string shape_text(const std::vector<int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

bool ignorable(std::string_view name) {
  constexpr std::string_view kInvFreq = ".rotary_emb.inv_freq";
  return name.size() >= kInvFreq.size() && name.substr(name.size() - kInvFreq.size()) == kInvFreq;
}

// Looks up one expected tensor and checks its shape and dtype.
class Binder {
 public:
  explicit Binder(const Checkpoint& checkpoint) : checkpoint_(checkpoint) {}

  TensorView bind(const std::string& name, const std::vector<int64_t>& shape) {
    const std::string where = checkpoint_.path().string();
    const TensorView* t = checkpoint_.find(name);
    if (!t)
      throw Error::format("{}: missing tensor '{}' (expected shape {})", where, name,
                          shape_text(shape));
    if (t->shape != shape) {
      throw Error::format("{}: tensor '{}' has shape {} but the config needs {}", where, name,
                          shape_text(t->shape), shape_text(shape));
    }
    if (!is_weight_dtype(t->dtype)) {
      throw Error::format("{}: tensor '{}' has dtype {}; weights must be F32, F16 or BF16", where,
                          name, dtype_name(t->dtype));
    }
    if (!dtype_) dtype_ = t->dtype;
    if (t->dtype != *dtype_) {
      throw Error::format(
          "{}: tensor '{}' is {} but the other weights are {} (mixed dtypes are "
          "not supported)",
          where, name, dtype_name(t->dtype), dtype_name(*dtype_));
    }
    if (const auto at = first_non_finite(t->dtype, t->data, static_cast<uint64_t>(t->numel()))) {
      throw Error::format(
          "{}: tensor '{}' {} holds a NaN or infinity at element {}: the weights "
          "are corrupt (re-download or re-convert the checkpoint)",
          where, name, t->describe(), *at);
    }
    bound_.insert(name);
    return *t;
  }

  // A Linear named `module` ("model.layers.0.mlp.down_proj"): quantized when the config's
  // scheme targets it, else the float `<module>.weight`.
  LinearWeights bind_linear(const std::string& module, int64_t rows, int64_t cols,
                            const std::optional<QuantizationConfig>& quantization) {
    LinearWeights l;
    std::optional<LinearQuantScheme> scheme;
    if (quantization) scheme = quantization->scheme_for(module);
    if (!scheme) {
      l.weight = bind(module + ".weight", {rows, cols});
      return l;
    }
    l.quantized = bind_quantized_linear(
        module, *scheme, rows, cols,
        [&](const std::string& name) -> const TensorView* {
          const TensorView* t = checkpoint_.find(name);
          if (t) bound_.insert(name);
          return t;
        },
        checkpoint_.path().string());
    l.weight = l.quantized->weight;
    return l;
  }

  void reject_extras() const {
    for (const TensorView* t : checkpoint_.tensors()) {
      if (!bound_.count(t->name) && !ignorable(t->name)) {
        throw Error::format(
            "{}: unexpected tensor '{}' {} (not part of a Llama model with this "
            "config)",
            checkpoint_.path().string(), t->name, t->describe());
      }
    }
  }

  DType dtype() const { return dtype_.value_or(DType::kBF16); }

 private:
  const Checkpoint& checkpoint_;
  std::optional<DType> dtype_;
  std::set<std::string, std::less<>> bound_;
};

}  // namespace

std::vector<TensorSpec> llama_tensor_specs(const Config& c) {
  const int64_t h = c.hidden_size, q = c.q_dim(), kv = c.kv_dim(), i = c.intermediate_size;
  std::vector<TensorSpec> specs;
  specs.push_back({"model.embed_tokens.weight", {c.vocab_size, h}});
  for (int64_t l = 0; l < c.num_layers; ++l) {
    specs.push_back({layer_name(l, "self_attn.q_proj.weight"), {q, h}});
    specs.push_back({layer_name(l, "self_attn.k_proj.weight"), {kv, h}});
    specs.push_back({layer_name(l, "self_attn.v_proj.weight"), {kv, h}});
    specs.push_back({layer_name(l, "self_attn.o_proj.weight"), {h, q}});
    specs.push_back({layer_name(l, "mlp.gate_proj.weight"), {i, h}});
    specs.push_back({layer_name(l, "mlp.up_proj.weight"), {i, h}});
    specs.push_back({layer_name(l, "mlp.down_proj.weight"), {h, i}});
    specs.push_back({layer_name(l, "input_layernorm.weight"), {h}});
    specs.push_back({layer_name(l, "post_attention_layernorm.weight"), {h}});
  }
  specs.push_back({"model.norm.weight", {h}});
  if (!c.tie_word_embeddings) specs.push_back({"lm_head.weight", {c.vocab_size, h}});
  return specs;
}

Weights bind_llama_weights(const Checkpoint& checkpoint, const Config& c) {
  Binder b(checkpoint);
  const int64_t h = c.hidden_size, q = c.q_dim(), kv = c.kv_dim(), i = c.intermediate_size;
  Weights w;
  w.embed = b.bind("model.embed_tokens.weight", {c.vocab_size, h});
  w.layers.reserve(static_cast<size_t>(c.num_layers));
  for (int64_t l = 0; l < c.num_layers; ++l) {
    LayerWeights lw;
    lw.attn_norm = b.bind(layer_name(l, "input_layernorm.weight"), {h});
    const auto& qc = c.quantization;
    lw.q = b.bind_linear(layer_name(l, "self_attn.q_proj"), q, h, qc);
    lw.k = b.bind_linear(layer_name(l, "self_attn.k_proj"), kv, h, qc);
    lw.v = b.bind_linear(layer_name(l, "self_attn.v_proj"), kv, h, qc);
    lw.o = b.bind_linear(layer_name(l, "self_attn.o_proj"), h, q, qc);
    lw.ffn_norm = b.bind(layer_name(l, "post_attention_layernorm.weight"), {h});
    lw.gate = b.bind_linear(layer_name(l, "mlp.gate_proj"), i, h, qc);
    lw.up = b.bind_linear(layer_name(l, "mlp.up_proj"), i, h, qc);
    lw.down = b.bind_linear(layer_name(l, "mlp.down_proj"), h, i, qc);
    w.layers.push_back(std::move(lw));
  }
  w.final_norm = b.bind("model.norm.weight", {h});
  w.tied = c.tie_word_embeddings;
  if (w.tied) {
    if (checkpoint.find("lm_head.weight")) {
      throw Error::format(
          "{}: tensor 'lm_head.weight' is present but config.json says "
          "tie_word_embeddings = true",
          checkpoint.path().string());
    }
    // A tied lm_head is the (float) embedding, whatever the quantization targets say.
    w.lm_head.weight = w.embed;
  } else {
    w.lm_head = b.bind_linear("lm_head", c.vocab_size, h, c.quantization);
  }
  b.reject_extras();
  w.dtype = b.dtype();
  return w;
}

}  // namespace infermark::model
