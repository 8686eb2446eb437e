#include "sut/http/chunk_decoder.h"

#include <fmt/format.h>

namespace infermark::sut::http {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// Reads into `out` what one field of a chunk says; false (with out.error set) on a shape error.
class FieldReader {
 public:
  FieldReader(std::vector<int32_t>& ids, std::string* text, Chunk& out)
      : ids_(ids), text_(text), out_(out) {}

  bool top_level(std::string_view key, od::value v);
  bool server_error() const { return error_object_ || !out_.error.empty(); }
  void finish_error();

 private:
  bool ids(od::value v, std::string_view what);
  bool text(od::value v, std::string_view what);
  bool choices(od::value v);
  bool choice(od::object c);
  bool usage(od::value v);
  bool error(od::value v);
  bool fail(std::string_view what) {
    out_.error = fmt::format("{}", what);
    return false;
  }

  std::vector<int32_t>& ids_;
  std::string* text_;
  Chunk& out_;
  bool error_object_ = false;   // "object": "error"
  std::string object_message_;  // its "message"
};

bool FieldReader::ids(od::value v, std::string_view what) {
  od::array a;
  if (v.get_array().get(a)) return fail(fmt::format("'{}' is not an array", what));
  for (auto element : a) {
    int64_t id;
    if (element.get_int64().get(id)) return fail(fmt::format("'{}' holds a non-integer", what));
    if (id < 0 || id > INT32_MAX) return fail(fmt::format("'{}' holds token id {}", what, id));
    ids_.push_back(static_cast<int32_t>(id));
    ++out_.new_ids;
  }
  return true;
}

bool FieldReader::text(od::value v, std::string_view what) {
  bool null = false;
  if (!v.is_null().get(null) && null) return true;
  std::string_view s;
  if (v.get_string().get(s)) return fail(fmt::format("'{}' is not a string", what));
  if (s.empty()) return true;
  out_.has_text = true;
  if (text_) text_->append(s);
  return true;
}

bool FieldReader::choice(od::object c) {
  for (auto field : c) {
    std::string_view key;
    od::value v;
    if (field.unescaped_key().get(key) || field.value().get(v)) return fail("bad choice");
    if (key == "token_ids") {
      bool null = false;
      if (!v.is_null().get(null) && null) continue;
      if (!ids(v, "choices[].token_ids")) return false;
    } else if (key == "text") {
      if (!text(v, "choices[].text")) return false;
    } else if (key == "delta" || key == "message") {
      od::object o;
      if (v.get_object().get(o)) return fail(fmt::format("'choices[].{}' is not an object", key));
      for (auto inner : o) {
        std::string_view inner_key;
        od::value inner_value;
        if (inner.unescaped_key().get(inner_key) || inner.value().get(inner_value)) {
          return fail("bad delta");
        }
        if (inner_key == "content" && !text(inner_value, "choices[].delta.content")) return false;
      }
    } else if (key == "finish_reason") {
      bool null = false;
      if (v.is_null().get(null)) return fail("bad finish_reason");
      if (!null) out_.finished = true;
    }
  }
  return true;
}

bool FieldReader::choices(od::value v) {
  od::array a;
  if (v.get_array().get(a)) return fail("'choices' is not an array");
  for (auto element : a) {
    od::object c;
    if (element.get_object().get(c)) return fail("'choices' holds a non-object");
    if (!choice(c)) return false;
  }
  return true;
}

bool FieldReader::usage(od::value v) {
  bool null = false;
  if (!v.is_null().get(null) && null) return true;
  od::object o;
  if (v.get_object().get(o)) return fail("'usage' is not an object");
  for (auto field : o) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return fail("bad usage");
    if (key == "completion_tokens") {
      int64_t n;
      if (field.value().get_int64().get(n) || n < 0) {
        return fail("'usage.completion_tokens' is not a count");
      }
      out_.usage_tokens = n;
    }
  }
  return true;
}

bool FieldReader::error(od::value v) {
  bool null = false;
  if (!v.is_null().get(null) && null) return true;
  std::string_view s;
  od::object o;
  if (!v.get_string().get(s)) {
    out_.error = std::string(s.empty() ? "(empty error)" : s);
    return true;
  }
  if (v.get_object().get(o)) return fail("'error' is neither a string nor an object");
  std::string message, type;
  for (auto field : o) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return fail("bad error object");
    std::string_view value;
    if (key == "message" && !field.value().get_string().get(value)) message = value;
    if (key == "type" && !field.value().get_string().get(value)) type = value;
  }
  out_.error = message.empty() ? (type.empty() ? "(error without a message)" : type) : message;
  if (!type.empty() && !message.empty()) out_.error += " (" + type + ")";
  return true;
}

bool FieldReader::top_level(std::string_view key, od::value v) {
  if (key == "choices") return choices(v);
  if (key == "usage") return usage(v);
  if (key == "error") return error(v);
  if (key == "tokens") return ids(v, "tokens");
  if (key == "content") return text(v, "content");
  if (key == "object" || key == "message") {
    std::string_view s;
    if (v.get_string().get(s)) return true;  // another shape: not ours to judge
    if (key == "object" && s == "error") error_object_ = true;
    if (key == "message") object_message_ = s;
    return true;
  }
  if (key == "stop") {
    bool stop = false;
    if (!v.get_bool().get(stop) && stop) out_.finished = true;
    return true;
  }
  if (key == "tokens_predicted") {
    int64_t n;
    if (v.get_int64().get(n) || n < 0) return fail("'tokens_predicted' is not a count");
    out_.usage_tokens = n;
  }
  return true;
}

void FieldReader::finish_error() {
  if (error_object_ && out_.error.empty()) {
    out_.error = object_message_.empty() ? "(error object without a message)" : object_message_;
  }
}

}  // namespace

ChunkStatus ChunkDecoder::decode(std::string_view json, size_t capacity, std::vector<int32_t>& ids,
                                 std::string* text, Chunk& out) {
  out = Chunk{};
  const size_t ids_before = ids.size();
  const size_t text_before = text ? text->size() : 0;
  auto malformed = [&](std::string what) {
    ids.resize(ids_before);
    if (text) text->resize(text_before);
    out.new_ids = 0;
    std::string_view head = json.substr(0, 120);
    out.error = fmt::format("{} in '{}{}'", what, head, json.size() > head.size() ? "..." : "");
    return ChunkStatus::kMalformed;
  };
  od::document doc;
  if (parser_.iterate(json.data(), json.size(), capacity).get(doc)) {
    return malformed("invalid JSON");
  }
  od::object obj;
  if (doc.get_object().get(obj)) return malformed("not a JSON object");
  FieldReader reader(ids, text, out);
  for (auto field : obj) {
    std::string_view key;
    od::value value;
    if (field.unescaped_key().get(key) || field.value().get(value)) {
      return malformed("invalid JSON");
    }
    if (!reader.top_level(key, value)) return malformed(out.error);
  }
  reader.finish_error();
  return out.error.empty() ? ChunkStatus::kOk : ChunkStatus::kServerError;
}

ChunkStatus ChunkDecoder::decode_copy(std::string_view json, std::vector<int32_t>& ids,
                                      std::string* text, Chunk& out) {
  padded_.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  padded_.assign(json);
  return decode(padded_, padded_.capacity(), ids, text, out);
}

}  // namespace infermark::sut::http
