// Test helpers for the forward pass: tiny Llama checkpoints written for the tests (float, or
// compressed-tensors quantized), a plain float64 reference forward pass (llama2.c style: the
// whole model in one screen, no cache, every prefix recomputed) reading the same checkpoint, and
// a paged KV cache in plain vectors. Quantized Linears enter the reference as their dequantized
// weights, (q - zp) * scale in float64; a W8A8 Linear's input is rounded per token to int8 first
// (scale max|x| / 127, ties to even), as the kernels do.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "model/checkpoint.h"
#include "model/checkpoint_writer.h"
#include "model/config.h"
#include "model/demo_model.h"
#include "model/quantize.h"
#include "model/quantized_writer.h"
#include "model/weights.h"
#include "ops/attention.h"
#include "util/atomic_file.h"

namespace infermark::model::testing {

// A tiny checkpoint in `dir`: make-model's "tiny" shape (tied, norms 1, std 0.02), or with
// `harder` an untied variant with std 0.1 weights (peaked attention) and random norm weights.
// With `scheme`, the layer Linears are stored quantized with it (lm_head stays float), from the
// same float weights.
inline Config write_tiny_model(const std::filesystem::path& dir, DType dtype, bool harder,
                               uint64_t seed = 7,
                               const std::optional<LinearQuantScheme>& scheme = std::nullopt) {
  if (!harder && !scheme) {
    DemoModelOptions o;
    o.shape = "tiny", o.out = dir, o.seed = seed, o.dtype = dtype;
    return make_demo_model(o).config;
  }
  Config c = demo_config("tiny", dtype);
  c.tie_word_embeddings = !harder;
  if (scheme) {
    c.quantization = QuantizationConfig::from_config_json(
        {{"quantization_config", quantization_config_json(*scheme, {"lm_head"})}}, "test");
  }
  const TensorFill random = random_llama_fill(seed, harder ? 0.1 : 0.02);
  const TensorFill fill = [&](const TensorToWrite& t, uint64_t offset, std::span<std::byte> out) {
    random(t, offset, out);
    if (!harder || t.name.find("norm") == std::string::npos) return;
    // Norm weights 1 + 5 * (a random weight): in [0.5, 1.5] most of the time.
    const size_t n = out.size() / dtype_size(dtype);
    std::vector<float> v(n);
    convert_to_f32(dtype, out.data(), n, v.data());
    for (size_t i = 0; i < n; ++i) {
      const float w = 1.0f + 5.0f * v[i];
      if (dtype == DType::kF32) std::memcpy(out.data() + 4 * i, &w, 4);
      uint16_t b = dtype == DType::kBF16 ? f32_to_bf16(w) : f32_to_f16(w);
      if (dtype != DType::kF32) std::memcpy(out.data() + 2 * i, &b, 2);
    }
  };
  write_llama_tensors(dir, c, dtype, fill);
  util::write_file_atomic(dir / "config.json", c.to_json().dump(2));
  return c;
}

// The float64 reference: weights widened once from the checkpoint, attention over every prefix.
// `quantize` quantizes the float layer Linears as Llama's LoadOptions::quantize does, and
// `quantize_lm_head` the lm_head as LoadOptions::quantize_lm_head (the embedding stays float).
class RefLlama {
 public:
  explicit RefLlama(const std::filesystem::path& dir,
                    std::optional<LoadQuantization> quantize = std::nullopt,
                    std::optional<LoadQuantization> quantize_lm_head = std::nullopt)
      : c_(Config::load(dir)), ck_(Checkpoint::open(dir)), quantize_(std::move(quantize)) {
    const Weights w = bind_llama_weights(ck_, c_);
    embed_ = widen(w.embed), final_norm_ = widen(w.final_norm);
    lm_head_ = quantize_lm_head ? quantized_on_load(*quantize_lm_head, w.lm_head.weight)
                                : widen(w.lm_head.weight);
    lm_head_a8_ = quantize_lm_head &&
                  quantize_lm_head->activations == ops::ActivationFormat::kInt8PerToken;
    for (const LayerWeights& lw : w.layers) {
      layers_.push_back({widen(lw.attn_norm), linear(lw.q), linear(lw.k), linear(lw.v),
                         linear(lw.o), widen(lw.ffn_norm), linear(lw.gate), linear(lw.up),
                         linear(lw.down), int8_inputs(lw.q), int8_inputs(lw.o),
                         int8_inputs(lw.gate), int8_inputs(lw.down)});
    }
    inv_freq_ = inverse_frequencies(c_);
  }
  const Config& config() const { return c_; }

