#include "model/demo_model.h"

#include <cmath>
#include <cstring>

#include "model/checkpoint.h"
#include "model/quantized_writer.h"
#include "model/weights.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::model {
namespace fs = std::filesystem;
using util::Json;

namespace {

constexpr int32_t kBos = 128000;
const std::vector<int32_t> kInstructEos = {128001, 128008, 128009};

Config llama3_base() {
  Config c;
  c.vocab_size = 128256;
  c.rms_norm_eps = 1e-5;
  c.rope_theta = 500000.0;
  c.rope_scaling = {RopeScaling::Type::kLlama3, 8.0, 1.0, 4.0, 8192};
  c.max_position_embeddings = 131072;
  c.bos_token_id = kBos;
  c.eos_token_ids = kInstructEos;
  return c;
}

std::string torch_dtype_name(DType t) {
  switch (t) {
    case DType::kF32:
      return "float32";
    case DType::kF16:
      return "float16";
    case DType::kBF16:
      return "bfloat16";
    default:
      throw Error::format("make-model: dtype {} is not a weight dtype (use bf16, f16 or f32)",
                          dtype_name(t));
  }
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
  return h;
}

// Standard normal quantiles at (k + 0.5) / 65536, k = 0..65535, found by bisection on erfc.
const std::vector<float>& normal_quantiles() {
  static const auto table = [] {
    std::vector<float> t(65536);
    for (size_t k = 0; k < t.size() / 2; ++k) {
      double p = (static_cast<double>(k) + 0.5) / 65536.0;  // < 0.5: the negative half
      double lo = -10.0, hi = 0.0;
      for (int it = 0; it < 60; ++it) {
        double mid = 0.5 * (lo + hi);
        (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
      }
      t[k] = static_cast<float>(0.5 * (lo + hi));
      t[t.size() - 1 - k] = -t[k];
    }
    return t;
  }();
  return table;
}

bool is_norm(std::string_view name) {
  constexpr std::string_view kSuffix = "norm.weight";
  return name.size() >= kSuffix.size() && name.substr(name.size() - kSuffix.size()) == kSuffix;
}

// Element e of a tensor is quantile[(splitmix64(key + e / 4) >> (16 * (e % 4))) & 0xffff]:
// four elements per 64-bit draw, independent of how the writer chunks the data.
template <typename T>
void fill_random(const std::vector<T>& table, uint64_t key, uint64_t first,
                 std::span<std::byte> out) {
  const size_t n = out.size() / sizeof(T);
  for (size_t i = 0; i < n;) {
    const uint64_t e = first + i;
    uint64_t bits = splitmix64(key + e / 4) >> (16 * (e % 4));
    for (uint64_t lane = e % 4; lane < 4 && i < n; ++lane, ++i, bits >>= 16) {
      std::memcpy(out.data() + i * sizeof(T), &table[bits & 0xffff], sizeof(T));
    }
  }
}

template <typename T>
void fill_constant(T value, std::span<std::byte> out) {
  for (size_t i = 0; i + sizeof(T) <= out.size(); i += sizeof(T))
    std::memcpy(&out[i], &value, sizeof(T));
}

void write_json(const fs::path& path, const Json& j, std::vector<fs::path>& written) {
  util::write_file_atomic(path, j.dump(2) + "\n");
  written.push_back(path);
}

void copy_tokenizer(const fs::path& tokenizer, const fs::path& out,
                    std::vector<fs::path>& written) {
  std::string text = util::read_file(tokenizer);
  Json j = util::parse_json(text, tokenizer.string());
  if (!j.is_object() || !j.contains("model")) {
    throw Error::format("{}: not a tokenizer.json (no 'model' object)", tokenizer.string());
  }
  util::write_file_atomic(out / "tokenizer.json", text);
  written.push_back(out / "tokenizer.json");
  fs::path config = tokenizer.parent_path() / "tokenizer_config.json";
  std::error_code ec;
  if (fs::exists(config, ec)) {
    std::string config_text = util::read_file(config);
    util::parse_json(config_text, config.string());
    util::write_file_atomic(out / "tokenizer_config.json", config_text);
    written.push_back(out / "tokenizer_config.json");
    return;
  }
  write_json(out / "tokenizer_config.json",
             {{"bos_token", "<|begin_of_text|>"},
              {"clean_up_tokenization_spaces", true},
              {"eos_token", "<|eot_id|>"},
              {"model_input_names", {"input_ids", "attention_mask"}},
              {"model_max_length", 131072},
              {"tokenizer_class", "PreTrainedTokenizerFast"}},
             written);
}

}  // namespace

std::vector<std::string_view> demo_shape_names() {
  return {"tiny", "llama-3.2-1b", "llama-3.1-8b"};
}

Config demo_config(std::string_view shape, DType dtype) {
  Config c = llama3_base();
  c.torch_dtype = torch_dtype_name(dtype);
  if (shape == "tiny") {
    c.hidden_size = 64, c.intermediate_size = 224, c.num_layers = 2;
    c.num_heads = 4, c.num_kv_heads = 2, c.head_dim = 16;
    c.tie_word_embeddings = true;
  } else if (shape == "llama-3.2-1b") {
    c.hidden_size = 2048, c.intermediate_size = 8192, c.num_layers = 16;
    c.num_heads = 32, c.num_kv_heads = 8, c.head_dim = 64;
    c.tie_word_embeddings = true;
    c.rope_scaling.factor = 32.0;
  } else if (shape == "llama-3.1-8b") {
    c.hidden_size = 4096, c.intermediate_size = 14336, c.num_layers = 32;
    c.num_heads = 32, c.num_kv_heads = 8, c.head_dim = 128;
  } else {
    throw Error::format(
        "make-model: unknown --shape '{}' (expected tiny, llama-3.2-1b or "
        "llama-3.1-8b)",
        shape);
  }
  return c;
}

TensorFill random_llama_fill(uint64_t seed, double std) {
  const auto& q = normal_quantiles();
  auto f32 = std::make_shared<std::vector<float>>(q.size());
  auto f16 = std::make_shared<std::vector<uint16_t>>(q.size());
  auto bf16 = std::make_shared<std::vector<uint16_t>>(q.size());
  for (size_t k = 0; k < q.size(); ++k) {
    float v = static_cast<float>(q[k] * std);
    (*f32)[k] = v, (*f16)[k] = f32_to_f16(v), (*bf16)[k] = f32_to_bf16(v);
  }
  return [=](const TensorToWrite& t, uint64_t offset, std::span<std::byte> out) {
    const uint64_t first = offset / dtype_size(t.dtype);
    const uint64_t key = splitmix64(seed ^ fnv1a64(t.name));
    const bool norm = is_norm(t.name);
    switch (t.dtype) {
      case DType::kF32:
        return norm ? fill_constant(1.0f, out) : fill_random(*f32, key, first, out);
      case DType::kF16:
        return norm ? fill_constant(f32_to_f16(1.0f), out) : fill_random(*f16, key, first, out);
      case DType::kBF16:
        return norm ? fill_constant(f32_to_bf16(1.0f), out) : fill_random(*bf16, key, first, out);
      default:
        IM_CHECK_MSG(false, "random_llama_fill: not a weight dtype");
    }
  };
}

std::vector<fs::path> write_llama_tensors(const fs::path& dir, const Config& config, DType dtype,
                                          const TensorFill& fill, uint64_t max_shard_bytes,
                                          uint64_t* bytes) {
  std::vector<TensorToWrite> tensors;
  for (const TensorSpec& s : llama_tensor_specs(config)) tensors.push_back({s.name, dtype, s.shape});
  TensorFill quantized_fill = fill;
  if (config.quantization) {
    quantized_fill = quantizing_fill(fill, tensors, *config.quantization);
    tensors = quantized_tensor_list(tensors, *config.quantization);
  }
  for (const auto& t : tensors) {
    if (bytes) *bytes += t.nbytes();
  }
  return write_checkpoint(dir, tensors, quantized_fill, max_shard_bytes);
}

QuantizationConfig demo_quantization(std::string_view preset) {
  const std::optional<LinearQuantScheme> scheme = quantization_preset(preset);
  if (!scheme) {
    throw Error::format("make-model: --quantize '{}' is not one of {}", preset,
                        kQuantizationPresetNames);
  }
  const util::Json config = {
      {"quantization_config", quantization_config_json(*scheme, {"lm_head"})}};
  return *QuantizationConfig::from_config_json(config, "make-model");
}

DemoModelResult make_demo_model(const DemoModelOptions& o) {
  if (o.out.empty()) throw Error("make-model: --out is required");
  DemoModelResult r;
  r.config = demo_config(o.shape, o.dtype);
  std::optional<fs::path> tokenizer = o.tokenizer;
  if (tokenizer && fs::is_directory(*tokenizer)) *tokenizer /= "tokenizer.json";
  if (tokenizer && !fs::is_regular_file(*tokenizer)) {
    throw Error::format("{}: tokenizer file does not exist", tokenizer->string());
  }
  util::ensure_writable_dir(o.out);

  if (!o.quantize.empty()) r.config.quantization = demo_quantization(o.quantize);
  r.files = write_llama_tensors(o.out, r.config, o.dtype, random_llama_fill(o.seed),
                                o.max_shard_bytes, &r.weight_bytes);

  write_json(o.out / "config.json", r.config.to_json(), r.files);
  Json generation = {{"bos_token_id", kBos},
                     {"do_sample", true},
                     {"eos_token_id", kInstructEos},
                     {"temperature", 0.6},
                     {"top_p", 0.9}};
  write_json(o.out / "generation_config.json", generation, r.files);
  if (tokenizer) copy_tokenizer(*tokenizer, o.out, r.files);

  // Check what was written opens and binds exactly as a real checkpoint would.
  Checkpoint checkpoint = Checkpoint::open(o.out);
  bind_llama_weights(checkpoint, Config::load(o.out));
  return r;
}

}  // namespace infermark::model
