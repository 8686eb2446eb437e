// config.json (and generation_config.json): arbitrary text parsed as JSON and read as a Llama
// config. Whatever Config::from_json accepts must be a usable shape.
#include "fuzz_target.h"
#include "model/config.h"
#include "util/error.h"
#include "util/json.h"

IM_FUZZ_TARGET(model_config) {
  using namespace infermark;
  try {
    const util::Json j = util::parse_json(fuzz::as_text(data, size), "config.json");
    try {
      (void)model::Config::from_json(j, "config.json");
    } catch (const Error&) {
    }
    (void)model::GenerationConfig::from_json(j, "generation_config.json");
  } catch (const Error&) {
  }
}
