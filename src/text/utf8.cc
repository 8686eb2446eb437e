// Table-free UTF-8 decoding following Unicode 15 table 3-7 (well-formed byte sequences).
#include "text/utf8.h"

namespace infermark::text {
namespace {

// Allowed range of the second byte for a given lead byte (table 3-7); later bytes are 80..BF.
struct LeadInfo {
  uint32_t len;  // total length, 0 for a byte that cannot start a character
  uint8_t lo, hi;
};

LeadInfo lead_info(unsigned char b) {
  if (b < 0x80) return {1, 0, 0};
  if (b < 0xC2) return {0, 0, 0};
  if (b < 0xE0) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b < 0xF0) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b < 0xF4) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

}  // namespace

Utf8Char decode_utf8(const char* p, size_t n) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  const LeadInfo info = lead_info(u[0]);
  if (info.len == 1) return {u[0], 1, Utf8Status::kOk};
  if (info.len == 0) return {kInvalidCodePoint, 1, Utf8Status::kInvalid};
  uint32_t cp = u[0] & (0xFF >> (info.len + 1));
  for (uint32_t i = 1; i < info.len; ++i) {
    if (i >= n) return {kInvalidCodePoint, i, Utf8Status::kTruncated};
    const unsigned char lo = i == 1 ? info.lo : 0x80;
    const unsigned char hi = i == 1 ? info.hi : 0xBF;
    if (u[i] < lo || u[i] > hi) return {kInvalidCodePoint, i, Utf8Status::kInvalid};
    cp = (cp << 6) | (u[i] & 0x3F);
  }
  return {cp, info.len, Utf8Status::kOk};
}

size_t find_invalid_utf8(std::string_view bytes) {
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  while (p < end) {
    const Utf8Char c = next_utf8(p, end);
    if (c.status != Utf8Status::kOk) return static_cast<size_t>(p - bytes.data());
    p += c.len;
  }
  return std::string_view::npos;
}

void append_utf8_lossy(std::string_view bytes, std::string& out) {
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  const char* run = p;  // start of the pending well-formed run
  while (p < end) {
    if (static_cast<unsigned char>(*p) < 0x80) {
      ++p;
      continue;
    }
    const Utf8Char c = decode_utf8(p, static_cast<size_t>(end - p));
    if (c.status == Utf8Status::kOk) {
      p += c.len;
      continue;
    }
    out.append(run, p);
    out.append("\xEF\xBF\xBD");
    p += c.len;
    run = p;
  }
  out.append(run, end);
}

size_t incomplete_utf8_suffix(std::string_view bytes) {
  const size_t n = bytes.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto b = static_cast<unsigned char>(bytes[n - back]);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    const Utf8Char c = decode_utf8(bytes.data() + n - back, back);
    return c.status == Utf8Status::kTruncated ? back : 0;
  }
  return 0;
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace infermark::text
