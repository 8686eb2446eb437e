// A results folder that cannot take the results: read-only, on a full disk, under a file-size
// limit (RLIMIT_FSIZE), or filling up during the run. Each gives one clear error naming the
// folder or file and the system's reason, the process exits with 1 (it is not killed by
// SIGXFSZ), and nothing is left behind that claims to be a result: no MLPerf log, no temporary
// file. Read-only mounts and small disks are real: a tmpfs or a read-only bind mount inside a
// user + mount namespace (unshare), skipped where the kernel does not allow those.
//
// Also a dataset whose prompt cannot fit the model's context (a 1 MB article) is refused before
// the run, naming the sample.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "util/json.h"

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;  // -1: killed by a signal
  std::string err;
};

fs::path scratch() {
  static const fs::path root = [] {
    const fs::path p = fs::path(::testing::TempDir()) / ("results_" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
  }();
  return root;
}

// Runs `script` with /bin/sh, $IM naming the infermark binary; stderr captured. Paths in the
// scripts are unquoted: the scratch folder has no spaces or quotes in it.
Outcome sh(const std::string& script) {
  const fs::path err = scratch() / "stderr.txt";
  std::string cmd = "IM=";  // built step by step: GCC 12 warns (-Wrestrict) on "..." + string
  cmd += std::getenv("INFERMARK_BIN");
  cmd += "; export IM; (" + script + ") >/dev/null 2>" + err.string();
  const int status = std::system(cmd.c_str());
  Outcome o;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err);
  std::ostringstream ss;
  ss << in.rdbuf();
  o.err = ss.str();
  return o;
}

// The bare load generator on a null SUT: 3,000 samples write ~1.5 MB of logs in about a second.
std::string null_run(const fs::path& out) {
  return "$IM run --sut null --qsl-size 3000 --quick --no-progress --output " + out.string();
}

bool namespaces_allowed() {
  return std::system("unshare --user --map-root-user --mount true >/dev/null 2>&1") == 0;
}

// `setup` (mount commands) then `commands` (without single quotes), inside a fresh user + mount
// namespace; its exit status is the last command's.
std::string in_namespace(const std::string& setup, const std::string& commands) {
  return "unshare --user --map-root-user --mount /bin/sh -c '" + setup + " && " + commands + "'";
}

// Regular files under `dir`, relative.
std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  }
  return out;
}

void expect_clear_failure(const Outcome& o, const std::string& names, const std::string& reason) {
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("infermark: error: " + names), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(reason), std::string::npos) << o.err;
}

TEST(ResultsFolderTest, FolderThatCannotBeCreatedIsRefusedBeforeTheRun) {
  const Outcome o = sh(null_run("/proc/self/infermark-results"));
  expect_clear_failure(o, "/proc/self/infermark-results: cannot create folder", "");
}

TEST(ResultsFolderTest, ReadOnlyFolderIsRefusedBeforeTheRun) {
  if (!namespaces_allowed()) GTEST_SKIP() << "unshare --user --mount is not allowed here";
  const fs::path dir = scratch() / "read_only";
  fs::create_directories(dir / "out");
  const Outcome o = sh(in_namespace("mount --bind -o ro " + dir.string() + " " + dir.string(),
                                    null_run(dir / "out")));
  expect_clear_failure(o, (dir / "out").string() + ": folder is not writable",
                       "Read-only file system");
  EXPECT_TRUE(files_under(dir).empty());
}

TEST(ResultsFolderTest, FullDiskIsRefusedBeforeTheRun) {
  if (!namespaces_allowed()) GTEST_SKIP() << "unshare --user --mount is not allowed here";
  const fs::path dir = scratch() / "full";
  fs::create_directories(dir);
  // 32 KiB of space: less than the 64 KiB probe written before the run.
  const Outcome o =
      sh(in_namespace("mount -t tmpfs -o size=32k tmpfs " + dir.string(), null_run(dir / "out")));
  expect_clear_failure(o, (dir / "out").string() + ": cannot write files in this folder",
                       "No space left on device");
}

TEST(ResultsFolderTest, DiskFillingDuringTheRunLeavesNoPartialResults) {
  if (!namespaces_allowed()) GTEST_SKIP() << "unshare --user --mount is not allowed here";
  const fs::path dir = scratch() / "filling";
  fs::create_directories(dir);
  const fs::path listing = scratch() / "filling.txt";
  // 256 KiB: the probe passes, the run's logs do not fit. The listing is taken inside the
  // namespace, where the tmpfs is.
  const Outcome o = sh(in_namespace("mount -t tmpfs -o size=256k tmpfs " + dir.string(),
                                    null_run(dir / "out") + "; s=$?; find " + dir.string() +
                                        " -type f >" + listing.string() + "; exit $s"));
  expect_clear_failure(o, (dir / "out").string() + "/mlperf_log_", "No space left on device");
  std::ifstream in(listing);
  std::string left((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(left, "") << "files left in the results folder";
}

TEST(ResultsFolderTest, FileSizeLimitBelowTheProbeIsRefusedBeforeTheRun) {
  const fs::path out = scratch() / "fsize_small";
  const Outcome o = sh("ulimit -f 16; " + null_run(out));  // 16 KiB per file
  expect_clear_failure(o, out.string() + ": cannot write files in this folder", "File too large");
  EXPECT_TRUE(files_under(out).empty());
}

TEST(ResultsFolderTest, FileSizeLimitHitDuringTheRunIsAClearErrorWithNoPartialFiles) {
  const fs::path out = scratch() / "fsize_run";
  const Outcome o = sh("ulimit -f 256; " + null_run(out));  // the probe fits, the trace not
  expect_clear_failure(o, out.string() + "/mlperf_log_", "File too large");
  const auto left = files_under(out);
  EXPECT_TRUE(left.empty()) << left.front();
}

TEST(ResultsFolderTest, PromptLongerThanTheContextIsRefusedBeforeTheRun) {
  const fs::path model = scratch() / "model";
  const Outcome made = sh("$IM make-model --shape tiny --out " + model.string() + " --tokenizer " +
                          INFERMARK_LLAMA3_TOKENIZER_DIR + " --seed 3");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  // A 1 MB article (about 220,000 tokens; the tiny model has a 131,072-token context) among
  // ordinary ones.
  std::string article;
  while (article.size() < 1'000'000) article += "The quick brown fox jumps over the lazy dog. ";
  infermark::util::Json samples = infermark::util::Json::array();
  samples.push_back({{"input", "A short article."}, {"output", "Short."}});
  samples.push_back({{"input", article}, {"output", "A fox jumped."}});
  const fs::path dataset = scratch() / "long.json";
  std::ofstream(dataset) << samples.dump();
  const fs::path out = scratch() / "long_out";
  const Outcome o = sh("$IM run --model " + model.string() + " --dataset " + dataset.string() +
                       " --quick --no-progress --output " + out.string());
  expect_clear_failure(o, dataset.string() + ": sample 1: the prompt has ",
                       "more than the model's context of 131072");
  EXPECT_TRUE(files_under(out / "results").empty());
}

}  // namespace
