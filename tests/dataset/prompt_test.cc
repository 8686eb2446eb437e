// The MLPerf prompt template and Python format_map semantics for {input}.
#include "dataset/prompt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "util/error.h"

namespace infermark::dataset {
namespace {

using ::testing::HasSubstr;

TEST(PromptTest, BuildsMlperfPrompt) {
  EXPECT_EQ(build_prompt("A cat sat."),
            "Summarize the following news article in 128 tokens. Please output the summary only, "
            "without any other text.\n\nArticle:\nA cat sat.\n\nSummary:");
}

TEST(PromptTest, ArticleBracesAreNotInterpreted) {
  EXPECT_EQ(format_prompt("[{input}]", "{input} {{x}} }", "t"), "[{input} {{x}} }]");
}

TEST(PromptTest, DoubledBracesAreLiteral) {
  EXPECT_EQ(format_prompt("{{a}} {input} }}", "z", "t"), "{a} z }");
  EXPECT_EQ(format_prompt("{input}{input}", "ab", "t"), "abab");
}

TEST(PromptTest, UnsupportedFieldsAndLoneBracesAreErrors) {
  auto error_of = [](std::string_view tmpl) {
    try {
      format_prompt(tmpl, "x", "cnn_eval.json: sample 4");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_THAT(error_of("{output}"), HasSubstr("sample 4: prompt template field '{output}'"));
  EXPECT_THAT(error_of("{input"), HasSubstr("a '{' without a closing '}'"));
  EXPECT_THAT(error_of("a } b"), HasSubstr("a single '}'"));
}

}  // namespace
}  // namespace infermark::dataset
