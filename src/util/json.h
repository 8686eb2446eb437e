// JSON (nlohmann) plus checked accessors that turn a missing or mistyped field into an Error
// naming the file and the field.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "util/error.h"

namespace infermark::util {

using Json = nlohmann::json;

// Parses `text`; on failure (syntax, or a number out of range such as 1e309) throws Error
// "<origin>: invalid JSON: <reason>".
inline Json parse_json(std::string_view text, std::string_view origin) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    throw Error::format("{}: invalid JSON: {}", origin, e.what());
  }
}

// Returns obj[key] converted to T; throws Error "<origin>: field '<key>' ..." if it is absent or
// has the wrong type.
template <typename T>
T json_field(const Json& obj, std::string_view key, std::string_view origin) {
  if (!obj.is_object()) throw Error::format("{}: expected a JSON object", origin);
  auto it = obj.find(key);
  if (it == obj.end()) throw Error::format("{}: missing field '{}'", origin, key);
  try {
    return it->template get<T>();
  } catch (const Json::exception&) {
    throw Error::format("{}: field '{}' has the wrong type ({})", origin, key, it->type_name());
  }
}

}  // namespace infermark::util
