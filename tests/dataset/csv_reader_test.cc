// The RFC 4180 CSV reader: quoting, doubled quotes, line breaks inside fields, CRLF and LF
// records, the byte-order mark, blank lines; and each malformed input rejected with the file,
// row, line and column in the message.
#include "dataset/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "util/error.h"

namespace infermark::dataset {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string error_of(std::string_view text) {
  try {
    parse_csv(text, "split.csv");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CsvReaderTest, ReadsQuotedFieldsWithCommasQuotesAndLineBreaks) {
  const auto r = parse_csv(
      "id,article,highlights\r\n"
      "a1,\"Hello, world\",\"He said \"\"no\"\".\"\r\n"
      "a2,\"line one\nline two\r\nline three\",plain\r\n"
      "a3,\"\",x\n",
      "split.csv");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_THAT(r[0].fields, ElementsAre("id", "article", "highlights"));
  EXPECT_THAT(r[1].fields, ElementsAre("a1", "Hello, world", "He said \"no\"."));
  EXPECT_THAT(r[2].fields, ElementsAre("a2", "line one\nline two\r\nline three", "plain"));
  EXPECT_THAT(r[3].fields, ElementsAre("a3", "", "x"));
  EXPECT_EQ(r[1].row, 2u);
  EXPECT_EQ(r[2].line, 3u);
  EXPECT_EQ(r[3].row, 4u);
  EXPECT_EQ(r[3].line, 6u);  // the record before spans lines 3-5
}

TEST(CsvReaderTest, BomBlankLinesEmptyFieldsAndNoFinalNewline) {
  const auto r = parse_csv("\xEF\xBB\xBFid,b\n\n1,\n\r\n,2", "split.csv");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_THAT(r[0].fields, ElementsAre("id", "b"));
  EXPECT_THAT(r[1].fields, ElementsAre("1", ""));
  EXPECT_THAT(r[2].fields, ElementsAre("", "2"));
  EXPECT_EQ(r[1].line, 3u);
  EXPECT_EQ(r[2].line, 5u);
  EXPECT_TRUE(parse_csv("", "split.csv").empty());
}

TEST(CsvReaderTest, UnclosedQuoteIsReportedAsTruncated) {
  EXPECT_EQ(error_of("id,article\nx,\"cut off in the mid"),
            "split.csv: row 2 (line 2), column 2 'article': the quoted field opened on line 2 is "
            "not closed before the end of the file (is the file truncated?)");
}

TEST(CsvReaderTest, RecordCutShortAtTheEndIsReportedAsTruncated) {
  EXPECT_EQ(error_of("id,article,highlights\n1,a,b\n2,\"c\nd\""),
            "split.csv: row 3 (line 3): 2 fields, the header has 3 (the file ends inside this "
            "record: is it truncated?)");
  EXPECT_EQ(error_of("id,article,highlights\n1,a\n2,c,d\n"),
            "split.csv: row 2 (line 2): 2 fields, the header has 3");
}

TEST(CsvReaderTest, StrayQuotesAreErrors) {
  EXPECT_EQ(error_of("id,article\n1,say \"hi\"\n"),
            "split.csv: row 2 (line 2), column 2 'article': a quote inside an unquoted field "
            "(RFC 4180: quote the whole field and double the quote)");
  EXPECT_EQ(error_of("id,article\n1,\"say \"hi\" now\"\n"),
            "split.csv: row 2 (line 2), column 2 'article': unexpected 'h' after a closing quote "
            "(RFC 4180: a quote inside a quoted field is doubled)");
  EXPECT_THAT(error_of("\"a\"b,c\n"), HasSubstr("split.csv: row 1 (line 1), column 1: unexpected"));
}

}  // namespace
}  // namespace infermark::dataset
