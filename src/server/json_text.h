// Writing JSON text by hand on the hot path (one SSE chunk per token): a string literal with
// its escapes, and integers, appended to a std::string. Invalid UTF-8 in a string becomes
// U+FFFD, so the output is always valid JSON. Pure; thread-safe.
#pragma once

#include <charconv>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace infermark::server {

// Appends `"…"` with `s` escaped (", \, control characters).
void append_json_string(std::string& out, std::string_view s);

inline void append_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Appends `[1,2,3]`.
void append_int_list(std::string& out, std::span<const int32_t> values);

}  // namespace infermark::server
