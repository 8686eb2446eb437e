// MLPerf evaluation: dedupe, decoding through the callback, post-processing, aggregation and the
// exact accuracy.txt the submission checker parses, plus the target checks.
#include "accuracy/evaluation.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "accuracy/rouge.h"
#include "python_peer.h"
#include "util/error.h"
#include "util/sha256.h"

namespace infermark::accuracy {
namespace {

// A toy "tokenizer": id k decodes to kWords[k] followed by a space.
const std::vector<std::string> kWords = {"The", "cat", "sat",    "on",      "the",  "mat.",
                                         "A",   "dog", "barked", "loudly.", "Café", "closed."};

std::string decode(std::span<const int32_t> ids) {
  std::string out;
  for (int32_t id : ids) out += kWords.at(static_cast<size_t>(id)) + " ";
  return out;
}

struct Fixture {
  SentenceSplitter splitter = SentenceSplitter::punkt(
      load_punkt_parameters(testing::source_dir() / "tests/fixtures/punkt_tab/english"));
  EvaluationOptions options() const {
    EvaluationOptions o;
    o.decode = decode;
    o.splitter = &splitter;
    o.threads = 2;
    o.keep_samples = true;
    return o;
  }
};

AccuracyLog make_log() {
  AccuracyLog log;
  auto add = [&](int64_t qsl, std::vector<int32_t> ids) {
    AccuracyLogEntry e;
    e.qsl_idx = qsl;
    e.data = std::move(ids);
    log.entries.push_back(e);
  };
  add(1, {6, 7, 8, 9});        // "A dog barked loudly. " for reference 1: a perfect match
  add(0, {10, 11});            // "Café closed. " shares nothing with reference 0
  add(1, {0, 1, 2, 3, 4, 5});  // a duplicate of qsl 1: ignored
  log.sha256 = "abc123";
  return log;
}

const std::vector<std::string> kReferences = {"The cat sat on the mat.", "A dog barked loudly."};

TEST(Evaluation, ScoresTheFirstEntryPerSample) {
  Fixture f;
  const AccuracyResults r = evaluate_accuracy_log(make_log(), kReferences, f.options());
  EXPECT_EQ(r.gen_num, 2);
  EXPECT_EQ(r.log_entries, 3u);
  // Mean of F = 1 and F = 0 for every ROUGE type.
  EXPECT_EQ(r.rouge1_text, "50.0");
  EXPECT_EQ(r.rouge2_text, "50.0");
  EXPECT_EQ(r.rougeL_text, "50.0");
  EXPECT_EQ(r.rougeLsum_text, "50.0");
  EXPECT_EQ(r.rouge1, 50.0);
  // gen_len counts code points after strip(): "A dog barked loudly." (20) + "Café closed." (12).
  EXPECT_EQ(r.gen_len, 32);
  ASSERT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(r.samples[0].qsl_idx, 1);
  EXPECT_EQ(r.samples[0].rougeLsum, 1.0);
  EXPECT_EQ(r.samples[1].qsl_idx, 0);
  EXPECT_EQ(r.samples[1].gen_len, 12);
  EXPECT_TRUE(r.exact_sentence_split);
  EXPECT_FALSE(r.check.passed());
}

TEST(Evaluation, AccuracyTxtParsesWithTheCheckerPatterns) {
  Fixture f;
  AccuracyResults r = evaluate_accuracy_log(make_log(), kReferences, f.options());
  EXPECT_EQ(format_results_dict(r),
            "{'rouge1': '50.0', 'rouge2': '50.0', 'rougeL': '50.0', 'rougeLsum': '50.0', "
            "'gen_len': 32, 'gen_num': 2}");
  const std::string txt = accuracy_txt(r);
  EXPECT_EQ(txt, "\nResults\n\n" + format_results_dict(r) + "\nhash=abc123\n");
  // The submission checker's ACC_PATTERN regexes, applied line by line with re.match.
  std::smatch m;
  std::string dict_line = format_results_dict(r);
  for (const char* key : {"rouge1", "rouge2", "rougeL", "rougeLsum"}) {
    const std::regex pattern(std::string(".*'") + key + R"(':\s+'?([\d.]+)'?.*)");
    ASSERT_TRUE(std::regex_match(dict_line, m, pattern)) << key;
    EXPECT_EQ(m[1], "50.0");
  }
  ASSERT_TRUE(std::regex_match(dict_line, m, std::regex(R"(.*'gen_len':\s([\d.]+).*)")));
  EXPECT_EQ(m[1], "32");
  const std::string hash_line = "hash=abc123";
  EXPECT_TRUE(std::regex_match(hash_line, std::regex(R"(^hash=([\w\d]+)$)")));
  testing::TempDir tmp;
  write_accuracy_txt(tmp.path() / "accuracy.txt", r);
  EXPECT_EQ(testing::read_text(tmp.path() / "accuracy.txt"), txt);
  r.log_sha256.clear();
  EXPECT_EQ(accuracy_txt(r).find("hash="), std::string::npos);
}

TEST(Evaluation, ApproximateSplitterMarksAccuracyTxtNotComparable) {
  const SentenceSplitter approximate = SentenceSplitter::approximate();
  Fixture f;
  EvaluationOptions o = f.options();
  o.splitter = &approximate;
  const AccuracyResults r = evaluate_accuracy_log(make_log(), kReferences, o);
  EXPECT_FALSE(r.exact_sentence_split);
  EXPECT_EQ(accuracy_txt(r), "\nResults\n\n" + format_results_dict(r) + "\n" +
                                 std::string(kNotComparableNote) + "\nhash=abc123\n");
}

TEST(Evaluation, ReadsTheLogFileAndRecordsItsHash) {
  Fixture f;
  testing::TempDir tmp;
  const std::string log =
      R"([{"seq_id": 0, "qsl_idx": 1, "data": ")" + int32_to_hex({6, 7, 8, 9}) + R"("}])";
  testing::write_text(tmp.path() / "mlperf_log_accuracy.json", log);
  const AccuracyResults r =
      evaluate_accuracy_log(tmp.path() / "mlperf_log_accuracy.json", kReferences, f.options());
  EXPECT_EQ(r.log_sha256, util::sha256_hex(log));
  EXPECT_EQ(r.rouge1_text, "100.0");
}

TEST(Evaluation, Errors) {
  Fixture f;
  AccuracyLog log = make_log();
  log.entries[1].qsl_idx = 7;
  try {
    evaluate_accuracy_log(log, kReferences, f.options());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("qsl_idx 7"), std::string::npos) << e.what();
  }
  EXPECT_THROW(evaluate_accuracy_log(AccuracyLog{}, kReferences, f.options()), Error);
  EvaluationOptions no_decode = f.options();
  no_decode.decode = nullptr;
  EXPECT_THROW(evaluate_accuracy_log(make_log(), kReferences, no_decode), Error);
  EvaluationOptions no_splitter = f.options();
  no_splitter.splitter = nullptr;
  EXPECT_THROW(score_texts(kReferences, kReferences, no_splitter), Error);
  EXPECT_THROW(score_texts(std::vector<std::string>{"a"}, kReferences, f.options()), Error);
}

// A log from another dataset (or a hostile one): a qsl_idx the dataset does not have is refused
// with the log file's name, before anything is scored.
TEST(Evaluation, UnknownQslIndexNamesTheLogFile) {
  Fixture f;
  const AccuracyLog log = parse_accuracy_log(
      R"([{"qsl_idx": 0, "data": "06000000"}, {"qsl_idx": 2147483647, "data": "06000000"}])",
      "run/mlperf_log_accuracy.json");
  try {
    evaluate_accuracy_log(log, kReferences, f.options());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "run/mlperf_log_accuracy.json: entry 1 (qsl_idx 2147483647): no such sample"),
              std::string::npos)
        << e.what();
  }
  try {
    evaluate_accuracy_log(parse_accuracy_log("[]", "empty.json"), kReferences, f.options());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("empty.json: no entries to score"), std::string::npos);
  }
}

