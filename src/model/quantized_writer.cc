#include "model/quantized_writer.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>

#include "model/quantize.h"
#include "util/error.h"

namespace infermark::model {
namespace {

using util::Json;

constexpr std::string_view kWeightSuffix = ".weight";

enum class Part { kWeight, kScale, kZeroPoint, kShape, kInputScale };

// One tensor of a quantized Linear and what it is computed from.
struct QuantPart {
  Part part = Part::kWeight;
  LinearQuantScheme scheme;
  TensorToWrite source;  // the float "<p>.weight" [rows, cols]
};

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t groups_of(const LinearQuantScheme& s, int64_t cols) {
  return s.strategy == ScaleStrategy::kGroup ? ceil_div(cols, s.group_size) : 1;
}

// Output rows of the source each row ("unit") of a part covers.
int64_t rows_per_unit(const QuantPart& p) {
  const bool packed_zp = p.part == Part::kZeroPoint && p.scheme.storage == QuantStorage::kPacked;
  return packed_zp ? 32 / p.scheme.num_bits : 1;
}

// The tensors replacing a float Linear weight `w` under `s` (quantized_linear.h's table).
std::vector<std::pair<TensorToWrite, QuantPart>> parts_of(const TensorToWrite& w,
                                                          const LinearQuantScheme& s) {
  const std::string p = w.name.substr(0, w.name.size() - kWeightSuffix.size());
  const int64_t rows = w.shape[0], cols = w.shape[1], groups = groups_of(s, cols);
  const bool packed = s.storage == QuantStorage::kPacked;
  const std::vector<int64_t> scale_shape =
      s.strategy == ScaleStrategy::kTensor ? std::vector<int64_t>{1}
                                           : std::vector<int64_t>{rows, groups};
  std::vector<std::pair<TensorToWrite, QuantPart>> out;
  auto add = [&](std::string suffix, DType dtype, std::vector<int64_t> shape, Part part) {
    out.push_back({{p + suffix, dtype, std::move(shape)}, {part, s, w}});
  };
  if (packed) {
    add(".weight_packed", DType::kI32, {rows, ceil_div(cols, 32 / s.num_bits)}, Part::kWeight);
    add(".weight_shape", DType::kI64, {2}, Part::kShape);
  } else {
    add(".weight", s.weights == ops::WeightFormat::kFp8E4M3 ? DType::kF8E4M3 : DType::kI8,
        {rows, cols}, Part::kWeight);
  }
  add(".weight_scale", w.dtype, scale_shape, Part::kScale);
  if (!s.symmetric) {
    if (packed) {
      add(".weight_zero_point", DType::kI32, {ceil_div(rows, 32 / s.num_bits), groups},
          Part::kZeroPoint);
    } else {
      add(".weight_zero_point", DType::kI8, scale_shape, Part::kZeroPoint);
    }
  }
  if (s.static_input_scale) add(".input_scale", w.dtype, {1}, Part::kInputScale);
  return out;
}

std::vector<std::pair<TensorToWrite, std::optional<QuantPart>>> plan(
    const std::vector<TensorToWrite>& tensors, const QuantizationConfig& config) {
  std::vector<std::pair<TensorToWrite, std::optional<QuantPart>>> out;
  for (const TensorToWrite& t : tensors) {
    const bool linear = t.shape.size() == 2 && t.name.size() > kWeightSuffix.size() &&
                        t.name.ends_with(kWeightSuffix) && t.name != "model.embed_tokens.weight";
    std::optional<LinearQuantScheme> s;
    if (linear) s = config.scheme_for(t.name.substr(0, t.name.size() - kWeightSuffix.size()));
    if (!s) {
      out.emplace_back(t, std::nullopt);
      continue;
    }
    for (auto& [tensor, part] : parts_of(t, *s)) out.emplace_back(tensor, part);
  }
  return out;
}

float round_to(DType dtype, float x) {
  if (dtype == DType::kBF16) return bf16_to_f32(f32_to_bf16(x));
  if (dtype == DType::kF16) return f16_to_f32(f32_to_f16(x));
  return x;
}

ScaleRounding rounding_for(DType dtype) {
  if (dtype == DType::kBF16) return [](float x) { return round_to(DType::kBF16, x); };
  if (dtype == DType::kF16) return [](float x) { return round_to(DType::kF16, x); };
  return nullptr;
}

// Rows [r0, r1) of the source, quantized (all rows for per-tensor scales).
QuantizedMatrix quantize_rows(const TensorFill& float_fill, const QuantPart& p, int64_t r0,
                              int64_t r1) {
  const LinearQuantScheme& s = p.scheme;
  const int64_t cols = p.source.shape[1];
  if (s.strategy == ScaleStrategy::kTensor) r0 = 0, r1 = p.source.shape[0];
  const size_t esize = dtype_size(p.source.dtype);
  std::vector<std::byte> raw(static_cast<size_t>((r1 - r0) * cols) * esize);
  float_fill(p.source, static_cast<uint64_t>(r0 * cols) * esize, raw);
  std::vector<float> w(static_cast<size_t>((r1 - r0) * cols));
  convert_to_f32(p.source.dtype, raw.data(), w.size(), w.data());
  const ScaleRounding round = rounding_for(p.source.dtype);
  if (s.weights == ops::WeightFormat::kFp8E4M3) {
    return quantize_fp8(w, r1 - r0, cols, s.strategy == ScaleStrategy::kTensor, round);
  }
  IM_CHECK(s.strategy != ScaleStrategy::kTensor);
  const int64_t gs = s.strategy == ScaleStrategy::kGroup ? s.group_size : 0;
  return quantize_int(w, r1 - r0, cols, s.num_bits, gs, s.symmetric, round);
}

// compressed-tensors' signed value of a host-form int (asymmetric int4 is stored +8 there).
int8_t signed_value(const LinearQuantScheme& s, int8_t v) {
  return !s.symmetric && s.num_bits == 4 ? static_cast<int8_t>(v - 8) : v;
}

template <typename T>
void append(std::vector<std::byte>& out, T v) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &v, sizeof(T));
}

