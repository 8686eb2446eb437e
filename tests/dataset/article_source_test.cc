// Reading CNN-DailyMail articles from CSV, JSON Lines and JSON arrays: columns by name, source
// order, format detection; and every kind of bad input the issue names (missing column or field,
// empty article, invalid UTF-8, truncated file, stray quotes) rejected with the file, the place
// (row/line/element) and the field.
#include "dataset/article_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "util/error.h"

namespace infermark::dataset {
namespace {

using ::testing::HasSubstr;

std::string error_of(std::string_view text, SourceFormat format = SourceFormat::kAuto) {
  try {
    parse_articles(text, "split", format);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ArticleSourceTest, CsvColumnsByNameInAnyOrderExtraColumnsIgnored) {
  const ArticleSource s = parse_articles(
      "highlights,extra,article,id\n"
      "\"First summary.\nSecond line.\",x,\"Text, with comma.\",abc\n"
      "S2,y,A2,def\n",
      "split.csv", SourceFormat::kAuto);
  EXPECT_EQ(s.format, SourceFormat::kCsv);
  ASSERT_EQ(s.articles.size(), 2u);
  EXPECT_EQ(s.articles[0].article, "Text, with comma.");
  EXPECT_EQ(s.articles[0].highlights, "First summary.\nSecond line.");
  EXPECT_EQ(s.articles[0].id, "abc");
  EXPECT_EQ(s.articles[0].where, "row 2 (line 2)");
  EXPECT_EQ(s.articles[1].where, "row 3 (line 4)");
  EXPECT_EQ(s.articles[1].id, "def");
}

TEST(ArticleSourceTest, CsvWithoutIdColumn) {
  const ArticleSource s = parse_articles("article,highlights\na,b\n", "x", SourceFormat::kCsv);
  ASSERT_EQ(s.articles.size(), 1u);
  EXPECT_EQ(s.articles[0].id, "");
}

TEST(ArticleSourceTest, JsonLinesAsDatasetsToJsonWritesThem) {
  const ArticleSource s = parse_articles(
      "{\"article\":\"Caf\\u00e9 \\ud83e\\udd99\",\"highlights\":\"H\",\"id\":\"1a\"}\r\n"
      "\n"
      "{\"id\":\"2b\",\"highlights\":\"H2\",\"article\":\"A2\",\"more\":[1]}\n",
      "split.jsonl", SourceFormat::kAuto);
  EXPECT_EQ(s.format, SourceFormat::kJsonLines);
  ASSERT_EQ(s.articles.size(), 2u);
  EXPECT_EQ(s.articles[0].article, "Caf\xc3\xa9 \xf0\x9f\xa6\x99");
  EXPECT_EQ(s.articles[1].id, "2b");
  EXPECT_EQ(s.articles[1].where, "line 3");
}

TEST(ArticleSourceTest, JsonArray) {
  const ArticleSource s = parse_articles(
      "\xEF\xBB\xBF [{\"article\":\"A\",\"highlights\":\"H\"},{\"article\":\"B\",\"highlights\":"
      "\"I\",\"id\":\"x\"}]",
      "split.json", SourceFormat::kAuto);
  EXPECT_EQ(s.format, SourceFormat::kJsonArray);
  ASSERT_EQ(s.articles.size(), 2u);
  EXPECT_EQ(s.articles[1].article, "B");
  EXPECT_EQ(s.articles[1].where, "element 1");
}

TEST(ArticleSourceTest, MissingColumnOrField) {
  EXPECT_EQ(error_of("id,article,summary\n1,a,b\n"),
            "split: row 1 (line 1): missing column 'highlights' (the header has: id, article, "
            "summary)");
  EXPECT_EQ(error_of("id,article,article,highlights\n1,a,b,c\n"),
            "split: row 1 (line 1): column 'article' appears twice (columns 2 and 3)");
  EXPECT_EQ(error_of("{\"article\":\"a\",\"highlights\":\"h\"}\n{\"article\":\"b\"}\n"),
            "split: line 2: missing field 'highlights'");
  EXPECT_EQ(error_of("[{\"highlights\":\"h\"}]"), "split: element 0: missing field 'article'");
  EXPECT_EQ(error_of("[{\"article\":5,\"highlights\":\"h\"}]"),
            "split: element 0: field 'article' must be a string (got number)");
  EXPECT_EQ(error_of("[{\"article\":\"a\",\"highlights\":\"h\",\"id\":7}]"),
            "split: element 0: field 'id' must be a string (got number)");
  EXPECT_EQ(error_of("[[\"a\"]]"),
            "split: element 0: expected an object with 'article' and 'highlights' (got array)");
}

TEST(ArticleSourceTest, EmptyArticleOrHighlights) {
  EXPECT_EQ(error_of("id,article,highlights\n1,a,b\n2,,b\n"),
            "split: row 3 (line 3): field 'article' is empty");
  EXPECT_EQ(error_of("id,article,highlights\n1,\" \n\t\",b\n"),
            "split: row 2 (line 2): field 'article' is empty (only whitespace)");
  EXPECT_EQ(error_of("{\"article\":\"a\",\"highlights\":\"\"}\n"),
            "split: line 1: field 'highlights' is empty");
}

TEST(ArticleSourceTest, InvalidUtf8) {
  EXPECT_EQ(error_of("id,article,highlights\n1,\"ok\",b\n2,\"caf\xe9!\",b\n"),
            "split: row 3 (line 3): field 'article' is not valid UTF-8 (byte 3 of the field)");
  EXPECT_THAT(error_of("{\"article\":\"caf\xe9\",\"highlights\":\"h\"}\n"),
              HasSubstr("split: line 1: invalid JSON: "));
  EXPECT_THAT(error_of("{\"article\":\"\\udc00\",\"highlights\":\"h\"}\n"),
              HasSubstr("split: line 1: invalid JSON: "));
}

TEST(ArticleSourceTest, TruncatedFiles) {
  EXPECT_THAT(error_of("id,article,highlights\n1,\"a long article, cut"),
              HasSubstr("(is the file truncated?)"));
  EXPECT_THAT(error_of("{\"article\":\"a\",\"highlights\":\"h\"}\n{\"article\":\"b\",\"hig"),
              HasSubstr("split: line 2: invalid JSON: "));
  EXPECT_THAT(error_of("{\"article\":\"a\",\"highlights\":\"h\"}\n{\"article\":\"b\",\"hig"),
              HasSubstr("(the file ends inside this line: is it truncated?)"));
  EXPECT_THAT(error_of("[{\"article\":\"a\",\"highlights\":\"h\"},\n{\"article\":\"b\""),
              HasSubstr("split: invalid JSON at line 2: "));
  EXPECT_THAT(error_of("[{\"article\":\"a\",\"highlights\":\"h\"},\n{\"article\":\"b\""),
              HasSubstr("(the file ends early: is it truncated?)"));
}

TEST(ArticleSourceTest, EmptyOrHeaderOnly) {
  EXPECT_EQ(error_of(""), "split: the file is empty (no header row)");
  EXPECT_EQ(error_of("id,article,highlights\n"), "split: the file holds no articles");
  EXPECT_EQ(error_of("[]"), "split: the file holds no articles");
  EXPECT_EQ(error_of("{\"a\":1}", SourceFormat::kJsonArray),
            "split: expected a JSON array of articles (got object)");
}

TEST(ArticleSourceTest, FormatNames) {
  EXPECT_EQ(parse_source_format("jsonl"), SourceFormat::kJsonLines);
  EXPECT_EQ(source_format_name(SourceFormat::kJsonArray), "json");
  EXPECT_THROW(parse_source_format("tsv"), Error);
}

}  // namespace
}  // namespace infermark::dataset
