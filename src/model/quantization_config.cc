#include "model/quantization_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <regex>

#include "util/error.h"

namespace infermark::model {
namespace {

using util::Json;

const Json* find(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

std::string string_or(const Json& j, std::string_view key, std::string fallback) {
  const Json* v = find(j, key);
  return v && v->is_string() ? v->get<std::string>() : fallback;
}

// Formats whose weights cannot be read here, with what they are.
std::optional<std::string_view> refused_format(std::string_view format) {
  if (format == "dense") return "weights stored unquantized (fake-quantized)";
  if (format == "marlin-24") return "2:4 sparse Marlin layout";
  if (format == "sparse-bitmask" || format == "sparse-24-bitmask") return "sparse weights";
  if (format == "nvfp4-pack-quantized") return "NVFP4";
  if (format == "mxfp4-pack-quantized") return "MXFP4";
  if (format != "int-quantized" && format != "naive-quantized" && format != "float-quantized" &&
      format != "pack-quantized") {
    return "an unknown compressed-tensors format";
  }
  return std::nullopt;
}

// A preset name used as a config_groups key with a list of targets (quant_scheme.py).
std::optional<Json> preset_scheme(std::string_view name) {
  const Json int8_channel = {{"num_bits", 8}, {"type", "int"}, {"strategy", "channel"}};
  const Json int4_group = {
      {"num_bits", 4}, {"type", "int"}, {"strategy", "group"}, {"group_size", 128}};
  if (name == "W8A8" || name == "INT8") {
    return Json{{"weights", int8_channel},
                {"input_activations",
                 {{"num_bits", 8}, {"type", "int"}, {"strategy", "token"}, {"dynamic", true}}}};
  }
  if (name == "W8A16") return Json{{"weights", int8_channel}};
  if (name == "W4A16") return Json{{"weights", int4_group}};
  if (name == "W4A16_ASYM") {
    Json w = int4_group;
    w["symmetric"] = false;
    return Json{{"weights", w}};
  }
  const Json fp8 = {{"num_bits", 8}, {"type", "float"}};
  if (name == "FP8") {
    Json w = fp8, a = fp8;
    w["strategy"] = "tensor", a["strategy"] = "tensor", a["dynamic"] = false;
    return Json{{"weights", w}, {"input_activations", a}};
  }
  if (name == "FP8_DYNAMIC") {
    Json w = fp8, a = fp8;
    w["strategy"] = "channel", a["strategy"] = "token", a["dynamic"] = true;
    return Json{{"weights", w}, {"input_activations", a}};
  }
  return std::nullopt;
}

// quant_args.py, as far as the weights and activations of a Linear need.
struct Args {
  int num_bits = 8;
  std::string type = "int";
  bool symmetric = true;
  std::string strategy;
  int64_t group_size = 0;
  bool dynamic = false;
  std::string actorder;  // "" when null/false
  bool block = false;
};

// Reads one args object. A malformed field (not an unsupported value) is an Error.
Args parse_args(const Json& j, const std::string& where) {
  if (!j.is_object()) throw Error::format("{}: expected an object", where);
  Args a;
  if (const Json* v = find(j, "num_bits")) {
    if (!v->is_number_integer()) throw Error::format("{}: num_bits must be an integer", where);
    a.num_bits = v->get<int>();
  }
  a.type = string_or(j, "type", "int");
  if (const Json* v = find(j, "symmetric")) {
    if (!v->is_boolean()) throw Error::format("{}: symmetric must be true or false", where);
    a.symmetric = v->get<bool>();
  }
  if (const Json* v = find(j, "group_size")) {
    if (!v->is_number_integer()) throw Error::format("{}: group_size must be an integer", where);
    a.group_size = v->get<int64_t>();
  }
  a.strategy = string_or(j, "strategy", "");
  if (a.strategy.empty()) {
    a.strategy = a.group_size > 0 ? "group" : a.group_size == -1 ? "channel" : "tensor";
  }
  if (const Json* v = find(j, "dynamic")) a.dynamic = !v->is_boolean() || v->get<bool>();
  if (const Json* v = find(j, "actorder")) {
    if (v->is_string()) a.actorder = v->get<std::string>();
    if (v->is_boolean() && v->get<bool>()) a.actorder = "group";
  }
  a.block = find(j, "block_structure") != nullptr;
  return a;
}

// The weight part of a scheme, or why it is refused.
std::string apply_weights(const Args& a, LinearQuantScheme& s) {
  if (a.dynamic) return "dynamic weight quantization";
  if (a.block || a.strategy == "block") return "block-wise scales (strategy 'block')";
  if (a.strategy != "tensor" && a.strategy != "channel" && a.strategy != "group") {
    return fmt::format("weight strategy '{}'", a.strategy);
  }
  if (a.actorder == "group" || a.actorder == "dynamic") {
    return fmt::format("actorder '{}' (group indices, weight_g_idx)", a.actorder);
  }
  if (!a.symmetric && a.strategy == "tensor") return "asymmetric per-tensor weights";
  s.num_bits = a.num_bits;
  s.symmetric = a.symmetric;
  s.strategy = a.strategy == "tensor"    ? ScaleStrategy::kTensor
               : a.strategy == "channel" ? ScaleStrategy::kChannel
                                         : ScaleStrategy::kGroup;
  if (s.strategy == ScaleStrategy::kGroup) {
    if (a.group_size <= 0) return fmt::format("group strategy with group_size {}", a.group_size);
    s.group_size = a.group_size;
  }
  if (a.type == "float") {
    if (a.num_bits != 8) return fmt::format("{}-bit float weights (FP4 and others)", a.num_bits);
    if (!a.symmetric) return "asymmetric FP8 weights";
    if (s.strategy == ScaleStrategy::kGroup) return "FP8 weights with group scales";
    s.weights = ops::WeightFormat::kFp8E4M3;
    return "";
  }
  if (a.type != "int") return fmt::format("weight type '{}'", a.type);
  if (a.num_bits != 4 && a.num_bits != 8) return fmt::format("{}-bit int weights", a.num_bits);
  s.weights = a.num_bits == 4 ? ops::WeightFormat::kInt4 : ops::WeightFormat::kInt8;
  return "";
}

// The activation part of a scheme, or why it is refused.
std::string apply_activations(const Json* j, const std::string& where, LinearQuantScheme& s) {
  if (!j) return "";
  const Args a = parse_args(*j, where);
  if (a.type == "float") {
    if (s.weights != ops::WeightFormat::kFp8E4M3) return "FP8 activations with int weights";
    if (a.num_bits != 8) return fmt::format("{}-bit float activations", a.num_bits);
    s.fp8_activations = true;
    s.static_input_scale = !a.dynamic;
    return "";
  }
  if (a.type != "int" || a.num_bits != 8) {
    return fmt::format("{}-bit {} activations", a.num_bits, a.type);
  }
  if (s.weights == ops::WeightFormat::kFp8E4M3) return "int8 activations with FP8 weights";
  if (!a.dynamic) return "static int8 activation scales (input_scale)";
  if (!a.symmetric) return "asymmetric int8 activations";
  if (a.strategy != "token") return fmt::format("int8 activations with strategy '{}'", a.strategy);
  s.activations = ops::ActivationFormat::kInt8PerToken;
  return "";
}

// The format a writer picks when none is stored (config/format.py).
std::string inferred_format(const LinearQuantScheme& s) {
  if (s.activations == ops::ActivationFormat::kFloat && !s.fp8_activations &&
      s.weights != ops::WeightFormat::kFp8E4M3) {
    return "pack-quantized";
  }
  if (s.weights == ops::WeightFormat::kFp8E4M3) return "float-quantized";
  return "int-quantized";
}

// The storage of a format for the scheme's weights, or why it is refused.
std::string apply_format(const std::string& format, LinearQuantScheme& s) {
  s.format = format.empty() ? inferred_format(s) : format;
  if (auto why = refused_format(s.format)) return fmt::format("format '{}' ({})", s.format, *why);
  const bool fp8 = s.weights == ops::WeightFormat::kFp8E4M3;
  if (s.format == "pack-quantized") {
    if (fp8) return "FP8 weights in format 'pack-quantized'";
    s.storage = QuantStorage::kPacked;
  } else if (s.format == "float-quantized" && !fp8) {
    return "int weights in format 'float-quantized'";
  } else if (s.format == "int-quantized" && fp8) {
    return "FP8 weights in format 'int-quantized'";
  }
  return "";
}

std::vector<std::string> string_list(const Json& j, const std::string& where) {
  if (!j.is_array()) throw Error::format("{}: expected a list of strings", where);
  std::vector<std::string> out;
  for (const Json& e : j) {
    if (!e.is_string()) throw Error::format("{}: expected a list of strings", where);
    out.push_back(e.get<std::string>());
  }
  return out;
}

bool nonempty(const Json* j) { return j && !(j->is_object() && j->empty()); }

}  // namespace

std::string LinearQuantScheme::describe() const {
  std::string scales = strategy == ScaleStrategy::kTensor    ? "per-tensor"
                       : strategy == ScaleStrategy::kChannel ? "per-channel"
                                                             : fmt::format("group {}", group_size);
  std::string acts = activations == ops::ActivationFormat::kInt8PerToken
                         ? "dynamic per-token int8 activations"
                     : fp8_activations ? "f32 activations (the checkpoint's FP8 activations)"
                                       : "f32 activations";
  return fmt::format("{} {} {} weights, {} ({})", ops::to_string(weights),
                     symmetric ? "symmetric" : "asymmetric", scales, acts, format);
}

bool quant_target_matches(std::string_view target, std::string_view module) {
  if (target == "Linear") return true;
  if (target.substr(0, 3) == "re:") {
    try {
      const std::regex re(std::string(target.substr(3)));
      return std::regex_search(module.begin(), module.end(), re,
                               std::regex_constants::match_continuous);
    } catch (const std::regex_error& e) {
      throw Error::format("quantization target '{}' is not a valid regular expression: {}",
                          target, e.what());
    }
  }
  return target == module;
}

std::optional<QuantizationConfig> QuantizationConfig::from_config_json(const Json& config,
                                                                       std::string_view origin) {
  QuantizationConfig q;
  for (const char* key : {"quantization_config", "compression_config"}) {
    if (const Json* v = find(config, key)) {
      q.key_ = key;
      q.json_ = *v;
      break;
    }
  }
  if (q.key_.empty()) return std::nullopt;
  q.origin_ = fmt::format("{}: {}", origin, q.key_);
  const Json& j = q.json_;
  const std::string& where = q.origin_;
  if (!j.is_object()) throw Error::format("{}: expected an object", where);
  const std::string method = string_or(j, "quant_method", "");
  if (method != "compressed-tensors") {
    throw Error::format("{}: quant_method '{}' is not supported (only compressed-tensors)", where,
                        method);
  }
  if (const Json* s = find(j, "sparsity_config"); nonempty(s)) {
    const std::string format = s->is_object() ? string_or(*s, "format", "") : "";
    if (format != "dense") {
      throw Error::format("{}: sparsity_config (format '{}', structure '{}') is not supported",
                          where, format, s->is_object() ? string_or(*s, "sparsity_structure", "") : "");
    }
  }
  if (nonempty(find(j, "transform_config"))) {
    throw Error::format("{}: transform_config (rotations) is not supported", where);
  }
  if (find(j, "kv_cache_scheme")) {
    throw Error::format("{}: kv_cache_scheme (quantized KV cache scales) is not supported", where);
  }
  if (const std::string status = string_or(j, "quantization_status", "compressed");
      status != "compressed") {
    throw Error::format(
        "{}: quantization_status '{}' is not supported (the weights must be stored compressed)",
        where, status);
  }
  if (const Json* ignore = find(j, "ignore")) q.ignore_ = string_list(*ignore, where + ".ignore");
  const Json* groups = find(j, "config_groups");
  if (!groups || !groups->is_object() || groups->empty()) {
    throw Error::format("{}: config_groups must be a non-empty object", where);
  }
  const std::string format = string_or(j, "format", "");
  for (const auto& [name, value] : groups->items()) {
    const std::string at = fmt::format("{}.config_groups.{}", where, name);
    Group g;
    g.name = name;
    Json scheme = value;
    if (value.is_array()) {  // a preset name with its targets
      g.targets = string_list(value, at);
      if (auto preset = preset_scheme(name)) {
        scheme = *preset;
      } else {
        g.unsupported = fmt::format("preset '{}'", name);
      }
    } else if (!value.is_object() || !find(value, "targets")) {
      throw Error::format("{}: expected an object with 'targets'", at);
    } else {
      g.targets = string_list(value["targets"], at + ".targets");
    }
    if (g.unsupported.empty()) {
      LinearQuantScheme s;
      s.group = name;
      const Json* weights = find(scheme, "weights");
      if (!weights) {
        g.unsupported = "no weight quantization (activation-only)";
      } else if (find(scheme, "output_activations")) {
        g.unsupported = "output activation quantization";
      } else {
        g.unsupported = apply_weights(parse_args(*weights, at + ".weights"), s);
      }
      if (g.unsupported.empty()) {
        g.unsupported =
            apply_activations(find(scheme, "input_activations"), at + ".input_activations", s);
      }
      if (g.unsupported.empty()) {
        const std::string group_format = string_or(scheme, "format", "");
        g.unsupported = apply_format(
            !group_format.empty() || format == "mixed-precision" ? group_format : format, s);
      }
      if (g.unsupported.empty()) g.scheme = s;
    }
    q.groups_.push_back(std::move(g));
  }
  return q;
}

std::optional<LinearQuantScheme> QuantizationConfig::scheme_for(std::string_view module) const {
  for (const std::string& t : ignore_) {
    if (quant_target_matches(t, module)) return std::nullopt;
  }
  const Group* chosen = nullptr;
  for (const Group& g : groups_) {
    const bool hit = std::any_of(g.targets.begin(), g.targets.end(),
                                 [&](const std::string& t) { return quant_target_matches(t, module); });
    if (!hit) continue;
    if (chosen) {
      throw Error::format("{}: Linear '{}' is targeted by both config group '{}' and '{}'", origin_,
                          module, chosen->name, g.name);
    }
    chosen = &g;
  }
  if (!chosen) return std::nullopt;
  if (!chosen->scheme) {
    throw Error::format(
        "{}: config group '{}' (targets {}) is not supported for Linear '{}': {}", origin_,
        chosen->name, fmt::join(chosen->targets, ", "), module, chosen->unsupported);
  }
  return chosen->scheme;
}

}  // namespace infermark::model