// Units [u0, u1) of the part's tensor, serialized; `m` holds source rows from `r0`.
std::vector<std::byte> serialize(const QuantPart& p, const QuantizedMatrix& m, int64_t r0,
                                 int64_t u0, int64_t u1) {
  const LinearQuantScheme& s = p.scheme;
  const int64_t cols = m.cols, groups = m.groups(), k = rows_per_unit(p);
  std::vector<std::byte> out;
  for (int64_t u = u0; u < u1; ++u) {
    const int64_t r = u * k - r0;  // row of m
    if (p.part == Part::kScale) {
      const int64_t n = s.strategy == ScaleStrategy::kTensor ? 1 : groups;
      for (int64_t g = 0; g < n; ++g) {
        const float v = m.scales[static_cast<size_t>(r * groups + g)];
        if (p.source.dtype == DType::kF32) append(out, v);
        if (p.source.dtype == DType::kBF16) append(out, f32_to_bf16(v));
        if (p.source.dtype == DType::kF16) append(out, f32_to_f16(v));
      }
    } else if (p.part == Part::kWeight) {
      std::vector<int8_t> row(static_cast<size_t>(cols));
      for (int64_t c = 0; c < cols; ++c) {
        const int8_t v = m.values[static_cast<size_t>(r * cols + c)];
        row[static_cast<size_t>(c)] = s.weights == ops::WeightFormat::kFp8E4M3 ? v : signed_value(s, v);
      }
      if (s.storage == QuantStorage::kPacked) {
        std::vector<int32_t> words(static_cast<size_t>(ceil_div(cols, 32 / s.num_bits)));
        pack_int32(row, s.num_bits, words);
        for (int32_t w : words) append(out, w);
      } else {
        for (int8_t v : row) append(out, v);
      }
    } else if (s.storage == QuantStorage::kPacked) {  // zero points packed along rows
      const int64_t n = std::min(k, m.rows - r);
      for (int64_t g = 0; g < groups; ++g) {
        std::vector<int8_t> column(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
          column[static_cast<size_t>(i)] =
              signed_value(s, m.zero_points[static_cast<size_t>((r + i) * groups + g)]);
        }
        int32_t word = 0;
        pack_int32(column, s.num_bits, std::span<int32_t>(&word, 1));
        append(out, word);
      }
    } else {
      for (int64_t g = 0; g < groups; ++g) {
        append(out, signed_value(s, m.zero_points[static_cast<size_t>(r * groups + g)]));
      }
    }
  }
  return out;
}

void fill_part(const TensorFill& float_fill, const QuantPart& p, const TensorToWrite& t,
               uint64_t offset, std::span<std::byte> out) {
  if (p.part == Part::kShape) {
    const int64_t shape[2] = {p.source.shape[0], p.source.shape[1]};
    std::memcpy(out.data(), reinterpret_cast<const std::byte*>(shape) + offset, out.size());
    return;
  }
  if (p.part == Part::kInputScale) {  // unused by the loader: a plausible activation scale
    std::vector<std::byte> v;
    if (t.dtype == DType::kF32) append(v, 4.0f / 448);
    if (t.dtype == DType::kBF16) append(v, f32_to_bf16(4.0f / 448));
    if (t.dtype == DType::kF16) append(v, f32_to_f16(4.0f / 448));
    std::memcpy(out.data(), v.data() + offset, out.size());
    return;
  }
  const uint64_t unit_bytes = t.nbytes() / static_cast<uint64_t>(t.shape[0]);
  const auto u0 = static_cast<int64_t>(offset / unit_bytes);
  const auto u1 = static_cast<int64_t>(ceil_div(static_cast<int64_t>(offset + out.size()),
                                                static_cast<int64_t>(unit_bytes)));
  const int64_t k = rows_per_unit(p), rows = p.source.shape[0];
  const int64_t r0 = p.scheme.strategy == ScaleStrategy::kTensor ? 0 : u0 * k;
  const QuantizedMatrix m = quantize_rows(float_fill, p, u0 * k, std::min(rows, u1 * k));
  const std::vector<std::byte> bytes = serialize(p, m, r0, u0, u1);
  std::memcpy(out.data(), bytes.data() + (offset - static_cast<uint64_t>(u0) * unit_bytes),
              out.size());
}

