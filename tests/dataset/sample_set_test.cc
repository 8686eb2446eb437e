// The cnn_eval.json loader: good files (both instruction forms, extra fields), prompts built
// and tokenised when tok_input is absent, and bad data rejected with the sample index.
#include "dataset/sample_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "dataset/prompt.h"
#include "util/error.h"
#include "util/json.h"
#include "util/sha256.h"

namespace infermark::dataset {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kGood = R"([
    {
        "instruction": {"llama": "Summarize:\n{input}\nSummary:"},
        "input": "Rain fell.",
        "tok_input": [128000, 12, 345],
        "output": "It rained."
    },
    {
        "input": "Sun shone \u00e9t\u00e9.",
        "tok_input": [128000, 7],
        "output": "Sunny.",
        "id": "abc", "extra": {"nested": [1, {"x": [2]}]}
    },
    {
        "instruction": "Plain {input} template",
        "output": "Wind.",
        "tok_input": [128000],
        "input": "Wind blew."
    }
])";

std::string error_of(const std::string& json, const LoadOptions& o = {}) {
  try {
    SampleSet::parse(json, "cnn_eval.json", o);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A one-sample file whose sample has `fields` (JSON members without braces).
std::string one(const std::string& fields) { return "[{" + fields + "}]"; }

TEST(SampleSetTest, ParsesGoodFile) {
  SampleSet s = SampleSet::parse(kGood, "cnn_eval.json");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].instruction, "Summarize:\n{input}\nSummary:");
  EXPECT_EQ(s[0].input, "Rain fell.");
  EXPECT_THAT(s[0].tok_input, ElementsAre(128000, 12, 345));
  EXPECT_EQ(s[0].output, "It rained.");
  EXPECT_FALSE(s[1].instruction.has_value());
  EXPECT_EQ(s[1].input, "Sun shone \xc3\xa9t\xc3\xa9.");
  EXPECT_EQ(s[2].instruction, "Plain {input} template");
  EXPECT_EQ(s[0].instruction_form, InstructionForm::kLlamaObject);
  EXPECT_EQ(s[2].instruction_form, InstructionForm::kString);
  EXPECT_EQ(s[2].input, "Wind blew.");  // key order does not matter
  EXPECT_EQ(s.tokenized_count(), 0u);
  EXPECT_EQ(s.max_input_tokens(), 3u);
  EXPECT_EQ(s.total_input_tokens(), 6u);
  EXPECT_EQ(s.variant(), Variant::kOther);
  EXPECT_EQ(s.sha256(), util::sha256_hex(kGood));
  EXPECT_EQ(s.origin(), "cnn_eval.json");
}

TEST(SampleSetTest, StrictLayoutWantsMlperfsFieldsInOrderAndNoNulls) {
  LoadOptions strict;
  strict.strict_layout = true;
  const std::string good = one(
      R"("instruction": {"llama": "T {input}"}, "input": "a", "tok_input": [1], "output": "b")");
  EXPECT_EQ(SampleSet::parse(good, "f", strict).size(), 1u);
  EXPECT_EQ(error_of(kGood, strict),
            "cnn_eval.json: sample 1: field 'input' where MLPerf's layout has 'instruction' "
            "(instruction, input, tok_input, output, in that order)");
  EXPECT_EQ(error_of(one(R"("instruction": "T", "input": "a", "tok_input": [1])"), strict),
            "cnn_eval.json: sample 0: missing field 'output'");
  EXPECT_EQ(
      error_of(one(R"("instruction": null, "input": "a", "tok_input": [1], "output": "")"), strict),
      "cnn_eval.json: sample 0: field 'instruction' must be a string or an object (got null)");
  EXPECT_EQ(
      error_of(one(R"("instruction": {"llama": 1}, "input": "a", "tok_input": [1], "output": "")"),
               strict),
      "cnn_eval.json: sample 0: field 'instruction.llama' must be a string (got number)");
  EXPECT_EQ(
      error_of(one(R"("instruction": {}, "input": "a", "tok_input": [1], "output": "")"), strict),
      "cnn_eval.json: sample 0: field 'instruction' must be {\"llama\": template} (got an "
      "object without it)");
  EXPECT_EQ(error_of(one(R"("instruction": {"llama": "T", "llama": "U"}, "input": "a", )"
                         R"("tok_input": [1], "output": "")"),
                     strict),
            "cnn_eval.json: sample 0: field 'instruction' has the key 'llama' twice");
  EXPECT_EQ(
      error_of(one(R"("instruction": "T", "input": "a", "tok_input": null, "output": "")"), strict),
      "cnn_eval.json: sample 0: field 'tok_input' must be a list of token ids (got null)");
}

