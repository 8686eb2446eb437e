// Lookup tables over the generated runs of unicode_tables.inc: a flat byte per code point for the
// Basic Multilingual Plane, binary search over the runs above it.
#include "text/unicode.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace infermark::text {
namespace {

struct FlagRun {
  uint32_t first;
  uint8_t flags;
};
struct CaseFold {
  uint32_t cp;
  char folded;
};

#include "text/unicode_tables.inc"

constexpr std::array<uint8_t, 0x10000> build_bmp() {
  std::array<uint8_t, 0x10000> table{};
  const size_t n = std::size(kFlagRuns);
  for (size_t i = 0; i < n && kFlagRuns[i].first < 0x10000; ++i) {
    const uint32_t end = i + 1 < n ? std::min<uint32_t>(kFlagRuns[i + 1].first, 0x10000) : 0x10000;
    for (uint32_t cp = kFlagRuns[i].first; cp < end; ++cp) table[cp] = kFlagRuns[i].flags;
  }
  return table;
}

}  // namespace

namespace detail {

constexpr std::array<uint8_t, 0x10000> kBmpClass = build_bmp();

uint8_t astral_class(uint32_t cp) {
  if (cp > 0x10FFFF) return 0;
  const auto* end = std::end(kFlagRuns);
  const auto* it = std::upper_bound(std::begin(kFlagRuns), end, cp,
                                    [](uint32_t c, const FlagRun& r) { return c < r.first; });
  return std::prev(it)->flags;
}

}  // namespace detail

std::string_view unicode_version() { return kUnicodeVersion; }

char contraction_fold(uint32_t cp) {
  if (cp < 0x80) {
    const char lower =
        (cp >= 'A' && cp <= 'Z') ? static_cast<char>(cp + 32) : static_cast<char>(cp);
    return std::string_view("strevmld").find(lower) != std::string_view::npos ? lower : 0;
  }
  for (const auto& f : kContractionFolds) {
    if (f.cp == cp) return f.folded;
  }
  return 0;
}

}  // namespace infermark::text