  // Logits [T][V] at every position of `tokens` (only the last row if last_only). With
  // kv_bf16, keys (after rope) and values are rounded to bf16, as a bf16 KV cache stores them.
  std::vector<std::vector<double>> logits(const std::vector<int32_t>& tokens,
                                          bool last_only = false, bool kv_bf16 = false) const {
    const int64_t t_n = static_cast<int64_t>(tokens.size()), hd = c_.head_dim, d = c_.hidden_size;
    std::vector<std::vector<double>> h(tokens.size());
    for (int64_t t = 0; t < t_n; ++t)
      h[t].assign(&embed_[tokens[t] * d], &embed_[tokens[t] * d + d]);
    for (const Layer& l : layers_) {
      std::vector<std::vector<double>> q(h.size()), k(h.size()), v(h.size());
      for (int64_t t = 0; t < t_n; ++t) {
        const auto x = input(rms_norm(h[t], l.attn_norm), l.qkv_a8);
        q[t] = matvec(l.q, x), k[t] = matvec(l.k, x), v[t] = matvec(l.v, x);
        rope(q[t], t), rope(k[t], t);
        if (kv_bf16) {
          for (double& e : k[t]) e = bf16_to_f32(f32_to_bf16(static_cast<float>(e)));
          for (double& e : v[t]) e = bf16_to_f32(f32_to_bf16(static_cast<float>(e)));
        }
      }
      for (int64_t t = 0; t < t_n; ++t) {
        std::vector<double> att(static_cast<size_t>(c_.q_dim()));
        for (int64_t head = 0; head < c_.num_heads; ++head) {
          const int64_t g = head / c_.gqa_group();
          std::vector<double> s(static_cast<size_t>(t + 1));
          for (int64_t u = 0; u <= t; ++u) {
            for (int64_t i = 0; i < hd; ++i) s[u] += q[t][head * hd + i] * k[u][g * hd + i];
            s[u] /= std::sqrt(static_cast<double>(hd));
          }
          const double mx = *std::max_element(s.begin(), s.end());
          double sum = 0;
          for (double& e : s) sum += (e = std::exp(e - mx));
          for (int64_t u = 0; u <= t; ++u)
            for (int64_t i = 0; i < hd; ++i) att[head * hd + i] += s[u] / sum * v[u][g * hd + i];
        }
        add(h[t], matvec(l.o, input(att, l.o_a8)));
        const auto x = input(rms_norm(h[t], l.ffn_norm), l.gate_up_a8);
        auto gate = matvec(l.gate, x), up = matvec(l.up, x);
        for (size_t i = 0; i < gate.size(); ++i)
          gate[i] = gate[i] / (1 + std::exp(-gate[i])) * up[i];
        add(h[t], matvec(l.down, input(gate, l.down_a8)));
      }
    }
    std::vector<std::vector<double>> out;
    for (int64_t t = last_only ? t_n - 1 : 0; t < t_n; ++t)
      out.push_back(matvec(lm_head_, input(rms_norm(h[t], final_norm_), lm_head_a8_)));
    return out;
  }

  // Greedy continuation of `prompt` by n tokens (full recompute per token).
  std::vector<int32_t> greedy(std::vector<int32_t> tokens, int n) const {
    std::vector<int32_t> out;
    for (int i = 0; i < n; ++i) {
      const auto l = logits(tokens, true)[0];
      out.push_back(static_cast<int32_t>(std::max_element(l.begin(), l.end()) - l.begin()));
      tokens.push_back(out.back());
    }
    return out;
  }

 private:
  struct Layer {
    std::vector<double> attn_norm, q, k, v, o, ffn_norm, gate, up, down;
    bool qkv_a8, o_a8, gate_up_a8, down_a8;  // W8A8: inputs rounded to int8 per token
  };

