// The progress line, from the load generator's live counters.
#include "harness/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace infermark::harness {
namespace {

std::string contents(std::FILE* f) {
  std::string out;
  std::rewind(f);
  for (int c; (c = std::fgetc(f)) != EOF;) out += static_cast<char>(c);
  return out;
}

TEST(ProgressTest, FinalLineShowsCountsRatesAndMeans) {
  loadgen::LiveCounters live;
  live.issued = 20;
  live.completed = 10;
  live.first_tokens = 4;
  live.ttft_sum_ns = 4 * 5'000'000;  // 5 ms
  live.tokens = 1280;
  live.tpot_samples = 10;
  live.tpot_sum_ns = 10 * 1'500'000;  // 1.5 ms
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  { ProgressReporter reporter(live, "performance", 40, out); }
  const std::string line = contents(out);
  std::fclose(out);
  EXPECT_EQ(line.rfind("[performance] 10 / 40 samples, ", 0), 0u) << line;
  EXPECT_NE(line.find(", TTFT 5 ms, TPOT 1.5 ms, ETA "), std::string::npos) << line;
  EXPECT_EQ(line.back(), '\n');
}

TEST(ProgressTest, WithoutATotalShowsIssuedAndNoMeansBeforeTheFirstToken) {
  loadgen::LiveCounters live;
  live.issued = 7;
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  { ProgressReporter reporter(live, "accuracy", 0, out); }
  const std::string line = contents(out);
  std::fclose(out);
  EXPECT_EQ(line.rfind("[accuracy] 0 / 7 samples", 0), 0u) << line;
  EXPECT_EQ(line.find("TTFT"), std::string::npos) << line;
  EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
}

}  // namespace
}  // namespace infermark::harness
