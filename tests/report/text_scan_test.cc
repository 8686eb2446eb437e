// The report's hand-written readers of numbers in untrusted text (report/text_scan.h), and
// accuracy.txt files that the regex + std::stod reader it replaced turned into an uncaught
// std::invalid_argument / std::out_of_range, or into a stack overflow on a long match.
#include "report/text_scan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "report/run_inputs.h"
#include "util/error.h"

namespace infermark::report {
namespace {

using ::testing::HasSubstr;

TEST(TextScanTest, ParseNumberTakesWholeFiniteNumbersOnly) {
  EXPECT_EQ(parse_number("38.7792"), 38.7792);
  EXPECT_EQ(parse_number("8167644"), 8167644.0);
  EXPECT_EQ(parse_number("-1.5e3"), -1500.0);
  for (const char* bad : {"", ".", "1.2.3", "12 ", " 12", "1e999", "nan", "inf", "0x10", "1,5"}) {
    EXPECT_FALSE(parse_number(bad).has_value()) << bad;
  }
}

TEST(TextScanTest, IntegerBetweenFindsTheFirstCompleteMatch) {
  const std::string text =
      " * Run unsuccessful.  * Processed many queries. * Processed 8 queries.  * Would need to "
      "run at least 451 more queries";
  EXPECT_EQ(integer_between(text, "Processed ", " queries"), 8);
  EXPECT_EQ(integer_between(text, "at least ", " more"), 451);
  EXPECT_FALSE(integer_between(text, "at least ", " queries for early stopping").has_value());
  EXPECT_FALSE(
      integer_between("Processed 99999999999999999999999 queries", "Processed ", " queries")
          .has_value());
  EXPECT_FALSE(integer_between("Processed ", "Processed ", "").has_value());
}

TEST(TextScanTest, DictValueAndLineValue) {
  const std::string text = "{'rouge1': '38.77', 'gen_len':  8167644}\nxhash=1\nhash=abc\n";
  EXPECT_EQ(dict_value_after(text, "'rouge1':"), "38.77");
  EXPECT_EQ(dict_value_after(text, "'gen_len':"), "8167644");
  EXPECT_FALSE(dict_value_after(text, "'rouge2':").has_value());
  EXPECT_EQ(line_value(text, "hash="), "abc");
  EXPECT_FALSE(line_value(text, "nope=").has_value());
}

std::string accuracy_error(const std::string& text) {
  try {
    (void)parse_accuracy_txt(text, "run/accuracy.txt");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(TextScanTest, MalformedAccuracyValuesAreErrorsNamingTheFile) {
  EXPECT_THAT(accuracy_error("{'rouge1': '.', 'rouge2': '1'}"),
              HasSubstr("run/accuracy.txt: 'rouge1' is followed by '.', not a number"));
  EXPECT_THAT(accuracy_error("{'rouge1': '1.2.3'}"), HasSubstr("'1.2.3', not a number"));
  std::string long_number = "{'rouge1': '";  // step by step: GCC 12 -Wrestrict on "..." + string
  long_number.append(400, '9');
  EXPECT_THAT(accuracy_error(long_number + "'}"), HasSubstr("not a number"));
  EXPECT_THAT(accuracy_error("{'rouge1': 'x'}"), HasSubstr("'rouge1' is followed by ''"));
  EXPECT_THAT(accuracy_error("'gen_len': 1.5.5 'rouge1': '38'"), HasSubstr("'gen_len'"));
}

TEST(TextScanTest, HugeAccuracyFileIsReadWithoutDeepRecursion) {
  // std::regex_search recursed once per character of a long [\d.]+ match.
  std::string text = "{'rouge1': '38.8', 'rouge2': '";
  text.append(300, '1');
  text += "'}\nhash=";
  text.append(1 << 20, 'a');
  text += "\n";
  text.append(4 << 20, '1');
  const AccuracyScores s = parse_accuracy_txt(text, "accuracy.txt");
  ASSERT_EQ(s.values.size(), 2u);
  EXPECT_EQ(s.hash.size(), size_t{1} << 20);
}

}  // namespace
}  // namespace infermark::report
