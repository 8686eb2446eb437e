// Model hyper-parameters of a Llama-family checkpoint, read from its Hugging Face config.json
// (and the optional generation_config.json beside it).
//
// Config is a plain value, immutable by convention once loaded and shared read-only by every
// thread. Only the keys that change the maths are kept; unsupported variants (another
// model_type, attention/MLP biases, an activation other than silu, RoPE scaling other than
// llama3) are rejected at load time with an Error naming the file and key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/quantization_config.h"
#include "util/json.h"

namespace infermark::model {

// RoPE frequency scaling. kNone = plain RoPE with `rope_theta`; kLlama3 = the Llama-3.1
// wavelength-dependent scaling (see tokenizer-model-rouge.md §2.6).
struct RopeScaling {
  enum class Type { kNone, kLlama3 };
  Type type = Type::kNone;
  double factor = 1.0;            // low frequencies are divided by this
  double low_freq_factor = 1.0;   // wavelengths above original_max / low_freq_factor are scaled
  double high_freq_factor = 1.0;  // wavelengths below original_max / high_freq_factor are kept
  int64_t original_max_position_embeddings = 0;  // tokens

  bool operator==(const RopeScaling&) const = default;
};

struct Config {
  std::string model_type = "llama";
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;        // d_model
  int64_t intermediate_size = 0;  // SwiGLU inner width
  int64_t num_layers = 0;         // num_hidden_layers
  int64_t num_heads = 0;          // query heads
  int64_t num_kv_heads = 0;       // key/value heads (GQA); num_heads % num_kv_heads == 0
  int64_t head_dim = 0;           // explicit `head_dim`, else hidden_size / num_heads; even
  double rms_norm_eps = 1e-5;
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  int64_t max_position_embeddings = 2048;  // tokens
  bool tie_word_embeddings = false;        // true: lm_head shares model.embed_tokens.weight
  std::optional<int32_t> bos_token_id;
  std::vector<int32_t> eos_token_ids;  // `eos_token_id` as an int or a list; may be empty
  std::string torch_dtype;             // as written ("bfloat16"), "" if absent; informational
  // compressed-tensors settings (quantization_config / compression_config); nullopt for a
  // float checkpoint.
  std::optional<QuantizationConfig> quantization;

  // Query heads per key/value head.
  int64_t gqa_group() const { return num_heads / num_kv_heads; }
  int64_t q_dim() const { return num_heads * head_dim; }
  int64_t kv_dim() const { return num_kv_heads * head_dim; }
  // Number of weight parameters, counting a tied embedding once.
  int64_t parameter_count() const;

  // Parses and validates a config.json object. `origin` names the source in errors.
  static Config from_json(const util::Json& j, std::string_view origin);
  // Reads `<dir>/config.json`.
  static Config load(const std::filesystem::path& dir);
  // The Hugging Face config.json object for this config (LlamaForCausalLM keys).
  util::Json to_json() const;

  bool operator==(const Config&) const = default;
};

// The generation defaults a checkpoint suggests (generation_config.json). MLPerf ignores them,
// but the server reports them and uses the eos ids as default stop tokens.
struct GenerationConfig {
  std::optional<int32_t> bos_token_id;
  std::vector<int32_t> eos_token_ids;
  bool do_sample = false;
  double temperature = 1.0;
  double top_p = 1.0;
  int64_t top_k = 0;  // 0 = not set

  static GenerationConfig from_json(const util::Json& j, std::string_view origin);
  // Reads `<dir>/generation_config.json`; nullopt if the file does not exist.
  static std::optional<GenerationConfig> load(const std::filesystem::path& dir);
};

}  // namespace infermark::model
