// Seeded random-weight Llama checkpoints in the exact Hugging Face layout, for demos, tests and
// benchmarks when the real weights are not available (`infermark make-model`).
//
// Shapes: "tiny" (a Llama-3-style model with the real 128256-token vocabulary, 2 layers, hidden
// 64, tied embeddings: ~17 MB in bf16), "llama-3.2-1b" and "llama-3.1-8b" (the real
// hyper-parameters of those Instruct models). Weights are N(0, 0.02) (the Llama
// initializer_range), norm weights are 1, so a forward pass stays in a sane range. The bytes of
// each tensor depend only on (seed, tensor name, dtype): the same seed gives the same files.
// With `quantize` the layer Linears are written as a compressed-tensors checkpoint of that
// preset (quantized_writer.h), quantized from exactly the weights the float model would have;
// lm_head stays float.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/checkpoint_writer.h"
#include "model/config.h"
#include "model/dtype.h"

namespace infermark::model {

// The shape names make-model accepts, in the order listed in help text.
std::vector<std::string_view> demo_shape_names();

// The config of a named shape with weights stored as `dtype` (F32, F16 or BF16). Throws Error
// naming the shape if it is unknown.
Config demo_config(std::string_view shape, DType dtype);

// Fill function for write_checkpoint(): norm weights ("...norm.weight") are 1, every other
// tensor is N(0, std) quantised to 65536 quantiles. Deterministic in (seed, name, offset).
TensorFill random_llama_fill(uint64_t seed, double std = 0.02);

struct DemoModelOptions {
  std::string shape = "tiny";
  std::filesystem::path out;
  uint64_t seed = 0;
  DType dtype = DType::kBF16;
  // tokenizer.json (or a folder holding one) to copy into the checkpoint; a tokenizer_config.json
  // beside it is copied too (else a minimal Llama-3.1 one is written). None when unset.
  std::optional<std::filesystem::path> tokenizer;
  uint64_t max_shard_bytes = kDefaultMaxShardBytes;
  // A quantization preset (quantization_preset in quantized_writer.h), or empty for float.
  std::string quantize;
};

// Writes the safetensors of a Llama checkpoint for `config`: float tensors of `dtype` from
// `fill`, except the Linears config.quantization targets, written quantized from those floats.
// Returns the files written and adds the tensors' bytes to *bytes when given.
std::vector<std::filesystem::path> write_llama_tensors(
    const std::filesystem::path& dir, const Config& config, DType dtype, const TensorFill& fill,
    uint64_t max_shard_bytes = kDefaultMaxShardBytes, uint64_t* bytes = nullptr);

// config.quantization for `preset` (lm_head ignored). Throws Error naming an unknown preset.
QuantizationConfig demo_quantization(std::string_view preset);

struct DemoModelResult {
  Config config;
  std::vector<std::filesystem::path> files;  // every file written
  uint64_t weight_bytes = 0;
};

// Writes config.json, generation_config.json, the safetensors (sharded above max_shard_bytes)
// and the tokenizer files into options.out, then reopens and binds the result as a check.
// Streams: memory use stays at a few MB whatever the shape. Throws Error on bad options or I/O.
DemoModelResult make_demo_model(const DemoModelOptions& options);

}  // namespace infermark::model
