// Writes compressed-tensors checkpoints the way llm-compressor does (`make-model --quantize`),
// so tests and benchmarks have every supported format without downloading one: the
// `quantization_config` object with the keys and defaults llm-compressor serialises, and per
// quantized Linear `<p>` the tensors, dtypes and packing of quantized_linear.h (scales in the
// float weights' dtype, `weight_shape` as I64, zero points packed along rows), quantized from
// the float weights the checkpoint would otherwise hold with the quantizer of quantize.h.
//
// Writing streams like checkpoint_writer.h: each chunk of a quantized tensor regenerates and
// quantizes just the rows it covers (the whole matrix for per-tensor scales).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/checkpoint_writer.h"
#include "model/quantization_config.h"

namespace infermark::model {

// The schemes make-model writes: "w8a8" (int-quantized, int8 per channel, dynamic per-token
// int8 activations), "w8a16" and "w4a16" (pack-quantized, int8 per channel / int4 group 128),
// "w4a16-asym" (int4 group 128 with zero points), "w4a8" (int-quantized, int4 group 128 in int8
// containers, dynamic per-token int8 activations, as compressed-tensors infers for llm-compressor's
// W4A8), "fp8" (float-quantized, e4m3 per channel with dynamic FP8 activations, llm-compressor's
// FP8_DYNAMIC). nullopt for another name.
std::optional<LinearQuantScheme> quantization_preset(std::string_view name);
inline constexpr std::string_view kQuantizationPresetNames =
    "w8a8, w8a16, w4a16, w4a16-asym, w4a8, fp8";

// The config.json `quantization_config` for one group "group_0" targeting every Linear with
// `scheme`, minus `ignore` (usually {"lm_head"}).
util::Json quantization_config_json(const LinearQuantScheme& scheme,
                                    const std::vector<std::string>& ignore);

// Replaces each float Linear weight "<p>.weight" in `tensors` that `config` quantizes by the
// tensors of its scheme, scales in the weight's dtype. Returns the new list, in order.
std::vector<TensorToWrite> quantized_tensor_list(const std::vector<TensorToWrite>& tensors,
                                                 const QuantizationConfig& config);

// Fill function for quantized_tensor_list(tensors, config): float tensors come from
// `float_fill`; a quantized tensor is computed from the rows `float_fill` gives for the float
// "<p>.weight" it replaces.
TensorFill quantizing_fill(TensorFill float_fill, const std::vector<TensorToWrite>& tensors,
                           const QuantizationConfig& config);

}  // namespace infermark::model
