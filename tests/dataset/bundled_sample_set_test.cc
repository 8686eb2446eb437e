// The bundled sample set data/cnn_eval_sample.json: loads through the real loader, has the
// MLPerf shape (instruction template, BOS-first tok_input, highlight-style references), agrees
// with its source file, and is byte-for-byte what Python's json.dump(indent=4,
// ensure_ascii=False) writes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include "util/sha256.h"
#include "dataset/prompt.h"
#include "dataset/sample_set.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace infermark::dataset {
namespace {

std::filesystem::path data_file(const std::string& name) {
  return std::filesystem::path(std::getenv("INFERMARK_SOURCE_DIR")) / "data" / name;
}

size_t word_count(const std::string& s) {
  std::istringstream in(s);
  size_t n = 0;
  for (std::string w; in >> w;) ++n;
  return n;
}

TEST(BundledSampleSetTest, LoadsWithAtLeast32WellFormedSamples) {
  LoadOptions o;
  o.vocab_size = 128256;
  SampleSet set = SampleSet::load(data_file("cnn_eval_sample.json"), o);
  ASSERT_GE(set.size(), 32u);
  EXPECT_EQ(set.variant(), Variant::kOther);
  EXPECT_EQ(set.tokenized_count(), 0u);
  EXPECT_EQ(set.sha256(), util::sha256_file(data_file("cnn_eval_sample.json")));
  std::set<std::string> inputs;
  for (size_t i = 0; i < set.size(); ++i) {
    const Sample& s = set[i];
    EXPECT_EQ(s.instruction, std::string(kMlperfPromptTemplate)) << i;
    ASSERT_FALSE(s.tok_input.empty());
    EXPECT_EQ(s.tok_input.front(), 128000) << i;  // BOS, as tokenizer.encode adds it
    size_t words = word_count(s.input);
    EXPECT_GE(words, 150u) << i;
    EXPECT_LE(words, 400u) << i;
    // Roughly 1.1-1.6 tokens per word for English news prose plus the ~30-token template.
    EXPECT_GT(s.tok_input.size(), words) << i;
    EXPECT_LT(s.tok_input.size(), words * 2 + 40) << i;
    size_t lines = 1 + static_cast<size_t>(std::count(s.output.begin(), s.output.end(), '\n'));
    EXPECT_GE(lines, 2u) << i;
    EXPECT_LE(lines, 4u) << i;
    EXPECT_TRUE(inputs.insert(s.input).second) << "duplicate article " << i;
  }
}

TEST(BundledSampleSetTest, MatchesSourceFile) {
  SampleSet set = SampleSet::load(data_file("cnn_eval_sample.json"));
  util::Json source = util::parse_json(util::read_file(data_file("cnn_eval_sample.source.json")),
                                       "cnn_eval_sample.source.json");
  ASSERT_EQ(source.size(), set.size());
  for (size_t i = 0; i < set.size(); ++i) {
    EXPECT_EQ(source[i]["input"], set[i].input) << i;
    EXPECT_EQ(source[i]["output"], set[i].output) << i;
    EXPECT_FALSE(source[i].contains("tok_input")) << i;
  }
}

TEST(BundledSampleSetTest, IsFormattedLikePythonJsonDumpIndent4) {
  // ordered_json keeps the file's key order; its dump(4) with UTF-8 left unescaped is what
  // json.dump(indent=4, ensure_ascii=False) writes for strings, ints, objects and non-empty arrays.
  std::string text = util::read_file(data_file("cnn_eval_sample.json"));
  auto j = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(j.dump(4), text);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j[0].items()) keys.push_back(k);
  EXPECT_THAT(keys, ::testing::ElementsAre("instruction", "input", "tok_input", "output"));
}

}  // namespace
}  // namespace infermark::dataset
