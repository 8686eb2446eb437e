// The tensors of one compressed-tensors quantized Linear `<p>` in a checkpoint, bound and
// shape-checked against its scheme, and their decoding into the host form of ops/quantized.h.
//
//   storage    weight tensor                                scale `<p>.weight_scale`
//   kUnpacked  <p>.weight I8 (int) / F8_E4M3 (fp8) [out,in] tensor [1], channel [out,1],
//   kPacked    <p>.weight_packed I32 [out, ceil(in/pf)]     group [out, ceil(in/gs)]
//              + <p>.weight_shape I32/I64 [2] = (out, in)   (F32, F16 or BF16)
// Zero points (asymmetric): <p>.weight_zero_point, I8 shaped as the scale (kUnpacked) or I32
// [ceil(out/pf), groups] packed along rows (kPacked). A symmetric file may carry all-zero zero
// points (older writers): they are accepted and must be zero. Static FP8 activation scales
// (<p>.input_scale [1]) are accepted and unused (activations run in f32).
//
// bind_quantized_linear checks names, dtypes and shapes (cheap; at open). decode_quantized reads
// the data: it unpacks, validates value ranges (int4 fields, zero points within the type, no FP8
// NaN, finite positive scales) and widens per-tensor scales to one per row. Errors name the
// checkpoint and the tensor.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "model/checkpoint.h"
#include "model/quantization_config.h"
#include "model/quantize.h"

namespace infermark::model {

struct QuantizedLinear {
  std::string module;  // "model.layers.0.mlp.down_proj"
  LinearQuantScheme scheme;
  int64_t rows = 0, cols = 0;  // [out, in], from the config
  TensorView weight;           // <p>.weight or <p>.weight_packed
  TensorView scale;
  std::optional<TensorView> zero_point;
};

// Looks up and checks the tensors of `module` ([rows, cols]) under `scheme`. `bind` is the
// caller's lookup: it returns the tensor or nullptr, and records it as used.
using TensorLookup = std::function<const TensorView*(const std::string& name)>;
QuantizedLinear bind_quantized_linear(const std::string& module, const LinearQuantScheme& scheme,
                                      int64_t rows, int64_t cols, const TensorLookup& bind,
                                      std::string_view where);

// The host form of a bound Linear (see the file comment). Cost: one pass over its tensors.
QuantizedMatrix decode_quantized(const QuantizedLinear& linear, std::string_view where);

}  // namespace infermark::model
