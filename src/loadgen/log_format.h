// Number formatting shared by the log writers, matching LoadGen's iostream output:
// `format_g` is `ostream << double` with default flags (6 significant digits, %g-like, e.g.
// "998.348", "6.27843e+06"); `format_fixed` is LoadGen's DoubleToString (std::fixed, `decimals`).
#pragma once

#include <cstdint>
#include <string>

namespace infermark::loadgen {

std::string format_g(double v);
std::string format_fixed(double v, int decimals);
// Nanoseconds as LoadGen's "time_ms" field: "<ns / 1e6>.<ns % 1e6, 6 digits>".
std::string format_time_ms(int64_t ns);
// JSON string literal with quotes, escaping what JSON requires.
std::string json_quote(std::string_view s);

}  // namespace infermark::loadgen
