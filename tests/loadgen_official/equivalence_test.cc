// The same configurations through infermark's load generator and MLPerf's official library give
// the same requested and effective settings, generated query counts, loaded sample sets, issued
// samples and accuracy log (entries, order and contents): every scenario in the performance,
// accuracy and submission modes; with token latencies (llama3_1-8b) and without (a model key
// mlperf.conf does not name); with the run lowered by a user.conf — which each load generator
// reads its own way, from its own embedded mlperf.conf — and by code; and under TEST06's
// audit.config. The SUT answers every sample at once from the issuing thread, so completion order
// is issue order and the logs are deterministic.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

#include "loadgen/conf_file.h"
#include "loadgen/loadgen.h"
#include "loadgen/log_parsing.h"
#include "support/official_loadgen.h"

namespace infermark::loadgen_official {
namespace {

namespace fs = std::filesystem;
using loadgen::Mode;
using loadgen::Scenario;

// Answers each sample at once with 2 + index % 5 int32 tokens (the first one first, outside
// Offline), and records the issued indices.
class ScriptedSut final : public loadgen::SystemUnderTest {
 public:
  explicit ScriptedSut(bool first_token) : first_token_(first_token) {}
  std::string name() const override { return "ScriptedSUT"; }
  void issue(std::span<const loadgen::QuerySample> samples, loadgen::Responder& r) override {
    for (const auto& s : samples) {
      issued_.push_back(s.index);
      std::vector<int32_t> tokens;
      for (uint64_t k = 0; k < 2 + s.index % 5; ++k) tokens.push_back(int32_t(s.index * 10 + k));
      const auto bytes = std::as_bytes(std::span(tokens));
      if (first_token_) r.first_token(std::vector{loadgen::SampleResponse{s.id, bytes.first(4), 1}});
      r.complete(std::vector{loadgen::SampleResponse{s.id, bytes, int64_t(tokens.size())}});
    }
  }
  const std::vector<uint64_t>& issued() const { return issued_; }

 private:
  const bool first_token_;
  std::vector<uint64_t> issued_;  // only the issuing thread writes
};

class RecordingQsl final : public loadgen::SampleLibrary {
 public:
  std::string name() const override { return "RecordingQSL"; }
  uint64_t total_count() const override { return 40; }
  uint64_t performance_count() const override { return 20; }
  void load(std::span<const loadgen::SampleIndex> i) override { loads_.emplace_back(i.begin(), i.end()); }
  void unload(std::span<const loadgen::SampleIndex>) override {}
  const std::vector<std::vector<uint64_t>>& loads() const { return loads_; }

 private:
  std::vector<std::vector<uint64_t>> loads_;
};

struct Config {
  Scenario scenario;
  Mode mode;
  bool tokens;     // llama3_1-8b (use_token_latencies = 1) or a key mlperf.conf does not name
  bool user_conf;  // the run lowered by user.conf, or by code
  bool audit;      // TEST06's audit.config
};

std::string config_name(const ::testing::TestParamInfo<Config>& info) {
  const Config& c = info.param;
  const char* mode = c.mode == Mode::kPerformanceOnly ? "Performance"
                     : c.mode == Mode::kAccuracyOnly  ? "Accuracy"
                                                      : "Submission";
  return std::string(loadgen::to_string(c.scenario)) + mode + (c.tokens ? "Tokens" : "NoTokens") +
         (c.user_conf ? "UserConf" : "Code") + (c.audit ? "Test06" : "");
}

constexpr std::string_view kUserConf =
    "*.*.min_duration = 0\n"
    "*.Server.min_duration = 40\n"
    "*.*.min_query_count = 40\n"
    "*.*.performance_sample_count_override = 0\n"
    "*.Server.target_qps = 1000\n"
    "*.Offline.target_qps = 100\n"
    "*.SingleStream.target_latency = 1\n"
    "*.MultiStream.target_latency = 2\n";

// What kUserConf says, in code.
void lower(loadgen::TestSettings& t) {
  t.min_duration_ms = t.scenario == Scenario::kServer ? 40 : 0;
  t.min_query_count = 40;
  t.performance_sample_count_override = 0;
  t.server_target_qps = 1000;
  t.offline_expected_qps = 100;
  t.single_stream_expected_latency_ns = 1e6;
  t.multi_stream_expected_latency_ns = 2e6;
}

constexpr std::string_view kTest06Audit =
    "*.*.mode = 2\n*.*.accuracy_log_rng_seed = 720381539243781796\n"
    "*.*.accuracy_log_sampling_target = 100\n*.*.min_query_count = 100\n"
    "*.*.min_duration = 0\n*.*.sample_concatenate_permutation = 0\n";

struct Outcome {
  std::vector<infermark::testing::DetailEntry> detail;
  nlohmann::json accuracy;
  std::vector<uint64_t> issued;
  std::vector<std::vector<uint64_t>> loads;
};

class EquivalenceTest : public ::testing::TestWithParam<Config> {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("official_equivalence_" + config_name({GetParam(), 0}));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const Config& c = GetParam();
    if (c.user_conf) std::ofstream(dir_ / "user.conf") << kUserConf;
    if (c.audit) std::ofstream(dir_ / "audit.config") << kTest06Audit;
  }

