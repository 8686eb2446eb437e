// `dataset verify` through the library: a correct file passes every check; each kind of defect
// (count, field order, extra field, instruction form, empty text, foreign token id, template,
// tok_input, length bound, layout, trailing bytes, expected SHA-256, unparseable file) fails its
// check and names the sample and field; duplicates are a warning.
#include "dataset/verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "accuracy/python_peer.h"
#include "dataset/cnn_eval_writer.h"
#include "dataset/prepare.h"
#include "text/llama3_tokenizer.h"
#include "util/atomic_file.h"
#include "util/json.h"
#include "util/sha256.h"

namespace infermark::dataset {
namespace {

namespace fs = std::filesystem;
using Ordered = nlohmann::ordered_json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string golden_text() {
  return util::read_file(fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "tests" / "dataset" /
                         "data" / "golden" / "cnn_eval.json");
}

class VerifyTest : public ::testing::Test {
 protected:
  VerifyReport verify(const std::string& bytes, VerifyOptions options = {}) {
    options.any_count = options.any_count || any_count_;
    util::write_file_atomic(path_, bytes);
    return verify_cnn_eval(path_, text::testing::llama3(), options);
  }
  // The report's check called `name`.
  static const VerifyCheck& check(const VerifyReport& r, std::string_view name) {
    for (const VerifyCheck& c : r.checks) {
      if (c.name == name) return c;
    }
    static const VerifyCheck kMissing{"missing", false, "no such check"};
    return kMissing;
  }
  static std::vector<std::string> failed(const VerifyReport& r) {
    std::vector<std::string> names;
    for (const VerifyCheck& c : r.checks) {
      if (!c.ok) names.push_back(c.name);
    }
    return names;
  }
  // The golden file edited as JSON and written back in Python's layout (ordered_json's dump(4)
  // is json.dump(indent=4, ensure_ascii=False) for this content).
  VerifyReport verify_edited(const std::function<void(Ordered&)>& edit) {
    Ordered j = Ordered::parse(golden_text());
    edit(j);
    return verify(j.dump(4));
  }

