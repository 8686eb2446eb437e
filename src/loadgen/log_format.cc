#include "loadgen/log_format.h"

#include <fmt/format.h>

#include <sstream>

namespace infermark::loadgen {

std::string format_g(double v) {
  std::ostringstream ss;
  ss << v;
  return ss.str();
}

std::string format_fixed(double v, int decimals) {
  std::ostringstream ss;
  ss.setf(std::ios::fixed, std::ios::floatfield);
  ss.precision(decimals);
  ss << v;
  return ss.str();
}

std::string format_time_ms(int64_t ns) {
  return fmt::format("{}.{:06d}", ns / 1000000, ns % 1000000);
}

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace infermark::loadgen
