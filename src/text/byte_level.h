// The GPT-2 byte-to-unicode alphabet of byte-level BPE (tokenizers' ByteLevel pre-tokenizer and
// decoder): every byte 0..255 is written as one printable code point, so vocab entries such as
// "Ġthe" stand for raw bytes (" the"). See tokenizer-model-rouge.md §1.4.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace infermark::text {

// The code point that stands for byte `b`.
uint32_t byte_to_code_point(uint8_t b);

// The byte that code point `cp` stands for, or -1 if `cp` is not in the alphabet.
int code_point_to_byte(uint32_t cp);

// Raw bytes -> their byte-level spelling (UTF-8 of the mapped code points).
std::string to_byte_level(std::string_view bytes);

// Byte-level spelling -> raw bytes; nullopt if `token` has a code point outside the alphabet or
// is not valid UTF-8.
std::optional<std::string> from_byte_level(std::string_view token);

}  // namespace infermark::text