TEST(Evaluation, ScoreTextsMatchesPerPairScoring) {
  Fixture f;
  const std::vector<std::string> preds = {"The cat sat. It was on the mat.",
                                          "Dogs were barking loudly. The end."};
  const AccuracyResults r = score_texts(preds, kReferences, f.options());
  ASSERT_EQ(r.samples.size(), 2u);
  RougeScorer scorer;
  const RougeScores s0 =
      scorer.score("The cat sat on the mat.", "The cat sat.\nIt was on the mat.");
  EXPECT_EQ(r.samples[0].rougeLsum, s0.rougeLsum.fmeasure);
  EXPECT_EQ(r.samples[0].gen_len, 31);  // the joining "\n" replaces one space
  // One thread and many threads give identical results.
  EvaluationOptions one = f.options();
  one.threads = 1;
  EXPECT_EQ(format_results_dict(score_texts(preds, kReferences, one)), format_results_dict(r));
  EXPECT_TRUE(r.log_sha256.empty());
}

TEST(Evaluation, TargetsUseTheCheckerThresholds) {
  AccuracyResults r;
  r.rouge1 = 38.3915, r.rouge2 = 15.7485, r.rougeL = 24.2508, r.rougeLsum = 35.4351;
  r.gen_len = 7350880, r.gen_num = 13368;
  EXPECT_TRUE(check_targets(r, AccuracyTarget::kDatacenter).passed());
  r.rouge1 = 38.3914;  // below 38.7792 * 0.99
  TargetCheck c = check_targets(r, AccuracyTarget::kDatacenter);
  EXPECT_FALSE(c.rouge1);
  ASSERT_EQ(c.failures.size(), 1u);
  EXPECT_NE(c.failures[0].find("rouge1 38.3914"), std::string::npos) << c.failures[0];
  r.rouge1 = 38.3915;
  r.gen_len = 7350879;  // below 90%
  EXPECT_FALSE(check_targets(r, AccuracyTarget::kDatacenter).gen_len);
  r.gen_len = 8984408;  // the 110% upper bound is 8984408.4
  EXPECT_TRUE(check_targets(r, AccuracyTarget::kDatacenter).gen_len);
  r.gen_len = 8984409;
  EXPECT_FALSE(check_targets(r, AccuracyTarget::kDatacenter).gen_len);
  r.gen_len = 8000000, r.gen_num = 13367;
  EXPECT_FALSE(check_targets(r, AccuracyTarget::kDatacenter).gen_num);
  // Edge: 5,000 samples and its own references.
  r.rouge1 = 38.67, r.rouge2 = 15.9536, r.rougeL = 24.3912, r.rougeLsum = 35.7628;
  r.gen_len = 3000000, r.gen_num = 5000;
  EXPECT_TRUE(check_targets(r, AccuracyTarget::kEdge).passed());
  EXPECT_EQ(accuracy_reference(AccuracyTarget::kEdge).sample_count, 5000);
}

TEST(Evaluation, TextsFile) {
  testing::TempDir tmp;
  const auto path = tmp.path() / "texts.json";
  testing::write_text(path, R"({"predictions": ["a", "b"], "references": ["c", "d"]})");
  const TextPairs pairs = read_texts_file(path);
  EXPECT_EQ(pairs.predictions, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(pairs.references, (std::vector<std::string>{"c", "d"}));
  for (const char* bad :
       {R"({"predictions": ["a"], "references": ["c", "d"]})",
        R"({"predictions": ["a", 3], "references": ["c", "d"]})", R"({"predictions": ["a"]})",
        R"([1, 2])", R"({"predictions": [], "references": []})", "{"}) {
    testing::write_text(path, bad);
    EXPECT_THROW(read_texts_file(path), Error) << bad;
  }
  testing::write_text(path, R"({"predictions": ["a", 3], "references": ["c", "d"]})");
  try {
    read_texts_file(path);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("predictions[1]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace infermark::accuracy
