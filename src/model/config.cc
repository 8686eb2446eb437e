#include "model/config.h"

#include <limits>

#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::model {
namespace {

using util::Json;

const Json* find(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

int64_t as_int(const Json& v, std::string_view key, std::string_view origin) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() &&
        v.get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()}) {
      throw Error::format("{}: field '{}' = {} is too large", origin, key, v.dump());
    }
    return v.get<int64_t>();
  }
  throw Error::format("{}: field '{}' must be an integer (got {} {})", origin, key, v.type_name(),
                      v.dump());
}

double as_number(const Json& v, std::string_view key, std::string_view origin) {
  if (v.is_number()) return v.get<double>();
  throw Error::format("{}: field '{}' must be a number (got {} {})", origin, key, v.type_name(),
                      v.dump());
}

int64_t required_int(const Json& j, std::string_view key, std::string_view origin) {
  const Json* v = find(j, key);
  if (!v) throw Error::format("{}: missing field '{}'", origin, key);
  return as_int(*v, key, origin);
}

double required_number(const Json& j, std::string_view key, std::string_view origin) {
  const Json* v = find(j, key);
  if (!v) throw Error::format("{}: missing field '{}'", origin, key);
  return as_number(*v, key, origin);
}

int64_t positive(int64_t value, std::string_view key, std::string_view origin) {
  if (value <= 0)
    throw Error::format("{}: field '{}' must be positive (got {})", origin, key, value);
  return value;
}

int32_t token_id(const Json& v, std::string_view key, std::string_view origin) {
  int64_t id = as_int(v, key, origin);
  if (id < 0 || id > std::numeric_limits<int32_t>::max()) {
    throw Error::format("{}: field '{}' has an invalid token id {}", origin, key, id);
  }
  return static_cast<int32_t>(id);
}

// `eos_token_id` may be an int or a list of ints (Llama-3.1 Instruct uses a list).
std::vector<int32_t> token_id_list(const Json& j, std::string_view key, std::string_view origin) {
  const Json* v = find(j, key);
  if (!v) return {};
  if (!v->is_array()) return {token_id(*v, key, origin)};
  std::vector<int32_t> ids;
  for (const Json& e : *v) ids.push_back(token_id(e, key, origin));
  return ids;
}

bool optional_bool(const Json& j, std::string_view key, bool fallback, std::string_view origin) {
  const Json* v = find(j, key);
  if (!v) return fallback;
  if (!v->is_boolean()) {
    throw Error::format("{}: field '{}' must be true or false (got {})", origin, key, v->dump());
  }
  return v->get<bool>();
}

RopeScaling parse_rope_scaling(const Json& j, std::string_view origin) {
  const Json* v = find(j, "rope_scaling");
  if (!v) return {};
  if (!v->is_object())
    throw Error::format("{}: field 'rope_scaling' must be an object or null", origin);
  const Json* type = find(*v, "rope_type");
  if (!type) type = find(*v, "type");  // the pre-4.43 transformers spelling
  if (!type || !type->is_string()) {
    throw Error::format("{}: field 'rope_scaling' has no string 'rope_type'", origin);
  }
  std::string name = type->get<std::string>();
  if (name == "default") return {};
  if (name != "llama3") {
    throw Error::format(
        "{}: rope_scaling.rope_type '{}' is not supported (supported: llama3, default)", origin,
        name);
  }
  std::string where = std::string(origin) + ": rope_scaling";
  RopeScaling r;
  r.type = RopeScaling::Type::kLlama3;
  r.factor = required_number(*v, "factor", where);
  r.low_freq_factor = required_number(*v, "low_freq_factor", where);
  r.high_freq_factor = required_number(*v, "high_freq_factor", where);
  r.original_max_position_embeddings =
      positive(required_int(*v, "original_max_position_embeddings", where),
               "original_max_position_embeddings", where);
  if (!(r.factor > 0) || !(r.low_freq_factor > 0) || !(r.high_freq_factor > r.low_freq_factor)) {
    throw Error::format(
        "{}: need factor > 0 and high_freq_factor > low_freq_factor > 0 (got {}, {}, {})", where,
        r.factor, r.high_freq_factor, r.low_freq_factor);
  }
  return r;
}