Json args_json(int bits, std::string_view type, bool symmetric, std::string_view strategy,
               std::optional<int64_t> group_size, bool dynamic, std::string_view observer) {
  return {{"actorder", nullptr},
          {"block_structure", nullptr},
          {"dynamic", dynamic},
          {"group_size", group_size ? Json(*group_size) : Json(nullptr)},
          {"num_bits", bits},
          {"observer", observer.empty() ? Json(nullptr) : Json(observer)},
          {"observer_kwargs", Json::object()},
          {"strategy", strategy},
          {"symmetric", symmetric},
          {"type", type}};
}

}  // namespace

std::optional<LinearQuantScheme> quantization_preset(std::string_view name) {
  LinearQuantScheme s;
  s.group = "group_0";
  if (name == "w8a8") {
    s.format = "int-quantized";
    s.activations = ops::ActivationFormat::kInt8PerToken;
  } else if (name == "w8a16") {
    s.format = "pack-quantized", s.storage = QuantStorage::kPacked;
  } else if (name == "w4a16" || name == "w4a16-asym") {
    s.format = "pack-quantized", s.storage = QuantStorage::kPacked;
    s.weights = ops::WeightFormat::kInt4, s.num_bits = 4;
    s.strategy = ScaleStrategy::kGroup, s.group_size = 128;
    s.symmetric = name == "w4a16";
  } else if (name == "w4a8") {
    // What compressed-tensors infers for its W4A8 preset: int4 values in int8 containers.
    s.format = "int-quantized";
    s.weights = ops::WeightFormat::kInt4, s.num_bits = 4;
    s.strategy = ScaleStrategy::kGroup, s.group_size = 128;
    s.activations = ops::ActivationFormat::kInt8PerToken;
  } else if (name == "fp8") {
    s.format = "float-quantized";
    s.weights = ops::WeightFormat::kFp8E4M3;
    s.fp8_activations = true;
  } else {
    return std::nullopt;
  }
  return s;
}

Json quantization_config_json(const LinearQuantScheme& s, const std::vector<std::string>& ignore) {
  const bool fp8 = s.weights == ops::WeightFormat::kFp8E4M3;
  const std::string_view strategy = s.strategy == ScaleStrategy::kTensor    ? "tensor"
                                    : s.strategy == ScaleStrategy::kChannel ? "channel"
                                                                            : "group";
  const std::optional<int64_t> gs =
      s.strategy == ScaleStrategy::kGroup ? std::optional<int64_t>(s.group_size) : std::nullopt;
  Json inputs = nullptr;
  if (s.activations == ops::ActivationFormat::kInt8PerToken) {
    inputs = args_json(8, "int", true, "token", std::nullopt, true, "");
  } else if (s.fp8_activations) {
    inputs = s.static_input_scale ? args_json(8, "float", true, "tensor", std::nullopt, false,
                                              "minmax")
                                  : args_json(8, "float", true, "token", std::nullopt, true, "");
  }
  Json group = {{"input_activations", inputs},
                {"output_activations", nullptr},
                {"targets", {"Linear"}},
                {"weights", args_json(s.num_bits, fp8 ? "float" : "int", s.symmetric, strategy, gs,
                                      false, "minmax")}};
  return {{"config_groups", {{s.group.empty() ? "group_0" : s.group, group}}},
          {"format", s.format},
          {"global_compression_ratio", nullptr},
          {"ignore", ignore},
          {"kv_cache_scheme", nullptr},
          {"quant_method", "compressed-tensors"},
          {"quantization_status", "compressed"},
          {"sparsity_config", Json::object()},
          {"transform_config", Json::object()},
          {"version", "0.11.0"}};
}

std::vector<TensorToWrite> quantized_tensor_list(const std::vector<TensorToWrite>& tensors,
                                                 const QuantizationConfig& config) {
  std::vector<TensorToWrite> out;
  for (auto& [t, part] : plan(tensors, config)) out.push_back(t);
  return out;
}

TensorFill quantizing_fill(TensorFill float_fill, const std::vector<TensorToWrite>& tensors,
                           const QuantizationConfig& config) {
  auto parts = std::make_shared<std::map<std::string, QuantPart>>();
  for (auto& [t, part] : plan(tensors, config)) {
    if (part) parts->emplace(t.name, *part);
  }
  return [float_fill = std::move(float_fill), parts](const TensorToWrite& t, uint64_t offset,
                                                     std::span<std::byte> out) {
    auto it = parts->find(t.name);
    if (it == parts->end()) return float_fill(t, offset, out);
    fill_part(float_fill, it->second, t, offset, out);
  };
}

}  // namespace infermark::model
