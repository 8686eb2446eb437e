// `infermark run --sut null` as a user runs it: a short run writes the four files; each kind of
// bad input gives one clear line on stderr, a non-zero exit and no output folder.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "loadgen/log_parsing.h"
#include "support/cli_runner.h"

namespace {

namespace fs = std::filesystem;

using Outcome = infermark::test_support::CliResult;

// Each call captures into its own files (ctest runs this binary's tests in parallel processes).
Outcome run_cli(const std::string& args) { return infermark::test_support::run_infermark(args); }

fs::path fresh(const std::string& name) {
  const fs::path p = fs::path(::testing::TempDir()) / ("cli_" + name);
  fs::remove_all(p);
  return p;
}

std::string short_conf() {
  const fs::path p =
      fs::path(::testing::TempDir()) / ("cli_short_" + std::to_string(::getpid()) + ".conf");
  std::ofstream(p) << "*.*.min_duration = 200\n*.Offline.min_query_count = 50\n"
                      "*.*.performance_sample_count_override = 64\n";
  return p.string();
}

TEST(CliTest, ShortOfflineRunWritesTheFourFiles) {
  const fs::path out = fresh("ok");
  const Outcome o = run_cli(
      "run --sut null --qsl-size 128 --scenario Offline --mode performance "
      "--user-conf " +
      short_conf() + " --output " + out.string());
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("Result is : "), std::string::npos) << o.out;
  for (const char* f : {"mlperf_log_summary.txt", "mlperf_log_detail.txt",
                        "mlperf_log_accuracy.json", "mlperf_log_trace.json"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  const auto fields = infermark::testing::summary_fields(
      infermark::testing::read_text(out / "mlperf_log_summary.txt"));
  EXPECT_EQ(fields.at("performance_sample_count"), "64");
  EXPECT_EQ(fields.at("qsl_rng_seed"), "2085463073848966840");
  // No temporary files are left behind.
  for (const auto& e : fs::directory_iterator(out)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
  }
}

// Both wait policies run the Server scenario to a result (the latency they give is measured by
// bench/loadgen/vs-official, not here).
TEST(CliTest, ServerRunsUnderEitherWaitPolicy) {
  for (const char* wait : {"sleep", "adaptive"}) {
    const fs::path out = fresh(std::string("wait_") + wait);
    const fs::path conf = out.string() + ".conf";
    std::ofstream(conf) << "*.Server.target_qps = 2000\n*.Server.min_duration = 200\n"
                           "*.Server.min_query_count = 200\n";
    const Outcome o = run_cli("run --sut null --qsl-size 128 --scenario Server --mode performance "
                              "--loadgen-wait " + std::string(wait) + " --user-conf " +
                              conf.string() + " --output " + out.string());
    EXPECT_EQ(o.exit_code, 0) << wait << ": " << o.err;
    EXPECT_NE(o.out.find("Result is : "), std::string::npos) << wait << ": " << o.out;
  }
}

TEST(CliTest, OtherRoundsSeedsWithMlperfConf) {
  const fs::path out = fresh("v51");
  const std::string conf =
      std::string(std::getenv("INFERMARK_SOURCE_DIR")) + "/conf/mlperf-v5.1.conf";
  const Outcome o = run_cli("run --sut null --qsl-size 64 --scenario Offline --user-conf " +
                            short_conf() + " --mlperf-conf " + conf + " --output " + out.string());
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto fields = infermark::testing::summary_fields(
      infermark::testing::read_text(out / "mlperf_log_summary.txt"));
  EXPECT_EQ(fields.at("qsl_rng_seed"), "1780908523862526354");
}

struct BadCase {
  std::string name, args, expect;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class CliBadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(CliBadInputTest, OneClearLineAndNothingWritten) {
  const BadCase& c = GetParam();
  const fs::path out = fresh("bad_" + c.name);
  const Outcome o = run_cli(c.args + " --output " + out.string());
  EXPECT_NE(o.exit_code, 0);
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_NE(o.err.find(c.expect), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(out));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadInputTest,
    ::testing::Values(
        BadCase{"scenario", "run --sut null --qsl-size 8 --scenario Batch",
                "unknown scenario 'Batch'"},
        BadCase{"mode", "run --sut null --qsl-size 8 --mode fast", "unknown mode 'fast'"},
        BadCase{"qsl_zero", "run --sut null --qsl-size 0", "--qsl-size"},
        BadCase{"psc_too_big", "run --sut null --qsl-size 8 --performance-sample-count 9",
                "larger than --qsl-size 8"},
        BadCase{"not_a_number", "run --sut null --qsl-size lots", "qsl-size"},
        BadCase{"user_conf_missing", "run --sut null --qsl-size 8 --user-conf /nonexistent/u.conf",
                "/nonexistent/u.conf"},
        BadCase{"tokens", "run --sut null --qsl-size 8 --null-tokens 1", "--null-tokens"},
        BadCase{"qsl_and_dataset", "run --sut null --qsl-size 8 --dataset d.json",
                "excludes --qsl-size"},
        BadCase{"bare_option_with_dataset",
                "run --sut null --dataset d.json --performance-sample-count 4",
                "--performance-sample-count requires --qsl-size"},
        BadCase{"qsl_without_null_sut", "run --sut local --qsl-size 8",
                "--qsl-size: only with --sut null"},
        BadCase{"null_without_library", "run --sut null --scenario Server",
                "--sut null needs --qsl-size N"},
        BadCase{"loadgen", "run --sut null --qsl-size 8 --loadgen mine",
                "--loadgen: 'mine' is not builtin or official"},
        BadCase{"loadgen_wait", "run --sut null --qsl-size 8 --loadgen-wait spin",
                "--loadgen-wait: 'spin' is not sleep or adaptive"}),
    [](const auto& test) { return test.param.name; });

// Settings that used to hang or abort a run: one line naming the conf file, its line and key.
struct BadConf {
  std::string name, conf, args;
  int line;
  std::string key;
};

void PrintTo(const BadConf& c, std::ostream* os) { *os << c.name; }

class CliBadSettingsTest : public ::testing::TestWithParam<BadConf> {};

TEST_P(CliBadSettingsTest, OneLineNamingTheConfLine) {
  const BadConf& c = GetParam();
  const fs::path conf = fs::path(::testing::TempDir()) /
                        ("cli_bad_settings_" + c.name + std::to_string(::getpid()) + ".conf");
  std::ofstream(conf) << c.conf;
  const fs::path out = fresh("bad_settings_" + c.name);
  const Outcome o = run_cli("run --sut null --qsl-size 64 " + c.args + " --user-conf " +
                            conf.string() + " --output " + out.string());
  EXPECT_NE(o.exit_code, 0);
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_NE(o.err.find(conf.string() + ":" + std::to_string(c.line) + ": " + c.key),
            std::string::npos)
      << o.err;
  EXPECT_FALSE(fs::exists(out));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadSettingsTest,
    ::testing::Values(
        BadConf{"server_qps_zero", "*.*.min_duration = 100\n*.Server.target_qps = 0\n",
                "--scenario Server", 2, "*.Server.target_qps = 0"},
        BadConf{"server_qps_negative", "*.Server.target_qps = -5\n", "--scenario Server", 1,
                "*.Server.target_qps = -5"},
        BadConf{"multistream_spq_zero", "*.MultiStream.samples_per_query = 0\n",
                "--scenario MultiStream", 1, "*.MultiStream.samples_per_query = 0"},
        BadConf{"multistream_spq_zero_accuracy", "*.MultiStream.samples_per_query = 0\n",
                "--scenario MultiStream --mode accuracy", 1,
                "*.MultiStream.samples_per_query = 0"}),
    [](const auto& test) { return test.param.name; });

TEST(CliTest, MultiStreamQueryLargerThanTheSampleLibrary) {
  const fs::path out = fresh("multistream_small_qsl");
  const Outcome o =
      run_cli("run --sut null --qsl-size 3 --scenario MultiStream --output " + out.string());
  EXPECT_NE(o.exit_code, 0);
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_NE(o.err.find("*.MultiStream.samples_per_query = 8"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("--qsl-size 3"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(out));
}

// --loadgen official runs MLPerf's library when this build links it (its detail log names its
// own version, not infermark's), and otherwise says how to get it before writing anything.
TEST(CliTest, OfficialLoadGenRunsOrSaysHowToGetIt) {
  const fs::path out = fresh("official");
  const Outcome o = run_cli("run --sut null --qsl-size 32 --scenario Offline --mode performance "
                            "--loadgen official --user-conf " +
                            short_conf() + " --output " + out.string());
  if (o.exit_code != 0) {
    EXPECT_NE(o.err.find("--loadgen official: this infermark was built without MLPerf's official "
                         "LoadGen"),
              std::string::npos)
        << o.err;
    EXPECT_NE(o.err.find("MLPERF_LOADGEN_ROOT"), std::string::npos) << o.err;
    EXPECT_FALSE(fs::exists(out));
    return;
  }
  const auto detail = infermark::testing::read_detail_log(out / "mlperf_log_detail.txt");
  const std::string version = infermark::testing::detail_value(detail, "loadgen_version");
  EXPECT_TRUE(version.starts_with("6.")) << version;
  EXPECT_EQ(version.find("infermark"), std::string::npos) << version;
  EXPECT_NE(o.out.find("Result is : "), std::string::npos) << o.out;
}

TEST(CliTest, UnwritableOutputFolder) {
  const fs::path file = fresh("file_in_the_way");
  std::ofstream(file) << "x";
  const Outcome o = run_cli("run --sut null --qsl-size 8 --user-conf " + short_conf() +
                            " --output " + (file / "sub").string());
  EXPECT_NE(o.exit_code, 0);
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_NE(o.err.find((file / "sub").string()), std::string::npos) << o.err;
}

TEST(CliTest, MalformedUserConfNamesFileAndLine) {
  const fs::path conf =
      fs::path(::testing::TempDir()) / ("cli_bad_" + std::to_string(::getpid()) + ".conf");
  std::ofstream(conf) << "# ok\n*.Offline.target_qps = 5 # trailing\n";
  const fs::path out = fresh("bad_conf");
  const Outcome o = run_cli("run --sut null --qsl-size 8 --user-conf " + conf.string() +
                            " --output " + out.string());
  EXPECT_NE(o.exit_code, 0);
  EXPECT_NE(o.err.find(conf.string() + ":2:"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
