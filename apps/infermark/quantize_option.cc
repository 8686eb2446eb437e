#include "quantize_option.h"

#include <fmt/format.h>

#include <optional>

#include "util/error.h"

namespace infermark::cli {
namespace {

std::optional<model::LoadQuantization> parse(const std::string& value, std::string_view flag,
                                             std::string_view command) {
  if (value.empty()) return std::nullopt;
  std::optional<model::LoadQuantization> q = model::load_quantization(value);
  if (!q) {
    throw Error::format("{}: {} '{}' is not one of {}", command, flag, value,
                        model::kLoadQuantizationNames);
  }
  return q;
}

}  // namespace

std::string QuantizeFlags::command_line() const {
  std::string s;
  if (!layers.empty()) s = "--quantize " + layers;
  if (!lm_head.empty()) s += (s.empty() ? "" : " ") + std::string("--quantize-lm-head ") + lm_head;
  return s;
}

void add_quantize_options(CLI::App& app, QuantizeFlags& flags) {
  app.add_option(
      "--quantize", flags.layers,
      "quantize a float checkpoint's layer weights at load: int8 | w8a8 (int8 weights "
      "and per-token int8 activations) | int4 (group 128) | w4a8 (int4 group 128 weights "
      "and per-token int8 activations) | fp8 (e4m3); lm_head stays");
  app.add_option("--quantize-lm-head", flags.lm_head,
                 "quantize a float lm_head (the tied embedding's matrix) at load, also under a "
                 "quantized checkpoint: int8 | w8a8 | int4 | w4a8 | fp8");
}

model::LoadOptions load_options(const QuantizeFlags& flags, std::string_view command) {
  model::LoadOptions o;
  o.quantize = parse(flags.layers, "--quantize", command);
  o.quantize_lm_head = parse(flags.lm_head, "--quantize-lm-head", command);
  return o;
}

}  // namespace infermark::cli