TEST(SampleSetTest, LoadsFileAndHashesItsBytes) {
  auto path = std::filesystem::temp_directory_path() /
              ("infermark_sample_set_test_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path, std::ios::binary) << kGood;
  SampleSet s = SampleSet::load(path);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.sha256(), util::sha256_file(path));
  EXPECT_EQ(s.origin(), path.string());
  std::filesystem::remove(path);
  EXPECT_THAT(error_of("[]"), HasSubstr("cnn_eval.json: the sample array is empty"));
  try {
    SampleSet::load(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string() + ": cannot open"));
  }
}

TEST(SampleSetTest, VariantFollowsSampleCount) {
  const std::string item = R"({"input":"a","output":"b","tok_input":[128000]})";
  std::string edge = "[" + item;
  for (size_t i = 1; i < kEdgeSampleCount; ++i) edge.append(",").append(item);
  edge.append("]");
  SampleSet s = SampleSet::parse(edge, "edge");
  EXPECT_EQ(s.size(), kEdgeSampleCount);
  EXPECT_EQ(s.variant(), Variant::kEdge);
  EXPECT_EQ(s.variant_name(), "edge (5000 samples)");
}

TEST(SampleSetTest, BuildsAndTokenisesPromptWhenTokInputAbsent) {
  std::vector<std::string> seen;
  LoadOptions o;
  o.tokenize = [&](std::string_view text) {
    seen.emplace_back(text);
    return std::vector<int32_t>{128000, static_cast<int32_t>(text.size())};
  };
  SampleSet s = SampleSet::parse(
      R"([{"input":"Cats nap.","output":"Nap."},)"
      R"({"instruction":{"llama":"A: {input} {{x}}"},"input":"Dogs run.","output":"Run."},)"
      R"({"input":"x","output":"y","tok_input":[128000,5]}])",
      "set", o);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], build_prompt("Cats nap."));
  EXPECT_EQ(seen[1], "A: Dogs run. {x}");
  EXPECT_THAT(s[0].tok_input, ElementsAre(128000, static_cast<int32_t>(seen[0].size())));
  EXPECT_THAT(s[2].tok_input, ElementsAre(128000, 5));  // as stored, tokenizer not called
  EXPECT_EQ(s.tokenized_count(), 2u);
}

TEST(SampleSetTest, MissingTokInputWithoutTokenizerNamesSample) {
  EXPECT_THAT(
      error_of(R"([{"input":"a","output":"b","tok_input":[1]},{"input":"a","output":"b"}])"),
      HasSubstr("cnn_eval.json: sample 1: no field 'tok_input', and no tokenizer"));
}

TEST(SampleSetTest, TokenizerErrorsNameSample) {
  LoadOptions o;
  o.tokenize = [](std::string_view) -> std::vector<int32_t> { throw Error("bad UTF-8"); };
  EXPECT_THAT(error_of(one(R"("input":"a","output":"b")"), o),
              HasSubstr("sample 0: cannot tokenise the prompt: bad UTF-8"));
  EXPECT_THAT(error_of(one(R"("instruction":"{article}","input":"a","output":"b")"), o),
              HasSubstr("sample 0: prompt template field '{article}' is not supported"));
}

TEST(SampleSetTest, MissingFieldsNameSample) {
  std::string ok = R"({"input":"a","output":"b","tok_input":[1]},)";
  EXPECT_THAT(error_of("[" + ok + ok + R"({"output":"b","tok_input":[1]}])"),
              HasSubstr("cnn_eval.json: sample 2: missing field 'input'"));
  EXPECT_THAT(error_of("[" + ok + R"({"input":"b","tok_input":[1]}])"),
              HasSubstr("sample 1: missing field 'output'"));
}

TEST(SampleSetTest, BadTokInputTypesNameSampleAndElement) {
  std::string ok = R"({"input":"a","output":"b","tok_input":[1]},)";
  EXPECT_THAT(error_of("[" + ok + R"({"input":"a","output":"b","tok_input":[1,"2",3]}])"),
              HasSubstr("sample 1: tok_input[1] must be an integer token id (got string)"));
  EXPECT_THAT(error_of(one(R"("input":"a","output":"b","tok_input":[1, 2.5])")),
              HasSubstr("sample 0: tok_input[1] must be an integer token id (got number 2.5)"));
  EXPECT_THAT(error_of(one(R"("input":"a","output":"b","tok_input":[[1]])")),
              HasSubstr("sample 0: tok_input[0] must be an integer token id (got array)"));
  EXPECT_THAT(error_of(one(R"("input":"a","output":"b","tok_input":[true])")),
              HasSubstr("tok_input[0] must be an integer token id (got boolean)"));
  EXPECT_THAT(error_of(one(R"("input":"a","output":"b","tok_input":"1 2 3")")),
              HasSubstr("sample 0: field 'tok_input' must be a list of token ids (got string)"));
  EXPECT_THAT(error_of(one(R"("input":"a","output":"b","tok_input":{"ids":[1]})")),
              HasSubstr("field 'tok_input' must be a list of token ids (got object)"));
  EXPECT_THAT(error_of(one(R"("input":"a","output":"b","tok_input":[])")),
              HasSubstr("sample 0: field 'tok_input' is empty"));
}

