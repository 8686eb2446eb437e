// A nlohmann SAX handler with three modes: building a tree (the default), inside model.vocab
// (collecting key -> integer pairs) and inside model.merges (collecting strings or string pairs).
// Containers under construction are tracked by pointer; a parent never grows while a child is
// open, so the pointers stay valid.
#include "text/tokenizer_json_reader.h"

#include <limits>

#include "util/error.h"

namespace infermark::text {
namespace {

using util::Json;

class Reader : public nlohmann::json_sax<Json> {
 public:
  Reader(std::string_view origin, TokenizerJsonParts& out) : origin_(origin), out_(out) {}

  bool null() override { return scalar(Json(nullptr)); }
  bool boolean(bool v) override { return scalar(Json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return scalar(Json(v)); }
  bool binary(binary_t& v) override { return scalar(Json(v)); }
  bool number_integer(number_integer_t v) override {
    return mode_ == Mode::kVocab ? vocab_id(v) : scalar(Json(v));
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (mode_ == Mode::kVocab) {
      return vocab_id(v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                          ? -1
                          : static_cast<int64_t>(v));
    }
    return scalar(Json(v));
  }
  bool string(string_t& v) override {
    if (mode_ == Mode::kMerges) return legacy_merge(v);
    if (mode_ == Mode::kMergePair) {
      pair_.push_back(std::move(v));
      return true;
    }
    return scalar(Json(std::move(v)));
  }

  bool start_object(std::size_t) override {
    if (mode_ == Mode::kTree && in_model() && key_ == "vocab") {
      mode_ = Mode::kVocab;
      out_.has_vocab = true;
      return true;
    }
    return open(Json::object());
  }
  bool key(string_t& k) override {
    key_ = std::move(k);
    return true;
  }
  bool end_object() override {
    if (mode_ == Mode::kVocab) {
      mode_ = Mode::kTree;
      return true;
    }
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    if (mode_ == Mode::kTree && in_model() && key_ == "merges") {
      mode_ = Mode::kMerges;
      out_.has_merges = true;
      return true;
    }
    if (mode_ == Mode::kMerges) {
      mode_ = Mode::kMergePair;
      pair_.clear();
      return true;
    }
    return open(Json::array());
  }
  bool end_array() override {
    if (mode_ == Mode::kMergePair) {
      if (pair_.size() != 2) bad_merge();
      out_.merges.emplace_back(std::move(pair_[0]), std::move(pair_[1]));
      ++merge_index_;
      mode_ = Mode::kMerges;
      return true;
    }
    if (mode_ == Mode::kMerges) {
      mode_ = Mode::kTree;
      return true;
    }
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    throw Error::format("{}: invalid JSON: {}", origin_, e.what());
  }

 private:
  enum class Mode { kTree, kVocab, kMerges, kMergePair };

  // Directly inside the root's "model" object.
  bool in_model() const { return stack_.size() == 2 && keys_[1] == "model"; }

  Json* insert(Json value) {
    if (stack_.empty()) {
      out_.root = std::move(value);
      return &out_.root;
    }
    Json& parent = *stack_.back();
    if (parent.is_object()) return &(parent[key_] = std::move(value));
    parent.push_back(std::move(value));
    return &parent.back();
  }
  bool open(Json container) {
    if (mode_ != Mode::kTree) return wrong_type();
    const std::string key = !stack_.empty() && stack_.back()->is_object() ? key_ : std::string();
    stack_.push_back(insert(std::move(container)));
    keys_.resize(stack_.size());
    keys_.back() = key;
    return true;
  }
  bool scalar(Json value) {
    if (mode_ != Mode::kTree) return wrong_type();
    insert(std::move(value));
    return true;
  }
  bool wrong_type() {
    if (mode_ == Mode::kVocab) vocab_id(-1);
    bad_merge();
    return false;
  }
  bool vocab_id(int64_t id) {
    if (id < 0 || id >= std::numeric_limits<int32_t>::max()) {
      throw Error::format("{}: model.vocab[\"{}\"]: expected a token id (integer >= 0)", origin_,
                          key_);
    }
    out_.vocab.emplace_back(std::move(key_), static_cast<int32_t>(id));
    return true;
  }
  bool legacy_merge(const std::string& s) {
    if (merge_index_ == 0 && out_.merges.empty() && s.starts_with("#version")) {
      ++merge_index_;
      return true;
    }
    const size_t space = s.find(' ');
    if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos) {
      throw Error::format(
          "{}: model.merges[{}]: expected two tokens separated by one space, "
          "got \"{}\"",
          origin_, merge_index_, s);
    }
    out_.merges.emplace_back(s.substr(0, space), s.substr(space + 1));
    ++merge_index_;
    return true;
  }
  [[noreturn]] void bad_merge() {
    throw Error::format("{}: model.merges[{}]: expected \"a b\" or [\"a\", \"b\"]", origin_,
                        merge_index_);
  }

  std::string_view origin_;
  TokenizerJsonParts& out_;
  Mode mode_ = Mode::kTree;
  std::vector<Json*> stack_;       // open containers, outermost first
  std::vector<std::string> keys_;  // the key each open container was stored under
  std::string key_;                // the last object key seen
  std::vector<std::string> pair_;  // strings of the merge pair being read
  size_t merge_index_ = 0;         // index in model.merges of the entry being read
};

}  // namespace

TokenizerJsonParts read_tokenizer_json(std::string_view text, std::string_view origin) {
  TokenizerJsonParts parts;
  Reader reader(origin, parts);
  nlohmann::json::sax_parse(text.begin(), text.end(), &reader);
  return parts;
}

}  // namespace infermark::text
