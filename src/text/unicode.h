// Unicode code point classes used by the Llama-3 pre-tokenizer and the chat template, from tables
// generated out of the Unicode Character Database (scripts/gen-unicode-tables -> the committed
// unicode_tables.inc). The tables come from Debian's UCD 15.0.0, restricted to the characters
// assigned by Unicode 14.0: that is the Unicode of Oniguruma 6.9.8, the regex engine Hugging Face
// tokenizers compiles the Llama-3 pattern with, so newer characters are unclassified here as
// they are there.
//
// All functions are pure, allocation-free and thread-safe. Code points above U+10FFFF have no
// class.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace infermark::text {

// Bit flags of one code point.
enum UnicodeClass : uint8_t {
  kLetter = 1,      // \p{L}: general category L*
  kNumber = 2,      // \p{N}: general category N*
  kWhiteSpace = 4,  // \s of Oniguruma: the White_Space property
  kPySpace = 8,     // Python's str.isspace(), used by Jinja's `trim`
  kAssigned = 16,   // general category other than Cn
};

// The Unicode version whose character assignments the tables follow ("14.0").
std::string_view unicode_version();

namespace detail {
// One byte of UnicodeClass flags per code point below U+10000 (constant-initialised).
extern const std::array<uint8_t, 0x10000> kBmpClass;
uint8_t astral_class(uint32_t cp);
}  // namespace detail

// The UnicodeClass flags of `cp` (0 for none).
inline uint8_t unicode_class(uint32_t cp) {
  return cp < 0x10000 ? detail::kBmpClass[cp] : detail::astral_class(cp);
}
inline bool is_letter(uint32_t cp) { return unicode_class(cp) & kLetter; }
inline bool is_number(uint32_t cp) { return unicode_class(cp) & kNumber; }
inline bool is_white_space(uint32_t cp) { return unicode_class(cp) & kWhiteSpace; }

// The ASCII lower-case letter `cp` folds to when it is one of the letters of the Llama-3
// contractions ('s 't 're 've 'm 'll 'd) under Unicode case folding (e.g. 'S' and U+017F LONG S
// both give 's'); 0 otherwise.
char contraction_fold(uint32_t cp);

}  // namespace infermark::text
