// Parsing and validation of tokenizer.json, tokenizer_config.json and generation_config.json
// into Tokenizer::Impl. Everything a file could get wrong is reported as an infermark::Error
// naming the file and the JSON field; components this tokenizer does not implement (another
// pre-tokenizer, a normalizer, ...) are rejected rather than silently ignored.
#include <algorithm>
#include <limits>
#include <memory>
#include <span>
#include <string>

#include "text/byte_level.h"
#include "text/pre_tokenizer.h"
#include "text/tokenizer_config.h"
#include "text/tokenizer_impl.h"
#include "text/tokenizer_json_reader.h"
#include "text/utf8.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::text {
namespace {

using util::Json;

// Token ids index dense tables (kind, spelling, bytes): ids may leave at most this many gaps, so
// that an id near INT32_MAX in a hostile file is an error, not a tens-of-GB allocation.
constexpr size_t kMaxUnusedIds = size_t{1} << 16;

std::string type_of(const Json& j, std::string_view origin, std::string_view field) {
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
    throw Error::format("{}: {}: expected an object with a string 'type'", origin, field);
  }
  return j["type"].get<std::string>();
}

// obj[key], or null when obj is not an object or has no such key (never throws).
const Json& member(const Json& obj, const std::string& key) {
  static const Json kNull;
  if (!obj.is_object()) return kNull;
  const auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

bool bool_or(const Json& obj, const char* key, bool fallback, std::string_view origin,
             std::string_view field) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw Error::format("{}: {}.{} must be true or false", origin, field, key);
  return it->get<bool>();
}

bool null_or_empty(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty());
}

int32_t token_id(const Json& j, std::string_view origin, std::string_view field) {
  if (!j.is_number_integer() || j.get<int64_t>() < 0 ||
      j.get<int64_t>() >= std::numeric_limits<int32_t>::max()) {
    throw Error::format("{}: {}: expected a token id (integer >= 0), got {}", origin, field,
                        j.dump());
  }
  return static_cast<int32_t>(j.get<int64_t>());
}

void check_normalizer(const Json& root, std::string_view origin) {
  auto it = root.find("normalizer");
  if (it != root.end() && !it->is_null()) {
    throw Error::format("{}: normalizer: only null is supported (got type '{}')", origin,
                        type_of(*it, origin, "normalizer"));
  }
}

// Accepts exactly the Llama-3 pre-tokenizer: Sequence[Split(pattern, Isolated), ByteLevel(no
// regex, no prefix space)].
void check_pre_tokenizer(const Json& root, std::string_view origin) {
  const std::string unsupported = fmt::format(
      "{}: pre_tokenizer: only the Llama-3 one is supported (Sequence of Split with the Llama-3 "
      "pattern, behavior Isolated, and ByteLevel with use_regex false)",
      origin);
  auto it = root.find("pre_tokenizer");
  if (it == root.end() || type_of(*it, origin, "pre_tokenizer") != "Sequence") {
    throw Error(unsupported);
  }
  const auto seq = it->find("pretokenizers");
  if (seq == it->end() || !seq->is_array() || seq->size() != 2) throw Error(unsupported);
  const Json& split = (*seq)[0];
  const Json& byte_level = (*seq)[1];
  if (type_of(split, origin, "pre_tokenizer.pretokenizers[0]") != "Split" ||
      type_of(byte_level, origin, "pre_tokenizer.pretokenizers[1]") != "ByteLevel") {
    throw Error(unsupported);
  }
  const Json& regex = member(member(split, "pattern"), "Regex");
  if (!regex.is_string() || regex.get_ref<const std::string&>() != kLlama3SplitPattern) {
    throw Error::format("{}: pre_tokenizer.pretokenizers[0].pattern: not the Llama-3 pattern",
                        origin);
  }
  const Json& behavior = member(split, "behavior");
  if (!behavior.is_string() || behavior.get_ref<const std::string&>() != "Isolated" ||
      bool_or(split, "invert", false, origin, "pre_tokenizer.pretokenizers[0]")) {
    throw Error::format(
        "{}: pre_tokenizer.pretokenizers[0]: behavior must be Isolated, invert "
        "false",
        origin);
  }
  const std::string_view bl = "pre_tokenizer.pretokenizers[1]";
  if (bool_or(byte_level, "use_regex", true, origin, bl) ||
      bool_or(byte_level, "add_prefix_space", true, origin, bl)) {
    throw Error::format("{}: {}: use_regex and add_prefix_space must be false", origin, bl);
  }
}