  static std::vector<double> widen(const TensorView& t) {
    std::vector<float> f(static_cast<size_t>(t.numel()));
    convert_to_f32(t.dtype, t.data, f.size(), f.data());
    return std::vector<double>(f.begin(), f.end());
  }
  // W[r, c] = (q - zp) * scale, in float64.
  static std::vector<double> dequantize(const QuantizedMatrix& m) {
    std::vector<double> w(static_cast<size_t>(m.rows * m.cols));
    for (int64_t r = 0; r < m.rows; ++r) {
      for (int64_t c = 0; c < m.cols; ++c) {
        const auto g = static_cast<size_t>(r * m.groups() + c / m.group_size);
        const auto i = static_cast<size_t>(r * m.cols + c);
        const double q = m.format == ops::WeightFormat::kFp8E4M3
                             ? f8e4m3_to_f32(static_cast<uint8_t>(m.values[i]))
                             : m.values[i];
        const double zp = m.zero_points.empty() ? 0 : m.zero_points[g];
        w[i] = (q - zp) * m.scales[m.scales.size() == 1 ? 0 : g];
      }
    }
    return w;
  }
  std::vector<double> linear(const LinearWeights& l) const {
    if (l.quantized) return dequantize(decode_quantized(*l.quantized, "reference"));
    return quantize_ ? quantized_on_load(*quantize_, l.weight) : widen(l.weight);
  }
  static std::vector<double> quantized_on_load(const LoadQuantization& q, const TensorView& t) {
    std::vector<float> f(static_cast<size_t>(t.numel()));
    convert_to_f32(t.dtype, t.data, f.size(), f.data());
    return dequantize(quantize_for_load(q, f, t.shape[0], t.shape[1]));
  }
  bool int8_inputs(const LinearWeights& l) const {
    const auto a8 = ops::ActivationFormat::kInt8PerToken;
    return l.quantized ? l.quantized->scheme.activations == a8
                       : quantize_ && quantize_->activations == a8;
  }
  // A Linear's input: as is, or rounded to int8 with scale max|x| / 127.
  static std::vector<double> input(std::vector<double> x, bool int8) {
    if (!int8) return x;
    double absmax = 0;
    for (double e : x) absmax = std::max(absmax, std::abs(e));
    if (absmax == 0) return x;
    const double s = absmax / 127;
    for (double& e : x) e = std::clamp(std::nearbyint(e / s), -128.0, 127.0) * s;
    return x;
  }
  // transformers' default + llama3 inverse frequencies, in double.
  static std::vector<double> inverse_frequencies(const Config& c) {
    std::vector<double> f(static_cast<size_t>(c.head_dim / 2));
    for (size_t i = 0; i < f.size(); ++i)
      f[i] = 1.0 / std::pow(c.rope_theta, 2.0 * static_cast<double>(i) / c.head_dim);
    if (c.rope_scaling.type != RopeScaling::Type::kLlama3) return f;
    const RopeScaling& s = c.rope_scaling;
    const double old = static_cast<double>(s.original_max_position_embeddings);
    for (double& x : f) {
      const double wavelen = 2 * M_PI / x;
      if (wavelen > old / s.low_freq_factor) {
        x /= s.factor;
      } else if (wavelen >= old / s.high_freq_factor) {
        const double smooth =
            (old / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
        x = (1 - smooth) * x / s.factor + smooth * x;
      }
    }
    return f;
  }
  std::vector<double> rms_norm(const std::vector<double>& x, const std::vector<double>& w) const {
    double ss = 0;
    for (double e : x) ss += e * e;
    const double r = 1 / std::sqrt(ss / static_cast<double>(x.size()) + c_.rms_norm_eps);
    std::vector<double> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) out[i] = x[i] * r * w[i];
    return out;
  }
  // W [rows, x.size()] · x.
  static std::vector<double> matvec(const std::vector<double>& w, const std::vector<double>& x) {
    std::vector<double> y(w.size() / x.size());
    for (size_t r = 0; r < y.size(); ++r)
      for (size_t i = 0; i < x.size(); ++i) y[r] += w[r * x.size() + i] * x[i];
    return y;
  }
  static void add(std::vector<double>& a, const std::vector<double>& b) {
    for (size_t i = 0; i < a.size(); ++i) a[i] += b[i];
  }
  // rotate_half: element i pairs with i + head_dim / 2 in every head.
  void rope(std::vector<double>& x, int64_t pos) const {
    const int64_t hd = c_.head_dim, half = hd / 2;
    for (int64_t h0 = 0; h0 < static_cast<int64_t>(x.size()); h0 += hd) {
      for (int64_t i = 0; i < half; ++i) {
        const double a = static_cast<double>(pos) * inv_freq_[i], x0 = x[h0 + i],
                     x1 = x[h0 + i + half];
        x[h0 + i] = x0 * std::cos(a) - x1 * std::sin(a);
        x[h0 + i + half] = x1 * std::cos(a) + x0 * std::sin(a);
      }
    }
  }

  Config c_;
  Checkpoint ck_;
  std::optional<LoadQuantization> quantize_;
  std::vector<double> embed_, lm_head_, final_norm_, inv_freq_;
  bool lm_head_a8_ = false;  // lm_head's input rounded to int8 per token (W8A8)
  std::vector<Layer> layers_;
};

// A paged KV cache in plain vectors for model tests: n_blocks blocks per layer of `dtype`.
class TestKvCache {
 public:
  TestKvCache(const Config& c, int64_t n_blocks, int block_size,
              ops::DType dtype = ops::DType::kF32)
      : c_(c) {
    layers_.resize(static_cast<size_t>(c.num_layers));
    storage_.resize(layers_.size() * 2);
    for (size_t l = 0; l < layers_.size(); ++l) {
      ops::PagedKvLayer& kv = layers_[l];
      kv.dtype = dtype, kv.n_blocks = n_blocks, kv.block_size = block_size;
      kv.n_kv_heads = static_cast<int>(c.num_kv_heads), kv.head_dim = static_cast<int>(c.head_dim);
      const size_t words = (kv.block_bytes() * static_cast<size_t>(n_blocks) + 3) / 4;
      storage_[2 * l].assign(words, 0), storage_[2 * l + 1].assign(words, 0);
      kv.k = storage_[2 * l].data(), kv.v = storage_[2 * l + 1].data();
    }
  }
  std::span<const ops::PagedKvLayer> layers() const { return layers_; }

 private:
  Config c_;
  std::vector<ops::PagedKvLayer> layers_;
  std::vector<std::vector<float>> storage_;
};

}  // namespace infermark::model::testing
