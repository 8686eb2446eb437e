// TEST06 checks: pass and fail cases for the first-token, EOS and sample-length checks, and the
// exact verify_accuracy.txt lines the submission checker looks for.
#include "accuracy/test06.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "python_peer.h"

namespace infermark::accuracy {
namespace {

constexpr int32_t kEos = 128009;

AccuracyLogEntry entry(int64_t qsl, std::vector<int32_t> data,
                       std::optional<std::vector<int32_t>> first = std::nullopt,
                       std::optional<int64_t> count = std::nullopt) {
  AccuracyLogEntry e;
  e.qsl_idx = qsl;
  e.token_count = count ? count : std::optional<int64_t>(static_cast<int64_t>(data.size()));
  e.data = std::move(data);
  e.token_data = std::move(first);
  return e;
}

AccuracyLog good_server_log() {
  AccuracyLog log;
  log.entries.push_back(entry(0, {10, 11, 12, kEos}, std::vector<int32_t>{10}));
  log.entries.push_back(entry(1, {20, 21}, std::vector<int32_t>{20, 21}));
  log.entries.push_back(entry(2, {kEos, kEos}, std::vector<int32_t>{kEos}));  // allowed
  log.entries.push_back(entry(3, {kEos}, std::vector<int32_t>{kEos}));
  log.entries.push_back(entry(4, {}, std::vector<int32_t>{}));
  return log;
}

TEST(Test06, PassingServerLog) {
  const Test06Result r =
      run_test06_checks(good_server_log(), test06_options_for_scenario("Server"));
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.first_token_pass, true);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(verify_accuracy_txt(r),
            "First token check pass: True\nEOS check pass: True\n"
            "Sample length check pass: True\nTEST06 verification complete\n");
}

TEST(Test06, OfflineSkipsTheFirstTokenCheck) {
  AccuracyLog log = good_server_log();
  for (auto& e : log.entries) e.token_data.reset();
  const Test06Result r = run_test06_checks(log, test06_options_for_scenario("Offline"));
  EXPECT_FALSE(r.first_token_pass.has_value());
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(verify_accuracy_txt(r),
            "First token check pass: Skipped\nEOS check pass: True\n"
            "Sample length check pass: True\nTEST06 verification complete\n");
  // The same log fails in Server: there is no token_data to compare.
  EXPECT_FALSE(run_test06_checks(log, test06_options_for_scenario("Server")).passed());
}

TEST(Test06, FirstTokenMismatchFails) {
  AccuracyLog log = good_server_log();
  log.entries[1].token_data = std::vector<int32_t>{20, 99};
  const Test06Result r = run_test06_checks(log, test06_options_for_scenario("SingleStream"));
  EXPECT_EQ(r.first_token_pass, false);
  EXPECT_TRUE(r.eos_pass);
  EXPECT_TRUE(r.sample_length_pass);
  EXPECT_FALSE(r.passed());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("qsl_idx 1"), std::string::npos) << r.problems[0];
  EXPECT_EQ(verify_accuracy_txt(r),
            "First token check pass: False\nEOS check pass: True\n"
            "Sample length check pass: True\nTEST06 verification failed\n");
  // A longer first-token payload is compared only over the output's length (zip).
  log.entries[1].token_data = std::vector<int32_t>{20, 21, 22};
  EXPECT_TRUE(run_test06_checks(log, test06_options_for_scenario("Server")).passed());
}

TEST(Test06, TwoTrailingEosFail) {
  AccuracyLog log = good_server_log();
  log.entries.push_back(entry(5, {1, 2, kEos, kEos}, std::vector<int32_t>{1}));
  const Test06Result r = run_test06_checks(log, test06_options_for_scenario("Server"));
  EXPECT_FALSE(r.eos_pass);
  EXPECT_EQ(r.first_token_pass, true);
  EXPECT_NE(verify_accuracy_txt(r).find("EOS check pass: False\n"), std::string::npos);
  // EOS ids come from the options: with another id, the same output passes ...
  Test06Options other = test06_options_for_scenario("Server", {2});
  EXPECT_TRUE(run_test06_checks(log, other).eos_pass);
  // ... and with Llama-3.1's list, any two EOS ids in a row fail.
  AccuracyLog mixed;
  mixed.entries.push_back(entry(0, {7, 128001, kEos}));
  EXPECT_FALSE(
      run_test06_checks(mixed, test06_options_for_scenario("Offline", {128001, 128008, kEos}))
          .eos_pass);
  // An EOS in the middle is not trailing; index 0 is never counted.
  AccuracyLog middle;
  middle.entries.push_back(entry(0, {kEos, 5, kEos}));
  middle.entries.push_back(entry(1, {kEos, kEos, 5}));
  EXPECT_TRUE(run_test06_checks(middle, test06_options_for_scenario("Offline")).eos_pass);
}

TEST(Test06, WrongTokenCountFails) {
  AccuracyLog log = good_server_log();
  log.entries[0].token_count = 3;
  log.entries[2].token_count.reset();
  const Test06Result r = run_test06_checks(log, test06_options_for_scenario("Server"));
  EXPECT_FALSE(r.sample_length_pass);
  EXPECT_TRUE(r.eos_pass);
  EXPECT_EQ(r.problems.size(), 2u);
  EXPECT_EQ(verify_accuracy_txt(r),
            "First token check pass: True\nEOS check pass: True\n"
            "Sample length check pass: False\nTEST06 verification failed\n");
}

TEST(Test06, WritesTheComplianceFolder) {
  testing::TempDir tmp;
  testing::write_text(tmp.path() / "log.json", "[]\n");
  const auto dir = tmp.path() / "compliance" / "TEST06";
  const Test06Result r = run_test06_checks(AccuracyLog{}, test06_options_for_scenario("Offline"));
  write_test06_outputs(dir, tmp.path() / "log.json", r);
  EXPECT_EQ(testing::read_text(dir / "verify_accuracy.txt"), verify_accuracy_txt(r));
  EXPECT_EQ(testing::read_text(dir / "accuracy" / "mlperf_log_accuracy.json"), "[]\n");
}

}  // namespace
}  // namespace infermark::accuracy
