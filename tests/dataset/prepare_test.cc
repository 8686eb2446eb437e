// Building cnn_eval.json files through the library: the full set, the seeded edge subset and the
// calibration set of a small CNN-DailyMail-style split equal, byte for byte, golden files made
// by independent tools (tests/dataset/data/golden/make_golden.py: Python csv, Hugging Face's
// tokenizer, NumPy, json.dump); the three source formats give the same file; the shuffled subset
// is NumPy's permutation prefix; the id list keeps its order; and bad selections are errors.
#include "dataset/prepare.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>

#include "accuracy/python_peer.h"
#include "dataset/cnn_eval_writer.h"
#include "dataset/numpy_random.h"
#include "text/llama3_tokenizer.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"
#include "util/sha256.h"

namespace infermark::dataset {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

fs::path golden(const std::string& name) {
  return fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "tests" / "dataset" / "data" / "golden" /
         name;
}

const text::Tokenizer& tokenizer() { return text::testing::llama3(); }

std::string prepared(const ArticleSource& source, const Selection& selection) {
  const std::vector<size_t> indices = select_articles(source, selection);
  return cnn_eval_json(
      build_samples(source, indices, instruction_form_for(selection), tokenizer()));
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

ArticleSource numbered_source(size_t n) {
  ArticleSource s;
  s.origin = "numbered";
  for (size_t i = 0; i < n; ++i) {
    s.articles.push_back({fmt::format("id{}", i), fmt::format("a{}", i), "h", ""});
  }
  return s;
}

TEST(PrepareTest, FullEdgeAndCalibrationEqualTheGoldenFiles) {
  const ArticleSource source = read_articles(golden("validation.csv"), SourceFormat::kAuto);
  ASSERT_EQ(source.articles.size(), 6u);

  EXPECT_EQ(prepared(source, {}), util::read_file(golden("cnn_eval.json")));

  Selection edge;
  edge.kind = Selection::Kind::kShuffledSubset;
  edge.n_samples = 3;
  EXPECT_EQ(prepared(source, edge), util::read_file(golden("cnn_eval_3.json")));

  Selection calibration;
  calibration.kind = Selection::Kind::kIdList;
  calibration.ids = read_id_list(golden("calibration-list.txt"));
  calibration.ids_origin = "calibration-list.txt";
  EXPECT_EQ(prepared(source, calibration),
            util::read_file(golden("cnn_dailymail_calibration.json")));
}

TEST(PrepareTest, JsonLinesAndJsonArraySourcesGiveTheSameFile) {
  const ArticleSource csv = read_articles(golden("validation.csv"), SourceFormat::kCsv);
  std::string lines;
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const SourceArticle& a : csv.articles) {
    const nlohmann::ordered_json o = {
        {"id", a.id}, {"article", a.article}, {"highlights", a.highlights}};
    lines += o.dump() + "\n";  // datasets' to_json: one compact object per line
    array.push_back(o);
  }
  const std::string expected = util::read_file(golden("cnn_eval.json"));
  EXPECT_EQ(prepared(parse_articles(lines, "x.jsonl", SourceFormat::kAuto), {}), expected);
  EXPECT_EQ(prepared(parse_articles(array.dump(2), "x.json", SourceFormat::kAuto), {}), expected);
}

TEST(PrepareTest, ShuffledSubsetIsTheFirstNOfNumpysPermutation) {
  const ArticleSource source = numbered_source(13368);
  Selection s;
  s.kind = Selection::Kind::kShuffledSubset;
  s.n_samples = 5000;
  const std::vector<size_t> picked = select_articles(source, s);
  ASSERT_EQ(picked.size(), 5000u);
  // default_rng(42).permutation(13368)[:5] as NumPy prints it.
  EXPECT_THAT(std::vector<size_t>(picked.begin(), picked.begin() + 5),
              ElementsAre(1517, 10554, 910, 12519, 158));
  const std::vector<uint64_t> permutation = numpy_permutation(13368, 42);
  EXPECT_TRUE(std::equal(picked.begin(), picked.end(), permutation.begin()));

  s.n_samples = 13369;
  EXPECT_EQ(error_of([&] { select_articles(source, s); }),
            "numbered: cannot take 13369 samples from 13368 articles");
}

TEST(PrepareTest, IdListKeepsItsOrderAndTheLastOccurrenceOfAnId) {
  ArticleSource source = numbered_source(5);
  source.articles[4].id = "id1";  // repeated id: prepare-calibration.py's dict keeps the last
  Selection s;
  s.kind = Selection::Kind::kIdList;
  s.ids = parse_id_list("id3\nid1\r\nid0", "list.txt");
  s.ids_origin = "list.txt";
  EXPECT_THAT(select_articles(source, s), ElementsAre(3, 4, 0));
  const auto samples =
      build_samples(source, select_articles(source, s), InstructionForm::kString, tokenizer());
  EXPECT_EQ(samples[1].input, "a4");
  EXPECT_EQ(samples[1].instruction_form, InstructionForm::kString);
  EXPECT_EQ(samples[1].tok_input.front(), 128000);
}

TEST(PrepareTest, IdListErrors) {
  EXPECT_THAT(parse_id_list("a\rb\r\nc\n", "l"), ElementsAre(::testing::Field(&ListedId::id, "a"),
                                                             ::testing::Field(&ListedId::id, "b"),
                                                             ::testing::Field(&ListedId::id, "c")));
  EXPECT_EQ(error_of([] { parse_id_list("a\n\nb\n", "list.txt"); }),
            "list.txt: line 2 is empty (one id per line)");

  ArticleSource source = numbered_source(3);
  Selection s;
  s.kind = Selection::Kind::kIdList;
  s.ids_origin = "list.txt";
  EXPECT_EQ(error_of([&] { select_articles(source, s); }), "list.txt: the id list is empty");
  s.ids = parse_id_list("id2\nid9\n", "list.txt");
  EXPECT_EQ(error_of([&] { select_articles(source, s); }),
            "list.txt: line 2: id 'id9' is not in numbered (3 articles)");
  for (SourceArticle& a : source.articles) a.id.clear();
  EXPECT_EQ(error_of([&] { select_articles(source, s); }),
            "numbered: the articles have no 'id' (the id list selects by id)");
}

TEST(PrepareTest, WritesAtomicallyAndReportsSizeAndHash) {
  accuracy::testing::TempDir tmp;
  const ArticleSource source = read_articles(golden("validation.csv"), SourceFormat::kCsv);
  const auto samples = build_samples(source, select_articles(source, {}),
                                     InstructionForm::kLlamaObject, tokenizer());
  const fs::path out = tmp.path() / "cnn_eval.json";
  const WrittenFile written = write_cnn_eval_file(out, samples);
  const std::string bytes = util::read_file(out);
  EXPECT_EQ(bytes, util::read_file(golden("cnn_eval.json")));
  EXPECT_EQ(written.bytes, bytes.size());
  EXPECT_EQ(written.sha256, util::sha256_hex(bytes));
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.path()), fs::directory_iterator()), 1);

  EXPECT_THROW(write_cnn_eval_file(tmp.path() / "missing" / "x.json", samples), Error);
  EXPECT_FALSE(fs::exists(tmp.path() / "missing"));
}

}  // namespace
}  // namespace infermark::dataset
