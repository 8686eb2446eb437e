// `infermark dataset prepare` / `verify` through the real binary: the bundled sample set
// round-trips (its articles exported to CSV, JSON Lines and a JSON array, prepared again, give
// data/cnn_eval_sample.json byte for byte); the edge and calibration options give the golden
// files; verify's report and exit code; and each kind of bad input is one stderr line naming
// the file, row and field, exit code 1, and no output written (an existing file is untouched).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "accuracy/python_peer.h"
#include "dataset/sample_set.h"
#include "support/cli_runner.h"
#include "util/atomic_file.h"
#include "util/json.h"
#include "util/sha256.h"

namespace infermark::dataset {
namespace {

namespace fs = std::filesystem;
using test_support::CliResult;
using test_support::run_infermark;
using ::testing::HasSubstr;

fs::path source_file(const std::string& relative) {
  return fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / relative;
}

std::string q(const fs::path& p) { return accuracy::testing::quoted(p); }

// RFC 4180 with every field quoted and CRLF record ends (what spreadsheet exports write).
std::string csv_field(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

class DatasetCommandTest : public ::testing::Test {
 protected:
  CliResult prepare(const fs::path& from, const std::string& extra = "") {
    return run_infermark(fmt::format("dataset prepare --from {} --tokenizer {} --out {} {}",
                                     q(from), q(INFERMARK_LLAMA3_TOKENIZER_DIR), q(out_), extra));
  }
  CliResult verify(const fs::path& file, const std::string& extra = "") {
    return run_infermark(fmt::format("dataset verify {} --tokenizer {} {}", q(file),
                                     q(INFERMARK_LLAMA3_TOKENIZER_DIR), extra));
  }
  // Writes `text` as the source, runs prepare over an existing output file, and checks the
  // failure: exit 1, one stderr line with `message`, the old output untouched.
  void expect_rejected(const std::string& name, const std::string& text,
                       const std::string& message) {
    SCOPED_TRACE(name);
    const fs::path from = tmp_.path() / name;
    util::write_file_atomic(from, text);
    util::write_file_atomic(out_, "previous contents");
    const CliResult r = prepare(from);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, fmt::format("infermark: error: {}: {}\n", from.string(), message));
    EXPECT_EQ(util::read_file(out_), "previous contents");
    EXPECT_EQ(std::distance(fs::directory_iterator(out_.parent_path()), fs::directory_iterator()),
              1)
        << "a temporary file was left beside the output";
  }

  void SetUp() override { fs::create_directory(out_.parent_path()); }

  accuracy::testing::TempDir tmp_;
  fs::path out_ = tmp_.path() / "out" / "cnn_eval.json";
};

TEST_F(DatasetCommandTest, BundledSampleSetRoundTripsThroughEverySourceFormat) {
  const fs::path bundled = source_file("data/cnn_eval_sample.json");
  const SampleSet set = SampleSet::load(bundled);
  std::string csv = "id,article,highlights\r\n", jsonl;
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (size_t i = 0; i < set.size(); ++i) {
    const std::string id = fmt::format("sample{:02}", i);
    csv += csv_field(id) + "," + csv_field(set[i].input) + "," + csv_field(set[i].output) + "\r\n";
    const nlohmann::ordered_json o = {
        {"id", id}, {"article", set[i].input}, {"highlights", set[i].output}};
    jsonl += o.dump(-1, ' ', /*ensure_ascii=*/true) + "\n";
    array.push_back(o);
  }
  const std::string expected = util::read_file(bundled);
  for (const auto& [name, text] : {std::pair<std::string, std::string>{"split.csv", csv},
                                   {"split.jsonl", jsonl},
                                   {"split.json", array.dump(4)}}) {
    SCOPED_TRACE(name);
    util::write_file_atomic(tmp_.path() / name, text);
    const CliResult r = prepare(tmp_.path() / name);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(util::read_file(out_), expected);
    EXPECT_THAT(r.out, HasSubstr(fmt::format("{} samples", set.size())));
    EXPECT_THAT(r.out, HasSubstr(util::sha256_hex(expected)));
    EXPECT_THAT(r.err, HasSubstr("note: the CNN-DailyMail 3.0.0 validation split has 13368"));
  }
}

TEST_F(DatasetCommandTest, EdgeAndCalibrationOptionsGiveTheGoldenFiles) {
  const fs::path golden = source_file("tests/dataset/data/golden");
  CliResult r = prepare(golden / "validation.csv", "--n-samples 3 --seed 42");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(util::read_file(out_), util::read_file(golden / "cnn_eval_3.json"));
  r = prepare(golden / "validation.csv",
              "--calibration --ids " + q(golden / "calibration-list.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(util::read_file(out_), util::read_file(golden / "cnn_dailymail_calibration.json"));
  EXPECT_THAT(r.err, HasSubstr("note: MLPerf's calibration list has 1000 ids, this one 3"));
}

TEST_F(DatasetCommandTest, OptionsThatDoNotGoTogetherAreRejected) {
  const fs::path from = source_file("tests/dataset/data/golden/validation.csv");
  EXPECT_NE(prepare(from, "--ids list.txt").exit_code, 0);
  EXPECT_NE(prepare(from, "--calibration").exit_code, 0);
  EXPECT_NE(prepare(from, "--calibration --ids list.txt --n-samples 3").exit_code, 0);
  EXPECT_NE(prepare(from, "--seed 1").exit_code, 0);
  EXPECT_NE(prepare(from, "--n-samples 0").exit_code, 0);
  EXPECT_NE(run_infermark("dataset").exit_code, 0);
  EXPECT_FALSE(fs::exists(out_));
}

TEST_F(DatasetCommandTest, VerifyReportsAndExitsNonZeroOnMismatch) {
  const fs::path bundled = source_file("data/cnn_eval_sample.json");
  CliResult r = verify(bundled, "--any-count");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("sha256         " + util::sha256_file(bundled)));
  EXPECT_THAT(r.out, HasSubstr("  ok    tok_input  "));
  EXPECT_THAT(r.out, HasSubstr("\nverify: ok\n"));

  r = verify(bundled);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("  FAIL  count      34 samples: MLPerf's sets have 13368"));
  EXPECT_THAT(r.out, HasSubstr("verify: FAILED (1 of 6 checks)"));

  std::string text = util::read_file(bundled);
  const size_t at = text.find("128000,\n            ", text.find("128000", 50000));
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 6, "128001");  // one sample's BOS becomes another special token
  util::write_file_atomic(out_, text);
  r = verify(out_, "--any-count");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("FAIL  tok_input  1 sample; sample "));
  EXPECT_THAT(r.out, HasSubstr(": tok_input[0] is 128001, the tokenizer gives 128000"));
}

