// UTF-8 decoding, validation and lossy repair, as the tokenizer, the decoder and the streaming
// detokenizer need them. Invalid input is handled the way Rust's String::from_utf8_lossy and
// WHATWG's TextDecoder do it (Unicode's "maximal subpart" practice): every maximal invalid
// subsequence becomes one U+FFFD.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace infermark::text {

// Code point reported for bytes that are not valid UTF-8.
inline constexpr uint32_t kInvalidCodePoint = 0xFFFFFFFF;

enum class Utf8Status : uint8_t {
  kOk,         // a complete, well-formed character
  kInvalid,    // an ill-formed maximal subpart; `len` bytes should become one U+FFFD
  kTruncated,  // a well-formed prefix cut short by the end of the input (`len` bytes)
};

struct Utf8Char {
  uint32_t cp;   // the code point, or kInvalidCodePoint unless status is kOk
  uint32_t len;  // bytes consumed, >= 1
  Utf8Status status;
};

// Decodes the character starting at p[0]; requires n >= 1.
Utf8Char decode_utf8(const char* p, size_t n);

// Decodes one character; ASCII takes a short path. Requires p < end.
inline Utf8Char next_utf8(const char* p, const char* end) {
  const auto b = static_cast<unsigned char>(*p);
  if (b < 0x80) return {b, 1, Utf8Status::kOk};
  return decode_utf8(p, static_cast<size_t>(end - p));
}

// Byte offset of the first byte that is not part of well-formed UTF-8, or npos if all is valid.
size_t find_invalid_utf8(std::string_view bytes);
inline bool is_valid_utf8(std::string_view bytes) {
  return find_invalid_utf8(bytes) == std::string_view::npos;
}

// Appends `bytes` to `out`, replacing each maximal ill-formed subsequence (including a truncated
// character at the end) with U+FFFD.
void append_utf8_lossy(std::string_view bytes, std::string& out);
inline std::string utf8_lossy(std::string_view bytes) {
  std::string out;
  append_utf8_lossy(bytes, out);
  return out;
}

// Length (0..3) of the suffix of `bytes` that is a well-formed but incomplete character: the
// bytes a streaming decoder must hold back until more arrive.
size_t incomplete_utf8_suffix(std::string_view bytes);

// Appends the UTF-8 encoding of code point `cp` (<= U+10FFFF) to `out`.
void append_utf8(uint32_t cp, std::string& out);

}  // namespace infermark::text
