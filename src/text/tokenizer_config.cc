// tokenizer_config.json and generation_config.json: the special-token metadata transformers
// reads beside tokenizer.json.
#include "text/tokenizer_config.h"

#include <limits>
#include <optional>
#include <string>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::text {
namespace {

using util::Json;

int32_t eos_id(const Json& j, std::string_view origin) {
  if (!j.is_number_integer() || j.get<int64_t>() < 0 ||
      j.get<int64_t>() >= std::numeric_limits<int32_t>::max()) {
    throw Error::format("{}: eos_token_id: expected token ids (integers >= 0), got {}", origin,
                        j.dump());
  }
  return static_cast<int32_t>(j.get<int64_t>());
}

// A tokenizer_config.json token entry: a string, an AddedToken-like object, or null.
std::optional<std::string> config_token(const Json& cfg, const char* key, std::string_view origin) {
  auto it = cfg.find(key);
  if (it == cfg.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
    return (*it)["content"].get<std::string>();
  }
  throw Error::format("{}: {}: expected a string or an object with 'content'", origin, key);
}

void add_eos(Tokenizer::Impl& impl, int32_t id) {
  for (int32_t e : impl.eos_ids) {
    if (e == id) return;
  }
  impl.eos_ids.push_back(id);
}

}  // namespace

void load_tokenizer_config(std::string_view text, std::string_view origin, Tokenizer::Impl& impl) {
  const Json cfg = util::parse_json(text, origin);
  if (!cfg.is_object()) throw Error::format("{}: expected a JSON object", origin);
  if (auto it = cfg.find("clean_up_tokenization_spaces"); it != cfg.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      throw Error::format("{}: clean_up_tokenization_spaces must be true or false", origin);
    }
    impl.clean_up_spaces = it->get<bool>();
  }
  if (auto bos = config_token(cfg, "bos_token", origin)) {
    auto id = impl.find_token(*bos);
    if (!id) throw Error::format("{}: bos_token: \"{}\" is not a token", origin, *bos);
    impl.bos_id = *id;
    impl.bos_token = *bos;
  }
  if (auto eos = config_token(cfg, "eos_token", origin)) {
    auto id = impl.find_token(*eos);
    if (!id) throw Error::format("{}: eos_token: \"{}\" is not a token", origin, *eos);
    add_eos(impl, *id);
  }
}

void load_generation_config(const std::filesystem::path& path, Tokenizer::Impl& impl) {
  const std::string origin = path.string();
  const Json cfg = util::parse_json(util::read_file(path), origin);
  if (!cfg.is_object() || !cfg.contains("eos_token_id")) return;
  const Json& eos = cfg["eos_token_id"];
  if (eos.is_array()) {
    for (const Json& id : eos) add_eos(impl, eos_id(id, origin));
  } else if (!eos.is_null()) {
    add_eos(impl, eos_id(eos, origin));
  }
}

}  // namespace infermark::text