  accuracy::testing::TempDir tmp_;
  fs::path path_ = tmp_.path() / "cnn_eval.json";
  bool any_count_ = true;
};

TEST_F(VerifyTest, CorrectFilePassesEveryCheck) {
  const std::string bytes = golden_text();
  const VerifyReport r = verify(bytes);
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(failed(r));
  EXPECT_EQ(r.samples, 6u);
  EXPECT_EQ(r.bytes, bytes.size());
  EXPECT_EQ(r.sha256, util::sha256_hex(bytes));
  EXPECT_EQ(r.kind, "custom set");
  ASSERT_TRUE(r.lengths.has_value());
  EXPECT_GT(r.lengths->min, 40u);
  EXPECT_LE(r.lengths->min, r.lengths->p99);
  EXPECT_EQ(r.lengths->p99, r.lengths->max);  // 6 samples: the nearest-rank p99 is the max
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_THAT(check(r, "layout").detail, HasSubstr("byte-identical"));
}

TEST_F(VerifyTest, CountMustBeAnMlperfSetUnlessAnyCount) {
  any_count_ = false;
  const VerifyReport r = verify(golden_text());
  EXPECT_THAT(failed(r), ::testing::ElementsAre("count"));
  EXPECT_THAT(check(r, "count").detail, HasSubstr("13368 (full), 5000 (edge) or 1000"));
}

TEST_F(VerifyTest, CalibrationCountExpectsTheStringForm) {
  any_count_ = false;
  const ArticleSource source = read_articles(
      fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "tests/dataset/data/golden/validation.csv",
      SourceFormat::kCsv);
  std::vector<size_t> indices(kCalibrationSampleCount);
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = i % source.articles.size();
  auto samples = build_samples(source, indices, InstructionForm::kString, text::testing::llama3());
  VerifyReport r = verify(cnn_eval_json(samples));
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(failed(r));
  EXPECT_EQ(r.kind, "calibration set");
  ASSERT_EQ(r.warnings.size(), 1u);  // the six articles repeat
  EXPECT_THAT(r.warnings[0], StartsWith("994 duplicate articles; sample 6 repeats sample 0"));

  samples[7].instruction_form = InstructionForm::kLlamaObject;
  r = verify(cnn_eval_json(samples));
  EXPECT_THAT(failed(r), ::testing::ElementsAre("fields"));
  EXPECT_EQ(check(r, "fields").detail,
            "1 sample; sample 7: field 'instruction' is {\"llama\": template}, the calibration "
            "set has the template string");
}

TEST_F(VerifyTest, FieldOrderExtraFieldsAndTypesNameTheSample) {
  VerifyReport r = verify_edited([](Ordered& j) {
    Ordered& s = j[2];
    const Ordered tokens = s["tok_input"];
    s.erase("tok_input");
    s["tok_input"] = tokens;  // now after output
  });
  EXPECT_EQ(check(r, "fields").detail,
            "sample 2: field 'output' where MLPerf's layout has 'tok_input' (instruction, input, "
            "tok_input, output, in that order)");
  EXPECT_FALSE(r.lengths.has_value());

  r = verify_edited([](Ordered& j) { j[1]["id"] = "x"; });
  EXPECT_EQ(check(r, "fields").detail, "sample 1: unexpected field 'id' after 'output'");

  r = verify_edited([](Ordered& j) { j[3]["tok_input"][4] = 128256; });
  EXPECT_EQ(check(r, "fields").detail,
            "sample 3: tok_input[4] = 128256 is not a valid token id (vocab size 128256)");

  r = verify_edited([](Ordered& j) { j[0]["instruction"] = {{"mistral", "x"}}; });
  EXPECT_EQ(check(r, "fields").detail,
            "sample 0: field 'instruction' must be {\"llama\": template} (got key 'mistral')");

  r = verify_edited([](Ordered& j) { j[5]["output"] = ""; });
  EXPECT_EQ(check(r, "fields").detail, "1 sample; sample 5: field 'output' is empty");
}

TEST_F(VerifyTest, TemplateAndTokInputMismatches) {
  VerifyReport r = verify_edited([](Ordered& j) {
    const int32_t id = j[4]["tok_input"][10].get<int32_t>();
    j[4]["tok_input"][10] = id + 1;
  });
  EXPECT_THAT(failed(r), ::testing::ElementsAre("tok_input"));
  EXPECT_THAT(check(r, "tok_input").detail, StartsWith("1 sample; sample 4: tok_input[10] is "));

  r = verify_edited([](Ordered& j) { j[1]["tok_input"].erase(j[1]["tok_input"].size() - 1); });
  EXPECT_THAT(check(r, "tok_input").detail, HasSubstr("sample 1: tok_input["));
  EXPECT_THAT(check(r, "tok_input").detail, HasSubstr("is end, the tokenizer gives"));

  r = verify_edited([](Ordered& j) { j[0]["instruction"]["llama"] = "Summarize:\n{input}"; });
  EXPECT_THAT(failed(r), ::testing::ElementsAre("template", "tok_input"));
  EXPECT_EQ(check(r, "template").detail,
            "1 sample; sample 0: field 'instruction' is not the MLPerf template");
}

TEST_F(VerifyTest, PromptsAboveTheBoundFail) {
  ArticleSource source;
  source.origin = "long";
  std::string article;
  for (int i = 0; i < 2600; ++i) article += " word";
  source.articles.push_back({"", "Short one.", "h", ""});
  source.articles.push_back({"", article, "h", ""});
  const auto samples = build_samples(source, std::vector<size_t>{0, 1},
                                     InstructionForm::kLlamaObject, text::testing::llama3());
  const VerifyReport r = verify(cnn_eval_json(samples));
  EXPECT_THAT(failed(r), ::testing::ElementsAre("length"));
  EXPECT_EQ(check(r, "length").detail,
            fmt::format("1 sample; sample 1: {} tokens (above the 2540-token bound)",
                        samples[1].tok_input.size()));
  EXPECT_EQ(r.lengths->max_sample, 1u);
}

TEST_F(VerifyTest, LayoutMustBePythonsJsonDump) {
  const Ordered j = Ordered::parse(golden_text());
  VerifyReport r = verify(j.dump(2));
  EXPECT_THAT(failed(r), ::testing::ElementsAre("layout"));
  EXPECT_EQ(check(r, "layout").detail,
            "sample 0: the bytes differ from json.dump(indent=4, ensure_ascii=False) at line 2 "
            "(byte 4)");
  r = verify(golden_text() + "\n");
  EXPECT_EQ(check(r, "layout").detail,
            "1 bytes after the array (json.dump writes no trailing newline)");
}

TEST_F(VerifyTest, ExpectedSha256) {
  const std::string bytes = golden_text();
  VerifyOptions o;
  o.expected_sha256 = util::sha256_hex(bytes);
  EXPECT_TRUE(verify(bytes, o).ok());
  o.expected_sha256 = std::string(64, '0');
  const VerifyReport r = verify(bytes, o);
  EXPECT_THAT(failed(r), ::testing::ElementsAre("sha256"));
}

TEST_F(VerifyTest, UnreadableContentIsAFailedCheckNotACrash) {
  const std::string bytes = golden_text();
  VerifyReport r = verify(bytes.substr(0, bytes.size() / 2));
  EXPECT_THAT(failed(r), ::testing::ElementsAre("fields"));
  EXPECT_THAT(check(r, "fields").detail, StartsWith("invalid JSON: "));
  EXPECT_THAT(check(r, "fields").detail, HasSubstr("(in sample "));
  r = verify("{}");
  EXPECT_EQ(check(r, "fields").detail, "expected a JSON array of samples (got object)");
  EXPECT_THROW(verify_cnn_eval(tmp_.path() / "absent.json", text::testing::llama3(), {}), Error);
}

}  // namespace
}  // namespace infermark::dataset