void reject_unsupported(const Json& j, std::string_view origin) {
  const Json* act = find(j, "hidden_act");
  if (act && (!act->is_string() || act->get<std::string>() != "silu")) {
    throw Error::format("{}: hidden_act {} is not supported (expected \"silu\")", origin,
                        act->dump());
  }
  for (std::string_view key : {"attention_bias", "mlp_bias"}) {
    if (optional_bool(j, key, false, origin)) {
      throw Error::format("{}: {} = true is not supported (Llama has no biases)", origin, key);
    }
  }
}

void check_shapes(const Config& c, std::string_view origin) {
  if (c.num_heads % c.num_kv_heads != 0) {
    throw Error::format("{}: num_key_value_heads = {} does not divide num_attention_heads = {}",
                        origin, c.num_kv_heads, c.num_heads);
  }
  if (c.head_dim % 2 != 0) {
    throw Error::format("{}: head_dim = {} must be even for RoPE", origin, c.head_dim);
  }
  if (!(c.rms_norm_eps > 0)) {
    throw Error::format("{}: rms_norm_eps must be positive (got {})", origin, c.rms_norm_eps);
  }
  if (!(c.rope_theta > 0)) {
    throw Error::format("{}: rope_theta must be positive (got {})", origin, c.rope_theta);
  }
}

}  // namespace

int64_t Config::parameter_count() const {
  int64_t attn = hidden_size * q_dim() * 2 + hidden_size * kv_dim() * 2;
  int64_t mlp = hidden_size * intermediate_size * 3;
  int64_t per_layer = attn + mlp + 2 * hidden_size;
  int64_t embed = vocab_size * hidden_size;
  return embed * (tie_word_embeddings ? 1 : 2) + num_layers * per_layer + hidden_size;
}

Config Config::from_json(const Json& j, std::string_view origin) {
  if (!j.is_object()) throw Error::format("{}: expected a JSON object", origin);
  const Json* type = find(j, "model_type");
  if (!type) throw Error::format("{}: missing field 'model_type'", origin);
  if (!type->is_string() || type->get<std::string>() != "llama") {
    throw Error::format("{}: model_type {} is not supported (expected \"llama\")", origin,
                        type->dump());
  }
  reject_unsupported(j, origin);
  Config c;
  c.vocab_size = positive(required_int(j, "vocab_size", origin), "vocab_size", origin);
  c.hidden_size = positive(required_int(j, "hidden_size", origin), "hidden_size", origin);
  c.intermediate_size =
      positive(required_int(j, "intermediate_size", origin), "intermediate_size", origin);
  c.num_layers =
      positive(required_int(j, "num_hidden_layers", origin), "num_hidden_layers", origin);
  c.num_heads =
      positive(required_int(j, "num_attention_heads", origin), "num_attention_heads", origin);
  const Json* kv = find(j, "num_key_value_heads");
  c.num_kv_heads =
      kv ? positive(as_int(*kv, "num_key_value_heads", origin), "num_key_value_heads", origin)
         : c.num_heads;
  if (const Json* hd = find(j, "head_dim")) {
    c.head_dim = positive(as_int(*hd, "head_dim", origin), "head_dim", origin);
  } else if (c.hidden_size % c.num_heads != 0) {
    throw Error::format(
        "{}: no head_dim, and hidden_size = {} is not a multiple of "
        "num_attention_heads = {}",
        origin, c.hidden_size, c.num_heads);
  } else {
    c.head_dim = c.hidden_size / c.num_heads;
  }
  c.rms_norm_eps = required_number(j, "rms_norm_eps", origin);
  c.rope_theta = required_number(j, "rope_theta", origin);
  c.rope_scaling = parse_rope_scaling(j, origin);
  if (const Json* m = find(j, "max_position_embeddings")) {
    c.max_position_embeddings =
        positive(as_int(*m, "max_position_embeddings", origin), "max_position_embeddings", origin);
  }
  c.tie_word_embeddings = optional_bool(j, "tie_word_embeddings", false, origin);
  if (const Json* b = find(j, "bos_token_id"))
    c.bos_token_id = token_id(*b, "bos_token_id", origin);
  c.eos_token_ids = token_id_list(j, "eos_token_id", origin);
  if (const Json* d = find(j, "torch_dtype"); d && d->is_string())
    c.torch_dtype = d->get<std::string>();
  c.quantization = QuantizationConfig::from_config_json(j, origin);
  check_shapes(c, origin);
  return c;
}

