// The HTTP SUT (`--sut http://…`) under MLPerf's official library: accuracy runs of a
// loopback OpenAI-compatible fake server, Offline and Server, through both load generators give
// the same accuracy log per sample (output ids, first-token data outside Offline, token count),
// and the official one logs no error — the first token arrives before completion, n_tokens is
// set — exactly as the llama3.1-8b rules require.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "loadgen/loadgen.h"
#include "loadgen/log_parsing.h"
#include "support/official_loadgen.h"
#include "sut/http/http_sut.h"
#include "sut/http/support/fake_openai_server.h"
#include "sut/http/support/recording_responder.h"
#include "sut/null_qsl.h"

namespace infermark::loadgen_official {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using loadgen::Scenario;

std::vector<std::vector<int32_t>> prompts(int n) {
  std::vector<std::vector<int32_t>> out;
  for (int i = 0; i < n; ++i) {
    std::vector<int32_t> p = {128000};
    for (int k = 0; k < 16; ++k) p.push_back(2000 + 31 * i + k);
    out.push_back(std::move(p));
  }
  return out;
}

// qsl_idx -> the entry without seq_id (which follows completion order).
std::map<uint64_t, nlohmann::json> by_sample(const fs::path& log) {
  std::map<uint64_t, nlohmann::json> out;
  for (nlohmann::json e : nlohmann::json::parse(infermark::testing::read_text(log))) {
    const uint64_t idx = e.at("qsl_idx").get<uint64_t>();
    e.erase("seq_id");
    out.emplace(idx, std::move(e));
  }
  return out;
}

class OfficialHttpSutTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(OfficialHttpSutTest, SameAnswersUnderBothLoadGenerators) {
  IM_REQUIRE_OFFICIAL_LOADGEN();
  const Scenario scenario = GetParam();
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("official_http_" + std::string(loadgen::to_string(scenario)));
  fs::remove_all(dir);
  test_support::FakeOpenAiServer server;
  test_support::VectorPrompts source(prompts(24));
  loadgen::TestSettings t;
  t.scenario = scenario;
  t.mode = loadgen::Mode::kAccuracyOnly;
  t.use_token_latencies = true;
  t.server_target_qps = 200;
  std::map<uint64_t, nlohmann::json> logged[2];
  for (bool official : {false, true}) {
    sut::http::HttpSutOptions o;
    o.endpoints.push_back(sut::http::parse_url(server.url(), "test"));
    o.client.timeouts.request = 10s;
    sut::http::HttpSut sut(source, o);
    sut::NullSampleLibrary qsl(24, 24);
    loadgen::LogSettings ls;
    ls.outdir = dir / (official ? "official" : "builtin");
    ls.enable_trace = false;
    const loadgen::RunResult r = official ? loadgen_official::run(sut, qsl, t, ls)
                                          : loadgen::run(sut, qsl, t, ls);
    EXPECT_EQ(r.errors, 0) << ls.outdir;
    EXPECT_TRUE(r.sut_invalid_reason.empty()) << r.sut_invalid_reason;
    logged[official] = by_sample(r.accuracy_path);
  }
  ASSERT_EQ(logged[0].size(), 24u);
  EXPECT_EQ(logged[0], logged[1]);
  EXPECT_EQ(logged[1].at(3).contains("token_data"), scenario != Scenario::kOffline);
  EXPECT_EQ(server.completions(), 2u * 24u);
}

std::string scenario_name(const ::testing::TestParamInfo<Scenario>& p) {
  return std::string(loadgen::to_string(p.param));
}

INSTANTIATE_TEST_SUITE_P(OfflineAndServer, OfficialHttpSutTest,
                         ::testing::Values(Scenario::kOffline, Scenario::kServer), scenario_name);

}  // namespace
}  // namespace infermark::loadgen_official
