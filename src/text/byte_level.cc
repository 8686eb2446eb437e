// The alphabet: bytes that are printable in Latin-1 ('!'..'~', '¡'..'¬', '®'..'ÿ') map to
// themselves; the remaining 68 bytes, in increasing order, map to U+0100, U+0101, ...
#include "text/byte_level.h"

#include <array>

#include "text/utf8.h"

namespace infermark::text {
namespace {

constexpr bool maps_to_itself(int b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

constexpr std::array<uint16_t, 256> build_forward() {
  std::array<uint16_t, 256> table{};
  uint16_t next = 0x100;
  for (int b = 0; b < 256; ++b) table[b] = maps_to_itself(b) ? static_cast<uint16_t>(b) : next++;
  return table;
}

constexpr std::array<uint16_t, 256> kForward = build_forward();

// Inverse over U+0000..U+0143 (the largest mapped code point); -1 where unmapped.
constexpr std::array<int16_t, 0x144> build_inverse() {
  std::array<int16_t, 0x144> table{};
  for (auto& v : table) v = -1;
  for (int b = 0; b < 256; ++b) table[kForward[b]] = static_cast<int16_t>(b);
  return table;
}

constexpr std::array<int16_t, 0x144> kInverse = build_inverse();

}  // namespace

uint32_t byte_to_code_point(uint8_t b) { return kForward[b]; }

int code_point_to_byte(uint32_t cp) { return cp < kInverse.size() ? kInverse[cp] : -1; }

std::string to_byte_level(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) append_utf8(kForward[static_cast<uint8_t>(c)], out);
  return out;
}

std::optional<std::string> from_byte_level(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  const char* p = token.data();
  const char* end = p + token.size();
  while (p < end) {
    const Utf8Char c = next_utf8(p, end);
    if (c.status != Utf8Status::kOk) return std::nullopt;
    const int b = code_point_to_byte(c.cp);
    if (b < 0) return std::nullopt;
    out.push_back(static_cast<char>(b));
    p += c.len;
  }
  return out;
}

}  // namespace infermark::text