Config Config::load(const std::filesystem::path& dir) {
  auto path = dir / "config.json";
  std::string origin = path.string();
  return from_json(util::parse_json(util::read_file(path), origin), origin);
}

Json Config::to_json() const {
  Json j = {
      {"architectures", {"LlamaForCausalLM"}},
      {"attention_bias", false},
      {"attention_dropout", 0.0},
      {"head_dim", head_dim},
      {"hidden_act", "silu"},
      {"hidden_size", hidden_size},
      {"initializer_range", 0.02},
      {"intermediate_size", intermediate_size},
      {"max_position_embeddings", max_position_embeddings},
      {"mlp_bias", false},
      {"model_type", model_type},
      {"num_attention_heads", num_heads},
      {"num_hidden_layers", num_layers},
      {"num_key_value_heads", num_kv_heads},
      {"pretraining_tp", 1},
      {"rms_norm_eps", rms_norm_eps},
      {"rope_theta", rope_theta},
      {"tie_word_embeddings", tie_word_embeddings},
      {"use_cache", true},
      {"vocab_size", vocab_size},
  };
  if (rope_scaling.type == RopeScaling::Type::kLlama3) {
    j["rope_scaling"] = {
        {"factor", rope_scaling.factor},
        {"low_freq_factor", rope_scaling.low_freq_factor},
        {"high_freq_factor", rope_scaling.high_freq_factor},
        {"original_max_position_embeddings", rope_scaling.original_max_position_embeddings},
        {"rope_type", "llama3"},
    };
  } else {
    j["rope_scaling"] = nullptr;
  }
  if (bos_token_id) j["bos_token_id"] = *bos_token_id;
  if (eos_token_ids.size() == 1) j["eos_token_id"] = eos_token_ids[0];
  if (eos_token_ids.size() > 1) j["eos_token_id"] = eos_token_ids;
  if (!torch_dtype.empty()) j["torch_dtype"] = torch_dtype;
  if (quantization) j[quantization->key()] = quantization->json();
  return j;
}

GenerationConfig GenerationConfig::from_json(const Json& j, std::string_view origin) {
  if (!j.is_object()) throw Error::format("{}: expected a JSON object", origin);
  GenerationConfig g;
  if (const Json* b = find(j, "bos_token_id"))
    g.bos_token_id = token_id(*b, "bos_token_id", origin);
  g.eos_token_ids = token_id_list(j, "eos_token_id", origin);
  g.do_sample = optional_bool(j, "do_sample", false, origin);
  if (const Json* t = find(j, "temperature")) g.temperature = as_number(*t, "temperature", origin);
  if (const Json* p = find(j, "top_p")) g.top_p = as_number(*p, "top_p", origin);
  if (const Json* k = find(j, "top_k")) g.top_k = as_int(*k, "top_k", origin);
  return g;
}

std::optional<GenerationConfig> GenerationConfig::load(const std::filesystem::path& dir) {
  auto path = dir / "generation_config.json";
  if (!std::filesystem::exists(path)) return std::nullopt;
  std::string origin = path.string();
  return from_json(util::parse_json(util::read_file(path), origin), origin);
}

}  // namespace infermark::model