  // Each load generator reads the conf files itself: infermark with its parser and embedded
  // mlperf.conf, the library with TestSettings::FromConfig and its own.
  loadgen::TestSettings settings(bool official) const {
    const Config& c = GetParam();
    const std::string key = c.tokens ? "llama3_1-8b" : "infermark-test";
    const std::string user_conf = c.user_conf ? (dir_ / "user.conf").string() : "";
    loadgen::TestSettings t =
        official ? settings_from_config(key, c.scenario, user_conf)
                 : loadgen::load_settings({key, c.scenario, c.mode, "", user_conf}).settings;
    t.mode = c.mode;
    if (!c.user_conf) lower(t);
    return t;
  }

  Outcome run(bool official) const {
    const Config& c = GetParam();
    ScriptedSut sut(c.scenario != Scenario::kOffline);
    RecordingQsl qsl;
    loadgen::LogSettings ls;
    ls.outdir = dir_ / (official ? "official" : "builtin");
    loadgen::StartOptions ro;
    if (c.audit) ro.audit_config = dir_ / "audit.config";
    const loadgen::TestSettings t = settings(official);
    const loadgen::RunResult r = official ? loadgen_official::run(sut, qsl, t, ls, ro)
                                          : loadgen::run(sut, qsl, t, ls, ro);
    return {infermark::testing::read_detail_log(r.detail_path),
            nlohmann::json::parse(infermark::testing::read_text(r.accuracy_path)), sut.issued(),
            qsl.loads()};
  }

  fs::path dir_;
};

// The (key, value) entries of `keys`' kind, in log order.
std::vector<std::pair<std::string, nlohmann::json>> entries(
    const std::vector<infermark::testing::DetailEntry>& detail, bool (*wanted)(const std::string&)) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  for (const auto& e : detail) {
    if (wanted(e.key)) out.emplace_back(e.key, e.value);
  }
  return out;
}

bool is_setting(const std::string& k) {
  return k.starts_with("requested_") || k.starts_with("effective_");
}
bool is_generated(const std::string& k) {
  return k == "loaded_qsl_set" || k.starts_with("generated_") || k == "result_query_count";
}
bool is_error(const std::string& k) { return k.starts_with("error_"); }

TEST_P(EquivalenceTest, BothLoadGeneratorsDoTheSame) {
  IM_REQUIRE_OFFICIAL_LOADGEN();
  const Outcome builtin = run(false);
  const Outcome official = run(true);
  EXPECT_EQ(entries(builtin.detail, is_setting), entries(official.detail, is_setting));
  EXPECT_EQ(entries(builtin.detail, is_generated), entries(official.detail, is_generated));
  EXPECT_EQ(entries(builtin.detail, is_error), entries(official.detail, is_error));
  EXPECT_EQ(builtin.loads, official.loads);
  EXPECT_EQ(builtin.issued, official.issued);
  EXPECT_EQ(builtin.accuracy, official.accuracy);
  // The comparison means something: each run issued samples and logged its settings.
  EXPECT_FALSE(builtin.issued.empty());
  EXPECT_FALSE(entries(builtin.detail, is_setting).empty());
  const Config& c = GetParam();
  if (c.mode != Mode::kPerformanceOnly || c.audit) {
    EXPECT_FALSE(builtin.accuracy.empty());
  }
}

std::vector<Config> all_configs() {
  std::vector<Config> out;
  for (Scenario s : {Scenario::kOffline, Scenario::kServer, Scenario::kSingleStream,
                     Scenario::kMultiStream}) {
    for (Mode m : {Mode::kPerformanceOnly, Mode::kAccuracyOnly, Mode::kSubmission}) {
      for (bool tokens : {true, false}) {
        for (bool user_conf : {true, false}) out.push_back({s, m, tokens, user_conf, false});
      }
    }
    out.push_back({s, Mode::kPerformanceOnly, true, true, true});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllConfigurations, EquivalenceTest, ::testing::ValuesIn(all_configs()),
                         config_name);

}  // namespace
}  // namespace infermark::loadgen_official
