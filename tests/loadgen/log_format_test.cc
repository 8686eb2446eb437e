// Number formats of the log writers (loadgen-behaviour.md §10.2–10.3).
#include "loadgen/log_format.h"

#include <gtest/gtest.h>

#include "loadgen/accuracy_log_writer.h"

namespace infermark::loadgen {
namespace {

TEST(LogFormatTest, OstreamDefaultDoubles) {
  EXPECT_EQ(format_g(998.348123), "998.348");
  EXPECT_EQ(format_g(6278430.0), "6.27843e+06");
  EXPECT_EQ(format_g(0.99), "0.99");
  EXPECT_EQ(format_g(1.0), "1");
  EXPECT_EQ(format_g(0.99900000000000011), "0.999");
}

TEST(LogFormatTest, FixedAndTimeMs) {
  EXPECT_EQ(format_fixed(99.9, 2), "99.90");
  EXPECT_EQ(format_fixed(90.0, 1), "90.0");
  EXPECT_EQ(format_fixed(128540.951, 2), "128540.95");
  EXPECT_EQ(format_time_ms(1234567890), "1234.567890");
  EXPECT_EQ(format_time_ms(5), "0.000005");
}

TEST(LogFormatTest, JsonQuoteEscapes) {
  EXPECT_EQ(json_quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(json_quote(std::string("\x01", 1)), "\"\\u0001\"");
}

TEST(LogFormatTest, UppercaseHexInMemoryOrder) {
  const int32_t ids[] = {306, 128009};
  EXPECT_EQ(to_hex(std::as_bytes(std::span<const int32_t>(ids))), "3201000009F40100");
}

}  // namespace
}  // namespace infermark::loadgen