TEST(SampleSetTest, OutOfRangeTokenIdsNameSample) {
  EXPECT_THAT(error_of(one(R"("input":"a","output":"b","tok_input":[1,-4])")),
              HasSubstr("sample 0: tok_input[1] = -4 is not a valid token id"));
  EXPECT_THAT(error_of(one(R"("input":"a","output":"b","tok_input":[4294967296])")),
              HasSubstr("tok_input[0] = 4294967296 is not a valid token id"));
  LoadOptions o;
  o.vocab_size = 128256;
  EXPECT_THAT(error_of(one(R"("input":"a","output":"b","tok_input":[128000, 128256])"), o),
              HasSubstr("tok_input[1] = 128256 is not a valid token id (vocab size 128256)"));
  EXPECT_EQ(error_of(one(R"("input":"a","output":"b","tok_input":[128255])"), o), "");
}

TEST(SampleSetTest, WrongFieldTypesNameSample) {
  EXPECT_THAT(error_of(one(R"("input":5,"output":"b","tok_input":[1])")),
              HasSubstr("sample 0: field 'input' must be a string (got number)"));
  EXPECT_THAT(error_of(one(R"("input":"a","output":["b"],"tok_input":[1])")),
              HasSubstr("sample 0: field 'output' must be a string (got array)"));
  EXPECT_THAT(error_of(one(R"("instruction":7,"input":"a","output":"b","tok_input":[1])")),
              HasSubstr("field 'instruction' must be a string or an object (got number)"));
}

// Empty strings are valid JSON strings: an empty article still makes a prompt (the template's
// tokens), and an empty reference summary scores 0 rather than failing the run.
TEST(SampleSetTest, EmptyStringsLoad) {
  LoadOptions o;
  o.tokenize = [](std::string_view text) {
    std::vector<int32_t> ids{128000};
    for (unsigned char c : text) ids.push_back(c);
    return ids;
  };
  const SampleSet s = SampleSet::parse(
      R"([{"input":"","output":"","instruction":""},{"input":"","output":"x","tok_input":[5]}])",
      "cnn_eval.json", o);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].tok_input, std::vector<int32_t>{128000});
  EXPECT_EQ(s[0].output, "");
  EXPECT_EQ(s[1].tok_input, std::vector<int32_t>{5});
  EXPECT_THAT(error_of(one(R"("input":"a","output":"b","tok_input":[])")),
              HasSubstr("sample 0: field 'tok_input' is empty"));
}

// A 1 MB article (and a 1 MB reference) is read and tokenised whole; whether it fits a model's
// context is the run's check (tests/apps/infermark/results_folder_test.cc).
TEST(SampleSetTest, OneMegabyteArticleLoads) {
  std::string article;
  while (article.size() < (1 << 20)) article += "Rain fell on the quiet town again. ";
  const std::string json = util::Json::array({{{"input", article}, {"output", article}}}).dump();
  size_t tokenised = 0;
  LoadOptions o;
  o.tokenize = [&](std::string_view text) {
    tokenised = text.size();
    return std::vector<int32_t>(text.size() / 4 + 1, 7);
  };
  const SampleSet s = SampleSet::parse(json, "cnn_eval.json", o);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].input, article);
  EXPECT_GT(tokenised, article.size());  // the prompt holds the whole article
  EXPECT_EQ(s.max_input_tokens(), tokenised / 4 + 1);
}

TEST(SampleSetTest, WrongStructureIsNamed) {
  EXPECT_THAT(error_of(R"({"input":"a"})"),
              HasSubstr("expected a JSON array of samples (got object)"));
  EXPECT_THAT(error_of(R"([{"input":"a","output":"b","tok_input":[1]}, 3])"),
              HasSubstr("sample 1: expected an object (got number)"));
  EXPECT_THAT(error_of(R"([{"input":"a","output":"b","tok_input":[1]}, {"input": "a", )"),
              HasSubstr("invalid JSON"));
  EXPECT_THAT(error_of(R"([{"input":"a","output":"b","tok_input":[1]}, {"input": "a", )"),
              HasSubstr("(in sample 1)"));
}

}  // namespace
}  // namespace infermark::dataset
