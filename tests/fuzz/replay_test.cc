// Replays every fuzz target (fuzz_target.h) over its committed seed corpus and every input kept
// under regressions/ (crashes, hangs and leaks the fuzzers found, each fixed): in the ordinary
// build they must pass, and in the ASan+UBSan build they must pass without a report.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_target.h"

namespace infermark::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path fuzz_dir() { return fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "tests" / "fuzz"; }

std::vector<fs::path> inputs(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename() != "README.md") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class FuzzReplay : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzReplay, SeedCorpusAndRegressionsRunCleanly) {
  const TargetFn fn = targets().at(GetParam());
  const auto seeds = inputs(fuzz_dir() / "corpus" / GetParam());
  EXPECT_FALSE(seeds.empty()) << "no seed corpus in tests/fuzz/corpus/" << GetParam();
  auto all = seeds;
  for (const auto& p : inputs(fuzz_dir() / "regressions" / GetParam())) all.push_back(p);
  for (const auto& p : all) {
    SCOPED_TRACE(p.string());
    const std::string bytes = read_bytes(p);
    fn(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : targets()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllTargets, FuzzReplay, ::testing::ValuesIn(target_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace infermark::fuzz