void check_decoder(const Json& root, std::string_view origin) {
  auto it = root.find("decoder");
  if (it == root.end() || it->is_null() || type_of(*it, origin, "decoder") != "ByteLevel") {
    throw Error::format("{}: decoder: only ByteLevel is supported", origin);
  }
}

void load_vocab(TokenizerJsonParts& parts, std::string_view origin, Tokenizer::Impl& impl) {
  if (!parts.has_vocab || parts.vocab.empty()) {
    throw Error::format("{}: model.vocab: missing or empty", origin);
  }
  int32_t max_id = 0;
  for (const auto& entry : parts.vocab) max_id = std::max(max_id, entry.second);
  if (static_cast<size_t>(max_id) >= parts.vocab.size() + kMaxUnusedIds) {
    throw Error::format(
        "{}: model.vocab: id {} is far beyond the {} tokens listed (ids must be dense, with at "
        "most {} unused)",
        origin, max_id, parts.vocab.size(), kMaxUnusedIds);
  }
  impl.vocab_spelling.reserve(parts.vocab.size());
  impl.bpe.reserve(parts.vocab.size(), parts.merges.size());
  impl.kind.assign(static_cast<size_t>(max_id) + 1, TokenKind::kNone);
  impl.spelling.assign(static_cast<size_t>(max_id) + 1, std::string());
  for (auto& [spelling, id] : parts.vocab) {
    const std::optional<std::string> bytes = from_byte_level(spelling);
    if (!bytes || bytes->empty()) {
      throw Error::format("{}: model.vocab: token \"{}\" is not in the byte-level alphabet", origin,
                          spelling);
    }
    if (impl.kind[id] != TokenKind::kNone) {
      throw Error::format("{}: model.vocab: id {} is used twice", origin, id);
    }
    if (!impl.vocab_spelling.insert(spelling, id)) {
      throw Error::format("{}: model.vocab: token \"{}\" is listed twice", origin, spelling);
    }
    impl.kind[id] = TokenKind::kBpe;
    impl.bpe.add_token(*bytes, id);
    impl.spelling[id] = std::move(spelling);
  }
  parts.vocab = {};
}

int32_t merge_part(const Tokenizer::Impl& impl, std::string_view part, std::string_view origin,
                   size_t index) {
  const int32_t id = impl.vocab_spelling.find(part);
  if (id < 0) {
    throw Error::format("{}: model.merges[{}]: token \"{}\" is not in the vocab", origin, index,
                        part);
  }
  return id;
}

void load_merges(TokenizerJsonParts& parts, std::string_view origin, Tokenizer::Impl& impl) {
  if (!parts.has_merges) throw Error::format("{}: model.merges: missing", origin);
  std::string joined;
  for (size_t i = 0; i < parts.merges.size(); ++i) {
    const auto& [left, right] = parts.merges[i];
    const int32_t l = merge_part(impl, left, origin, i);
    const int32_t r = merge_part(impl, right, origin, i);
    joined.assign(left);
    joined.append(right);
    const int32_t merged = merge_part(impl, joined, origin, i);
    impl.bpe.add_merge(l, r, merged);  // a repeated pair keeps its first (lowest) rank
  }
  parts.merges = {};
}

void load_model(TokenizerJsonParts& parts, std::string_view origin, Tokenizer::Impl& impl) {
  auto it = parts.root.find("model");
  if (it == parts.root.end() || !it->is_object()) {
    throw Error::format("{}: model: missing or not an object", origin);
  }
  const Json& model = *it;
  if (model.contains("type") && model["type"] != "BPE") {
    throw Error::format("{}: model.type: only BPE is supported, got {}", origin,
                        model["type"].dump());
  }
  if (!null_or_empty(model, "continuing_subword_prefix") ||
      !null_or_empty(model, "end_of_word_suffix")) {
    throw Error::format(
        "{}: model: continuing_subword_prefix and end_of_word_suffix are not "
        "supported",
        origin);
  }
  auto dropout = model.find("dropout");
  if (dropout != model.end() && !dropout->is_null() &&
      !(dropout->is_number() && dropout->get<double>() == 0.0)) {
    throw Error::format("{}: model.dropout: only null is supported", origin);
  }
  impl.bpe.set_ignore_merges(bool_or(model, "ignore_merges", false, origin, "model"));
  load_vocab(parts, origin, impl);
  load_merges(parts, origin, impl);
  if (const int b = impl.bpe.missing_byte(); b >= 0) {
    throw Error::format("{}: model.vocab: no token for byte 0x{:02X} (\"{}\")", origin, b,
                        to_byte_level(std::string(1, static_cast<char>(b))));
  }
}

