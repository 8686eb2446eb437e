// The engine SUT generates the same tokens under both load generators in accuracy mode: a tiny
// random-weight model over the bundled sample set, Offline and Server, through infermark's load
// generator and MLPerf's official library; the two accuracy logs must hold the same output (and
// first-token data and token count) for every sample.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "dataset/sample_set.h"
#include "engine/engine.h"
#include "harness/dataset_qsl.h"
#include "loadgen/conf_file.h"
#include "loadgen/loadgen.h"
#include "loadgen/log_parsing.h"
#include "model/demo_model.h"
#include "sut/engine_sut.h"
#include "support/official_loadgen.h"

namespace infermark::loadgen_official {
namespace {

namespace fs = std::filesystem;
using loadgen::Scenario;

class EngineOutputsTest : public ::testing::TestWithParam<Scenario> {};

// qsl_idx -> the entry's fields other than seq_id (which follows completion order).
std::map<uint64_t, nlohmann::json> by_sample(const nlohmann::json& log) {
  std::map<uint64_t, nlohmann::json> out;
  for (nlohmann::json e : log) {
    const uint64_t idx = e.at("qsl_idx").get<uint64_t>();
    e.erase("seq_id");
    EXPECT_TRUE(out.emplace(idx, e).second) << "qsl_idx " << idx << " logged twice";
  }
  return out;
}

TEST_P(EngineOutputsTest, SameTokensUnderBothLoadGenerators) {
  IM_REQUIRE_OFFICIAL_LOADGEN();
  const Scenario scenario = GetParam();
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("official_engine_" + std::string(loadgen::to_string(scenario)));
  fs::remove_all(dir);
  model::DemoModelOptions mo;
  mo.out = dir / "model";
  model::make_demo_model(mo);
  const dataset::SampleSet samples = dataset::SampleSet::load(
      fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "data" / "cnn_eval_sample.json");
  harness::DatasetQsl qsl(samples);

  engine::EngineOptions eo = engine::EngineOptions::preset(
      scenario == Scenario::kOffline ? "offline" : "server");
  eo.threads = 2;
  eo.max_context = static_cast<int64_t>(samples.max_input_tokens()) + 128;
  engine::Engine engine(engine::load_model(mo.out, 2), eo);
  sut::EngineSutOptions so;
  so.report_first_token = scenario != Scenario::kOffline;
  sut::EngineSut sut(engine, qsl, so);

  loadgen::TestSettings t =
      loadgen::load_settings({"llama3_1-8b", scenario, loadgen::Mode::kAccuracyOnly, "", ""})
          .settings;
  t.server_target_qps = 50;
  std::map<uint64_t, nlohmann::json> outputs[2];
  for (bool official : {false, true}) {
    loadgen::LogSettings ls;
    ls.outdir = dir / (official ? "official" : "builtin");
    const loadgen::RunResult r = official ? loadgen_official::run(sut, qsl, t, ls)
                                          : loadgen::run(sut, qsl, t, ls);
    EXPECT_EQ(r.errors, 0) << ls.outdir;
    outputs[official] =
        by_sample(nlohmann::json::parse(infermark::testing::read_text(r.accuracy_path)));
  }
  ASSERT_EQ(outputs[0].size(), samples.size());
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_EQ(sut.failed_requests(), 0u);
}

std::string scenario_name(const ::testing::TestParamInfo<Scenario>& p) {
  return std::string(loadgen::to_string(p.param));
}

INSTANTIATE_TEST_SUITE_P(OfflineAndServer, EngineOutputsTest,
                         ::testing::Values(Scenario::kOffline, Scenario::kServer), scenario_name);

}  // namespace
}  // namespace infermark::loadgen_official
