// The quantization settings of a compressed-tensors checkpoint (config.json's
// `quantization_config`, or `compression_config` in 2024 files), as written by llm-compressor,
// and the scheme they give each Linear of the model.
//
// Supported, per Linear: int8 weights with per-tensor, per-channel or per-group scales stored
// as I8 (`int-quantized` / `naive-quantized`) or packed in I32 (`pack-quantized`), symmetric or
// with zero points; int4 weights the same way (packed, or one value per I8); FP8 e4m3 weights
// with per-tensor or per-channel scales (`float-quantized`). Activations: none (f32), dynamic
// per-token symmetric int8 with int8 or int4 weights (W8A8, W4A8), or FP8 (dynamic or static),
// which runs weight-only in f32. Everything else (act-order group indices, block / tensor-group /
// head strategies, int8 activations with FP8 weights, static or asymmetric int8 activations,
// NVFP4 / MXFP4, 2:4 sparsity, transforms, a KV-cache scheme, output activations) is refused
// with an Error naming the scheme, its group and the Linear it would apply to: never a silently
// wrong number.
//
// Matching follows compressed-tensors (`utils/match.py`): a target is "Linear" (every Linear,
// lm_head included), "re:<regex>" (start-anchored, as Python's re.match) or an exact module
// name; `ignore` uses the same rules and wins. A plain value, immutable after parsing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ops/quantized.h"
#include "util/json.h"

namespace infermark::model {

// Where a quantized Linear `<p>` keeps its weight in the checkpoint.
enum class QuantStorage {
  kUnpacked,  // <p>.weight: I8 (int-/naive-quantized) or F8_E4M3 (float-/naive-quantized)
  kPacked,    // <p>.weight_packed: I32 [out, ceil(in / (32 / bits))] + <p>.weight_shape
};

enum class ScaleStrategy { kTensor, kChannel, kGroup };

// The supported scheme of one Linear.
struct LinearQuantScheme {
  std::string group;   // config_groups key, for messages
  std::string format;  // compressed-tensors format name, e.g. "pack-quantized"
  QuantStorage storage = QuantStorage::kUnpacked;
  ops::WeightFormat weights = ops::WeightFormat::kInt8;
  int num_bits = 8;
  bool symmetric = true;
  ScaleStrategy strategy = ScaleStrategy::kChannel;
  int64_t group_size = 0;  // kGroup only
  ops::ActivationFormat activations = ops::ActivationFormat::kFloat;
  bool fp8_activations = false;     // the checkpoint asks for FP8 activations; they run in f32
  bool static_input_scale = false;  // <p>.input_scale [1] is stored (static FP8; unused here)

  // e.g. "int4 symmetric group 128 weights, f32 activations (pack-quantized)".
  std::string describe() const;
  bool operator==(const LinearQuantScheme&) const = default;
};

class QuantizationConfig {
 public:
  // The quantization settings of a parsed config.json, nullopt when it has neither key (a float
  // checkpoint). Throws Error naming `origin` and the key for a quant_method other than
  // compressed-tensors, sparsity (2:4 and others), transforms, a KV-cache scheme, a status other
  // than "compressed", or malformed groups. Schemes a group cannot run are refused later, by
  // scheme_for, naming the Linear.
  static std::optional<QuantizationConfig> from_config_json(const util::Json& config,
                                                            std::string_view origin);

  // The scheme of the Linear named `module` ("model.layers.0.mlp.down_proj", "lm_head"), or
  // nullopt when no group targets it or `ignore` lists it. Throws Error naming the module and
  // the group when that group's scheme is not supported, or when two groups target it.
  std::optional<LinearQuantScheme> scheme_for(std::string_view module) const;

  // The key it was read from ("quantization_config" or "compression_config") and its object as
  // written, for config.json round trips.
  const std::string& key() const { return key_; }
  const util::Json& json() const { return json_; }

  bool operator==(const QuantizationConfig& o) const { return key_ == o.key_ && json_ == o.json_; }

 private:
  struct Group {
    std::string name;
    std::vector<std::string> targets;
    std::optional<LinearQuantScheme> scheme;  // nullopt: refused, for `unsupported`
    std::string unsupported;
  };

  std::string origin_;
  std::string key_;
  util::Json json_;
  std::vector<Group> groups_;
  std::vector<std::string> ignore_;
};

// True when compressed-tensors' matcher selects Linear `module` for `target` (see above).
// Throws Error naming the target when a "re:" pattern is not a valid regular expression.
bool quant_target_matches(std::string_view target, std::string_view module);

}  // namespace infermark::model