AddedToken parse_added_token(const Json& j, std::string_view origin, size_t index) {
  const std::string field = fmt::format("added_tokens[{}]", index);
  if (!j.is_object()) throw Error::format("{}: {}: expected an object", origin, field);
  AddedToken t;
  t.id = token_id(j.value("id", Json{}), origin, field + ".id");
  const Json content = j.value("content", Json{});
  if (!content.is_string() || content.get<std::string>().empty() ||
      !is_valid_utf8(content.get<std::string>())) {
    throw Error::format("{}: {}.content: expected a non-empty string", origin, field);
  }
  t.content = content.get<std::string>();
  t.special = bool_or(j, "special", false, origin, field);
  t.lstrip = bool_or(j, "lstrip", false, origin, field);
  t.rstrip = bool_or(j, "rstrip", false, origin, field);
  t.normalized = bool_or(j, "normalized", true, origin, field);
  if (bool_or(j, "single_word", false, origin, field)) {
    throw Error::format("{}: {}.single_word: true is not supported", origin, field);
  }
  return t;
}

void load_added_tokens(const Json& root, std::string_view origin, Tokenizer::Impl& impl) {
  auto it = root.find("added_tokens");
  if (it == root.end() || it->is_null()) return;
  if (!it->is_array()) throw Error::format("{}: added_tokens: expected an array", origin);
  std::vector<AddedToken> tokens;
  const size_t id_limit = impl.kind.size() + it->size() + kMaxUnusedIds;
  for (size_t i = 0; i < it->size(); ++i) {
    AddedToken t = parse_added_token((*it)[i], origin, i);
    if (static_cast<size_t>(t.id) >= id_limit) {
      throw Error::format(
          "{}: added_tokens[{}].id: {} is far beyond the {} tokens listed (ids must be dense, "
          "with at most {} unused)",
          origin, i, t.id, impl.kind.size() + it->size(), kMaxUnusedIds);
    }
    if (t.id >= impl.vocab_size()) {
      impl.kind.resize(static_cast<size_t>(t.id) + 1, TokenKind::kNone);
      impl.spelling.resize(static_cast<size_t>(t.id) + 1);
    }
    impl.kind[t.id] = t.special ? TokenKind::kSpecial : TokenKind::kAdded;
    impl.spelling[t.id] = t.content;
    impl.added_content[t.content] = t.id;
    tokens.push_back(std::move(t));
  }
  impl.added = AddedVocabulary(tokens);
}

void load_template(const Json& tp, std::string_view origin, Tokenizer::Impl& impl) {
  const Json single = tp.value("single", Json{});
  const Json specials = tp.value("special_tokens", Json::object());
  if (!single.is_array()) {
    throw Error::format("{}: post_processor: TemplateProcessing.single must be an array", origin);
  }
  impl.prefix_ids.clear();
  impl.suffix_ids.clear();
  bool seen_sequence = false;
  for (const Json& item : single) {
    if (item.contains("Sequence")) {
      seen_sequence = true;
      continue;
    }
    const Json& name = member(member(item, "SpecialToken"), "id");
    const Json& ids = name.is_string()
                          ? member(member(specials, name.get_ref<const std::string&>()), "ids")
                          : name;
    if (!ids.is_array()) {
      throw Error::format("{}: post_processor: template item {} names no entry of special_tokens",
                          origin, item.dump());
    }
    for (const Json& id : ids) {
      const int32_t v = token_id(id, origin, "post_processor.special_tokens");
      (seen_sequence ? impl.suffix_ids : impl.prefix_ids).push_back(v);
    }
  }
}

