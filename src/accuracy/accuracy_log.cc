#include "accuracy/accuracy_log.h"

#include <unordered_set>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"
#include "util/sha256.h"

namespace infermark::accuracy {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int64_t integer_field(const util::Json& entry, const char* key, const std::string& where) {
  const util::Json& v = entry.at(key);
  if (!v.is_number_integer()) {
    throw Error::format("{}: field '{}' must be an integer, got {}", where, key, v.dump());
  }
  return v.get<int64_t>();
}

std::vector<int32_t> hex_field(const util::Json& entry, const char* key, const std::string& where) {
  const util::Json& v = entry.at(key);
  if (!v.is_string()) {
    throw Error::format("{}: field '{}' must be a hex string, got {}", where, key, v.type_name());
  }
  return hex_to_int32(v.get_ref<const std::string&>(), where + ": field '" + key + "'");
}

AccuracyLogEntry parse_entry(const util::Json& e, const std::string& where) {
  if (!e.is_object()) throw Error::format("{}: expected an object, got {}", where, e.type_name());
  for (const char* required : {"qsl_idx", "data"}) {
    if (!e.contains(required)) throw Error::format("{}: missing field '{}'", where, required);
  }
  AccuracyLogEntry out;
  out.qsl_idx = integer_field(e, "qsl_idx", where);
  if (out.qsl_idx < 0) throw Error::format("{}: field 'qsl_idx' is negative", where);
  out.data = hex_field(e, "data", where);
  if (e.contains("seq_id")) out.seq_id = integer_field(e, "seq_id", where);
  if (e.contains("token_count")) out.token_count = integer_field(e, "token_count", where);
  if (e.contains("token_data")) out.token_data = hex_field(e, "token_data", where);
  return out;
}

}  // namespace

std::vector<int32_t> hex_to_int32(std::string_view hex, std::string_view what) {
  std::vector<uint8_t> bytes;
  bytes.reserve(hex.size() / 2);
  size_t i = 0;
  while (i < hex.size()) {
    if (is_ascii_space(hex[i])) {
      ++i;
      continue;
    }
    const int hi = hex_digit(hex[i]);
    const int lo = i + 1 < hex.size() ? hex_digit(hex[i + 1]) : -2;
    if (hi < 0 || lo < 0) {
      const size_t at = hi < 0 ? i : i + 1;
      if (lo == -2) throw Error::format("{}: odd number of hex digits", what);
      throw Error::format("{}: non-hex character '{}' at position {}", what, hex[at], at);
    }
    bytes.push_back(static_cast<uint8_t>(hi * 16 + lo));
    i += 2;
  }
  if (bytes.size() % 4 != 0) {
    throw Error::format("{}: {} bytes is not a whole number of int32 token ids", what,
                        bytes.size());
  }
  std::vector<int32_t> ids(bytes.size() / 4);
  for (size_t k = 0; k < ids.size(); ++k) {
    const uint32_t v = uint32_t{bytes[4 * k]} | (uint32_t{bytes[4 * k + 1]} << 8) |
                       (uint32_t{bytes[4 * k + 2]} << 16) | (uint32_t{bytes[4 * k + 3]} << 24);
    ids[k] = static_cast<int32_t>(v);
  }
  return ids;
}

std::string int32_to_hex(const std::vector<int32_t>& ids) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(ids.size() * 8);
  for (int32_t id : ids) {
    const auto v = static_cast<uint32_t>(id);
    for (int b = 0; b < 4; ++b) {
      const auto byte = static_cast<uint8_t>(v >> (8 * b));
      out.push_back(kDigits[byte >> 4]);
      out.push_back(kDigits[byte & 15]);
    }
  }
  return out;
}

AccuracyLog parse_accuracy_log(std::string_view json_text, std::string_view origin) {
  const util::Json doc = util::parse_json(json_text, origin);
  if (!doc.is_array()) {
    throw Error::format("{}: expected a JSON array of accuracy entries, got {}", origin,
                        doc.type_name());
  }
  AccuracyLog log;
  log.origin = std::string(origin);
  log.entries.reserve(doc.size());
  for (size_t i = 0; i < doc.size(); ++i) {
    log.entries.push_back(parse_entry(doc[i], fmt::format("{}: entry {}", origin, i)));
  }
  return log;
}

AccuracyLog read_accuracy_log(const std::filesystem::path& path) {
  const std::string text = util::read_file(path);
  AccuracyLog log = parse_accuracy_log(text, path.string());
  log.sha256 = util::sha256_hex(text);
  return log;
}

std::vector<size_t> first_entry_per_sample(const AccuracyLog& log) {
  std::vector<size_t> out;
  std::unordered_set<int64_t> seen;
  for (size_t i = 0; i < log.entries.size(); ++i) {
    if (seen.insert(log.entries[i].qsl_idx).second) out.push_back(i);
  }
  return out;
}

}  // namespace infermark::accuracy
