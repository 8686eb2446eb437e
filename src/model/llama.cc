#include "model/llama.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "model/weights.h"
#include "ops/activation.h"
#include "ops/embedding.h"
#include "ops/norm.h"
#include "util/error.h"

namespace infermark::model {
namespace {

ops::DType ops_dtype(DType t) {
  switch (t) {
    case DType::kF32:
      return ops::DType::kF32;
    case DType::kBF16:
      return ops::DType::kBF16;
    case DType::kF16:
      return ops::DType::kF16;
    default:
      break;
  }
  IM_CHECK_MSG(false, "bind_llama_weights admits only f32, bf16 and f16 weights");
  return ops::DType::kF32;
}

// A checkpoint tensor as a [rows, cols] ops view (a vector becomes [1, n]).
ops::TensorView matrix_view(const TensorView& t) {
  IM_CHECK(t.shape.size() == 1 || t.shape.size() == 2);
  const int64_t rows = t.shape.size() == 2 ? t.shape[0] : 1;
  const int64_t cols = t.shape.back();
  return ops::TensorView::of(static_cast<const void*>(t.data), ops_dtype(t.dtype), {rows, cols});
}

std::optional<ops::Llama3RopeScaling> rope_scaling(const Config& c) {
  if (c.rope_scaling.type != RopeScaling::Type::kLlama3) return std::nullopt;
  ops::Llama3RopeScaling s;
  s.factor = static_cast<float>(c.rope_scaling.factor);
  s.low_freq_factor = static_cast<float>(c.rope_scaling.low_freq_factor);
  s.high_freq_factor = static_cast<float>(c.rope_scaling.high_freq_factor);
  s.original_max_position = static_cast<float>(c.rope_scaling.original_max_position_embeddings);
  return s;
}

// A packed Linear (or Linears sharing k) and its weights' precision label (see
// Llama::weight_precision).
struct PackedLinear {
  ops::PackedMatrix matrix;
  std::string weights;
};

// "int4-g128", "int8", "int4-g32-asym": the scheme's nominal group size (a matrix narrower than
// a group is per channel in the host form but still labelled as its scheme).
std::string precision_label(const QuantizedMatrix& m, int64_t group_size) {
  std::string s(ops::to_string(m.format));
  if (group_size > 0) s += fmt::format("-g{}", group_size);
  if (!m.zero_points.empty()) s += "-asym";
  return s;
}

int64_t nominal_group_size(const LinearWeights& l, const LoadQuantization* quantize) {
  if (!l.quantized) return quantize->group_size;
  const LinearQuantScheme& s = l.quantized->scheme;
  return s.strategy == ScaleStrategy::kGroup ? s.group_size : 0;
}

std::string describe(const LinearWeights& l) {
  return l.quantized ? l.quantized->scheme.describe()
                     : fmt::format("{} weights", ops::dtype_name(ops_dtype(l.weight.dtype)));
}

std::string module_of(const LinearWeights& l) {
  return l.quantized ? l.quantized->module : l.weight.name;
}

QuantizedMatrix quantize_float(const LoadQuantization& q, const TensorView& t) {
  std::vector<float> w(static_cast<size_t>(t.numel()));
  convert_to_f32(t.dtype, t.data, w.size(), w.data());
  return quantize_for_load(q, w, t.shape[0], t.shape[1]);
}

// Packs Linears sharing k, concatenated along rows: float ones with ops::pack (or quantized
// first when `quantize`), quantized ones decoded and packed with ops::pack_quantized.
PackedLinear pack_linears(ops::Backend& backend, std::initializer_list<const LinearWeights*> parts,
                          const LoadQuantization* quantize, const std::string& where) {
  const LinearWeights& first = **parts.begin();
  for (const LinearWeights* p : parts) {
    if (describe(*p) != describe(first)) {
      throw Error::format(
          "{}: Linear '{}' is {} but '{}' is {}: Linears computed together (q/k/v, gate/up) "
          "need one scheme",
          where, module_of(first), describe(first), module_of(*p), describe(*p));
    }
  }
  if (!first.quantized && !quantize) {
    std::vector<ops::TensorView> views;
    for (const LinearWeights* p : parts) views.push_back(matrix_view(p->weight));
    return {ops::pack(backend, views), std::string(ops::dtype_name(ops_dtype(first.weight.dtype)))};
  }
  std::vector<QuantizedMatrix> host;
  for (const LinearWeights* p : parts) {
    host.push_back(p->quantized ? decode_quantized(*p->quantized, where)
                                : quantize_float(*quantize, p->weight));
  }
  std::vector<ops::QuantizedWeight> views;
  for (const QuantizedMatrix& m : host) views.push_back(m.view());
  return {ops::pack_quantized(backend, views),
          precision_label(host.front(), nominal_group_size(first, quantize))};
}

// Labels joined by "+" in first-seen order.
std::string join_labels(const std::vector<std::string>& labels) {
  std::vector<std::string> seen;
  for (const std::string& l : labels) {
    if (std::find(seen.begin(), seen.end(), l) == seen.end()) seen.push_back(l);
  }
  return fmt::format("{}", fmt::join(seen, "+"));
}

// Calls dump->add("layer<l>.<name>", t) when dumping; free otherwise.
inline void emit(ForwardDump* dump, ops::Backend& backend, int64_t layer, const char* name,
                 const ops::TensorView& t) {
  if (dump == nullptr) return;
  dump->add(layer < 0 ? std::string(name) : fmt::format("layer{}.{}", layer, name), backend, t);
}

}  // namespace

std::unique_ptr<Llama> Llama::load(const std::filesystem::path& dir, ops::Backend& backend,
                                   const LoadOptions& options) {
  Config config = Config::load(dir);
  auto model =
      std::make_unique<Llama>(Checkpoint::open(dir), std::move(config), backend, options);
  if (auto gen = GenerationConfig::load(dir); gen && !gen->eos_token_ids.empty()) {
    model->eos_ids_ = gen->eos_token_ids;
  }
  return model;
}

Llama::Llama(Checkpoint checkpoint, Config config, ops::Backend& backend,
             const LoadOptions& options)
    : checkpoint_(std::move(checkpoint)),
      config_(std::move(config)),
      device_(backend.device()),
      eos_ids_(config_.eos_token_ids),
      rope_(static_cast<int>(config_.head_dim), static_cast<float>(config_.rope_theta),
            rope_scaling(config_)) {
  const std::string where = checkpoint_.path().string();
  if (options.quantize && config_.quantization) {
    throw Error::format("{}: --quantize {}: the checkpoint is already quantized ({})", where,
                        options.quantize->name, config_.quantization->key());
  }
  const LoadQuantization* quantize = options.quantize ? &*options.quantize : nullptr;
  const Weights w = bind_llama_weights(checkpoint_, config_);
  weight_dtype_ = ops_dtype(w.dtype);
  embed_ = ops::upload(backend, matrix_view(w.embed), weight_dtype_);
  auto norm = [&](const TensorView& t) {
    return ops::upload(backend, matrix_view(t), ops::DType::kF32);
  };
  std::vector<std::string> weights, activations;
  auto pack = [&](std::initializer_list<const LinearWeights*> parts) {
    PackedLinear p = pack_linears(backend, parts, quantize, where);
    weights.push_back(p.weights);
    activations.emplace_back(ops::to_string(p.matrix.activation_format()));
    return std::move(p.matrix);
  };
  const auto n_layers = static_cast<size_t>(config_.num_layers);
  layers_.resize(n_layers);
  for (size_t l = 0; l < n_layers; ++l) {
    const LayerWeights& lw = w.layers[l];
    Layer& layer = layers_[l];
    layer.attn_norm = norm(lw.attn_norm);
    layer.ffn_norm = norm(lw.ffn_norm);
    layer.qkv = pack({&lw.q, &lw.k, &lw.v});
    layer.o = pack({&lw.o});
    layer.gate_up = pack({&lw.gate, &lw.up});
    layer.down = pack({&lw.down});
  }
  final_norm_ = norm(w.final_norm);
  weight_precision_ = join_labels(weights);
  activation_precision_ = join_labels(activations);
  const LoadQuantization* quantize_head =
      options.quantize_lm_head ? &*options.quantize_lm_head : nullptr;
  if (quantize_head && w.lm_head.quantized) {
    throw Error::format("{}: --quantize-lm-head {}: lm_head is already quantized ({})", where,
                        quantize_head->name, w.lm_head.quantized->scheme.describe());
  }
  PackedLinear head = pack_linears(backend, {&w.lm_head}, quantize_head, where);
  if (head.weights != weight_precision_) {
    weight_precision_ += fmt::format(" (lm_head {})", head.weights);
  }
  const std::string head_activations(ops::to_string(head.matrix.activation_format()));
  if (head_activations != activation_precision_) {
    activation_precision_ += fmt::format(" (lm_head {})", head_activations);
  }
  lm_head_ = std::move(head.matrix);
}

uint64_t Llama::packed_weight_bytes() const {
  uint64_t total = lm_head_.bytes();
  for (const Layer& l : layers_) {
    total += l.qkv.bytes() + l.o.bytes() + l.gate_up.bytes() + l.down.bytes();
  }
  return total;
}

int64_t Llama::layer_macs_per_token() const {
  int64_t total = 0;
  for (const Layer& l : layers_) {
    for (const ops::PackedMatrix* m : {&l.qkv, &l.o, &l.gate_up, &l.down}) {
      total += m->rows() * m->cols();
    }
  }
  return total;
}

void Llama::forward(ops::Backend& backend, const ForwardBatch& batch,
                    std::span<const ops::PagedKvLayer> kv, LlamaWorkspace& ws,
                    ForwardDump* dump) const {
  IM_CHECK(backend.device() == device_);
  const int64_t n = batch.n_tokens();
  const auto n_logits = static_cast<int64_t>(batch.logit_rows.size());
  IM_CHECK(n >= 1 && n <= ws.max_tokens() && n_logits <= ws.max_logit_rows());
  IM_CHECK(kv.size() == layers_.size());
  IM_CHECK(batch.seqs.q_start.size() == batch.seqs.p0.size() + 1);
  IM_CHECK(batch.seqs.q_start.back() == n);
  for (int64_t s = 0; s < batch.n_seqs(); ++s) {
    const auto i = static_cast<size_t>(s);
    for (int32_t r = batch.seqs.q_start[i]; r < batch.seqs.q_start[i + 1]; ++r) {
      ws.positions_[r] = batch.seqs.p0[i] + (r - batch.seqs.q_start[i]);
    }
  }
  for (int64_t i = 0; i < n_logits; ++i) {
    const int32_t r = batch.logit_rows[static_cast<size_t>(i)];
    IM_CHECK(r >= 0 && r < n && (i == 0 || r > batch.logit_rows[static_cast<size_t>(i - 1)]));
  }
  if (dump) dump->begin_step();
  const ops::TensorView h = ws.matrix(ws.h_at_, n, config_.hidden_size);
  ops::embedding(backend, embed_.view(), batch.tokens, h);
  emit(dump, backend, -1, "embed", h);
  for (size_t l = 0; l < layers_.size(); ++l) {
    run_layer(backend, static_cast<int64_t>(l), batch, kv[l], ws, n, dump);
  }
  if (n_logits > 0) run_head(backend, ws, n_logits, dump);
  if (dump) dump->end_step();
}

void Llama::run_layer(ops::Backend& backend, int64_t l, const ForwardBatch& batch,
                      const ops::PagedKvLayer& kv, LlamaWorkspace& ws, int64_t rows,
                      ForwardDump* dump) const {
  const Layer& w = layers_[static_cast<size_t>(l)];
  const int64_t hd = config_.hidden_size, q = config_.q_dim(), kvd = config_.kv_dim();
  const auto eps = static_cast<float>(config_.rms_norm_eps);
  const ops::TensorView h = ws.matrix(ws.h_at_, rows, hd);
  const ops::TensorView x = ws.matrix(ws.x_at_, rows, hd);
  ops::rms_norm(backend, h, w.attn_norm.view(), eps, x);
  emit(dump, backend, l, "attn_norm", x);

  const ops::TensorView qkv = ws.matrix(ws.qkv_at_, rows, q + 2 * kvd);
  ops::matmul(backend, x, w.qkv, qkv);
  ops::rope(backend, rope_,
            std::span<const int32_t>(ws.positions_.data(), static_cast<size_t>(rows)),
            qkv.slice(1, 0, q + kvd));
  const ops::TensorView k = qkv.slice(1, q, q + kvd), v = qkv.slice(1, q + kvd, q + 2 * kvd);
  emit(dump, backend, l, "q", qkv.slice(1, 0, q));
  emit(dump, backend, l, "k", k);
  emit(dump, backend, l, "v", v);
  ops::kv_write(backend, kv, batch.seqs, k, v);
  const ops::TensorView attn = ws.matrix(ws.attn_at_, rows, q);
  ops::attention(backend, kv, batch.seqs, qkv.slice(1, 0, q), static_cast<int>(config_.num_heads),
                 attn);
  emit(dump, backend, l, "attn_out", attn);

  int64_t m = rows;
  if (l + 1 == config_.num_layers) {
    // Only the rows that produce logits need the rest of the last layer: move them to the top.
    m = static_cast<int64_t>(batch.logit_rows.size());
    if (m == 0) return;
    ops::compact_rows(backend, attn, batch.logit_rows);
    ops::compact_rows(backend, h, batch.logit_rows);
  }
  const ops::TensorView hm = h.slice(0, 0, m), xm = x.slice(0, 0, m);
  ops::matmul(backend, attn.slice(0, 0, m), w.o, hm, /*accumulate=*/true);
  emit(dump, backend, l, "attn_res", hm);
  ops::rms_norm(backend, hm, w.ffn_norm.view(), eps, xm);
  emit(dump, backend, l, "ffn_norm", xm);
  const int64_t inner = config_.intermediate_size;
  const ops::TensorView gu = ws.matrix(ws.ffn_at_, m, 2 * inner);
  ops::matmul(backend, xm, w.gate_up, gu);
  const ops::TensorView act = gu.slice(1, 0, inner);
  ops::swiglu(backend, act, gu.slice(1, inner, 2 * inner), act);
  emit(dump, backend, l, "ffn_act", act);
  ops::matmul(backend, act, w.down, hm, /*accumulate=*/true);
  emit(dump, backend, l, "out", hm);
}

void Llama::run_head(ops::Backend& backend, LlamaWorkspace& ws, int64_t rows,
                     ForwardDump* dump) const {
  const ops::TensorView h = ws.matrix(ws.h_at_, rows, config_.hidden_size);
  const ops::TensorView x = ws.matrix(ws.x_at_, rows, config_.hidden_size);
  ops::rms_norm(backend, h, final_norm_.view(), static_cast<float>(config_.rms_norm_eps), x);
  emit(dump, backend, -1, "final_norm", x);
  const ops::TensorView logits = ws.logits(rows);
  ops::matmul(backend, x, lm_head_, logits);
  emit(dump, backend, -1, "logits", logits);
}

}  // namespace infermark::model