void load_post_processor(const Json& pp, std::string_view origin, Tokenizer::Impl& impl) {
  if (pp.is_null()) return;
  const std::string type = type_of(pp, origin, "post_processor");
  if (type == "Sequence") {
    const Json processors = pp.value("processors", Json{});
    if (!processors.is_array()) {
      throw Error::format("{}: post_processor.processors: expected an array", origin);
    }
    for (const Json& p : processors) load_post_processor(p, origin, impl);
  } else if (type == "TemplateProcessing") {
    load_template(pp, origin, impl);
  } else if (type != "ByteLevel") {  // ByteLevel only adjusts offsets
    throw Error::format("{}: post_processor: type '{}' is not supported", origin, type);
  }
}

// Precomputes the bytes each id decodes to.
void build_decode_table(Tokenizer::Impl& impl) {
  impl.bytes_offset.assign(impl.kind.size() + 1, 0);
  for (size_t id = 0; id < impl.kind.size(); ++id) {
    impl.bytes_offset[id] = static_cast<uint32_t>(impl.bytes_arena.size());
    if (impl.kind[id] == TokenKind::kBpe) {
      impl.bytes_arena += *from_byte_level(impl.spelling[id]);
    } else if (impl.kind[id] != TokenKind::kNone) {
      impl.bytes_arena += impl.spelling[id];
    }
  }
  impl.bytes_offset.back() = static_cast<uint32_t>(impl.bytes_arena.size());
}

}  // namespace

std::optional<int32_t> Tokenizer::Impl::find_token(std::string_view token) const {
  if (auto it = added_content.find(std::string(token)); it != added_content.end()) {
    return it->second;
  }
  const int32_t id = vocab_spelling.find(token);
  return id >= 0 ? std::optional<int32_t>(id) : std::nullopt;
}

namespace {

void check_ids(const Tokenizer::Impl& impl, std::span<const int32_t> ids, std::string_view origin,
               std::string_view field) {
  for (int32_t id : ids) {
    if (id >= impl.vocab_size() || impl.kind[id] == TokenKind::kNone) {
      throw Error::format("{}: {}: id {} is not a token", origin, field, id);
    }
  }
}

std::shared_ptr<Tokenizer::Impl> build(std::string_view tokenizer_json, std::string_view origin,
                                       std::string_view config_json,
                                       std::string_view config_origin) {
  auto impl = std::make_shared<Tokenizer::Impl>();
  {
    TokenizerJsonParts parts = read_tokenizer_json(tokenizer_json, origin);
    const Json& root = parts.root;
    if (!root.is_object()) throw Error::format("{}: expected a JSON object", origin);
    check_normalizer(root, origin);
    check_pre_tokenizer(root, origin);
    check_decoder(root, origin);
    load_model(parts, origin, *impl);
    load_added_tokens(root, origin, *impl);
    load_post_processor(root.value("post_processor", Json{}), origin, *impl);
  }
  check_ids(*impl, impl->prefix_ids, origin, "post_processor");
  check_ids(*impl, impl->suffix_ids, origin, "post_processor");
  if (!impl->prefix_ids.empty()) impl->bos_id = impl->prefix_ids.front();
  build_decode_table(*impl);
  if (!config_json.empty()) load_tokenizer_config(config_json, config_origin, *impl);
  return impl;
}

}  // namespace

Tokenizer Tokenizer::from_json(std::string_view tokenizer_json, std::string_view origin,
                               std::string_view config_json, std::string_view config_origin) {
  return Tokenizer(build(tokenizer_json, origin, config_json, config_origin));
}

Tokenizer Tokenizer::load(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path json_path = fs::is_directory(path, ec) ? path / "tokenizer.json" : path;
  const fs::path dir = json_path.parent_path();
  const fs::path config_path = dir / "tokenizer_config.json";
  std::string config;
  if (fs::exists(config_path, ec)) config = util::read_file(config_path);
  auto impl = build(util::read_file(json_path), json_path.string(), config, config_path.string());
  const fs::path gen_path = dir / "generation_config.json";
  if (fs::exists(gen_path, ec)) {
    load_generation_config(gen_path, *impl);
    check_ids(*impl, impl->eos_ids, gen_path.string(), "eos_token_id");
  }
  return Tokenizer(std::move(impl));
}

}  // namespace infermark::text
