#include "quantize_option.h"

#include "util/error.h"

namespace infermark::cli {

void add_quantize_option(CLI::App& app, std::string& value) {
  app.add_option("--quantize", value,
                 "quantize a float checkpoint's layer weights at load: int8 | w8a8 (int8 weights "
                 "and per-token int8 activations) | int4 (group 128) | fp8 (e4m3); lm_head stays");
}

model::LoadOptions load_options(const std::string& quantize, std::string_view command) {
  model::LoadOptions o;
  if (quantize.empty()) return o;
  o.quantize = model::load_quantization(quantize);
  if (!o.quantize) {
    throw Error::format("{}: --quantize '{}' is not one of {}", command, quantize,
                        model::kLoadQuantizationNames);
  }
  return o;
}

}  // namespace infermark::cli