TEST_F(DatasetCommandTest, BadCsvInputIsRejectedWithRowAndField) {
  const std::string header = "id,article,highlights\n";
  expect_rejected("quotes.csv", header + "1,\"He said \"no\" twice\",h\n",
                  "row 2 (line 2), column 2 'article': unexpected 'n' after a closing quote "
                  "(RFC 4180: a quote inside a quoted field is doubled)");
  expect_rejected("column.csv", "id,article\n1,a\n",
                  "row 1 (line 1): missing column 'highlights' (the header has: id, article)");
  expect_rejected("empty.csv", header + "1,\"Fine,\nreally\",h\n2,\"\",h\n",
                  "row 3 (line 4): field 'article' is empty");
  expect_rejected("utf8.csv", header + "1,a,h\n2,b,\"caf\xc3\x28\"\n",
                  "row 3 (line 3): field 'highlights' is not valid UTF-8 (byte 3 of the field)");
  expect_rejected("truncated.csv", header + "1,a,h\n2,\"An article that was cut",
                  "row 3 (line 3), column 2 'article': the quoted field opened on line 3 is not "
                  "closed before the end of the file (is the file truncated?)");
}

TEST_F(DatasetCommandTest, BadJsonInputIsRejectedWithLineAndField) {
  expect_rejected("field.jsonl", "{\"article\":\"a\",\"highlights\":\"h\"}\n{\"article\":\"b\"}\n",
                  "line 2: missing field 'highlights'");
  expect_rejected("empty.json",
                  "[{\"article\":\"a\",\"highlights\":\"h\"},"
                  "{\"article\":\"\",\"highlights\":\"h\"}]",
                  "element 1: field 'article' is empty");
  const CliResult r = [&] {
    util::write_file_atomic(tmp_.path() / "cut.jsonl",
                            "{\"article\":\"a\",\"highlights\":\"h\"}\n"
                            "{\"article\":\"b\",\"highl");
    return prepare(tmp_.path() / "cut.jsonl");
  }();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cut.jsonl: line 2: invalid JSON: "));
  EXPECT_THAT(r.err, HasSubstr("is it truncated?"));
}

TEST_F(DatasetCommandTest, MissingFilesAreNamed) {
  CliResult r = prepare(tmp_.path() / "absent.csv");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("absent.csv"));
  r = run_infermark(
      fmt::format("dataset verify {} --tokenizer {}", q(out_), q(tmp_.path() / "no-tokenizer")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no-tokenizer"));
}

}  // namespace
}  // namespace infermark::dataset
