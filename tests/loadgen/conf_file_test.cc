// The conf-file parser: each quirk of loadgen-behaviour.md §2.2–2.3 that a valid file keeps, and
// each malformed line that infermark turns into an error naming file and line.
#include "loadgen/conf_file.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "util/error.h"

namespace infermark::loadgen {
namespace {

TestSettings apply(const std::string& text, Scenario sc = Scenario::kServer,
                   ConfType type = ConfType::kUser, std::string model = "m") {
  TestSettings s;
  s.scenario = sc;
  std::vector<std::string> notes;
  apply_conf(parse_conf(text, "test.conf"), model, sc, type, s, &notes);
  return s;
}

std::string error_of(const std::string& text) {
  try {
    parse_conf(text, "user.conf");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ConfFileTest, NumberFormsFollowStrtoul) {
  EXPECT_EQ(apply("*.Server.min_query_count = 0x10").min_query_count, 16u);
  EXPECT_EQ(apply("*.Server.min_query_count = 010").min_query_count, 8u);
  EXPECT_EQ(apply("*.Server.min_query_count = 8 9").min_query_count, 9u);
}

TEST(ConfFileTest, FractionalMillisecondsTruncateForIntegerFields) {
  EXPECT_EQ(apply("x.Server.target_latency = 0.5", Scenario::kServer, ConfType::kUser, "x")
                .server_target_latency_ns,
            0u);
  EXPECT_EQ(apply("*.Server.target_latency = 7").server_target_latency_ns, 7000000u);
  // Double fields keep the fraction.
  EXPECT_DOUBLE_EQ(apply("*.SingleStream.target_latency = 0.5", Scenario::kSingleStream)
                       .single_stream_expected_latency_ns,
                   500000.0);
}

TEST(ConfFileTest, PercentilesAreScaledByOneHundredth) {
  EXPECT_EQ(apply("*.Server.target_latency_percentile = 99.9").server_target_latency_percentile,
            99.9 * 0.01);
  EXPECT_EQ(apply("*.Server.target_latency_percentile = 99.9").server_target_latency_percentile,
            0.99900000000000011);
}

TEST(ConfFileTest, LookupOrderPrefersTheMostSpecificKey) {
  const std::string text =
      "*.*.min_duration = 1\nm.*.min_duration = 2\n*.Server.min_duration = 3\n"
      "m.Server.min_duration = 4\n";
  EXPECT_EQ(apply(text).min_duration_ms, 4u);
  EXPECT_EQ(apply("*.*.min_duration = 1\nm.*.min_duration = 2\n*.Server.min_duration = 3\n")
                .min_duration_ms,
            3u);
  EXPECT_EQ(apply("*.*.min_duration = 1\nm.*.min_duration = 2\n").min_duration_ms, 2u);
  EXPECT_EQ(apply("*.*.min_duration = 1\nother.*.min_duration = 2\n").min_duration_ms, 1u);
}

TEST(ConfFileTest, LaterDuplicateWins) {
  EXPECT_EQ(apply("*.*.min_query_count = 5\n*.*.min_query_count = 6").min_query_count, 6u);
}

TEST(ConfFileTest, ScenarioSpecificKeysIgnoreTheRunningScenario) {
  // target_qps is read from the Server key while running Offline only for the Server field.
  const auto s = apply("*.Server.target_qps = 5\n*.Offline.target_qps = 7", Scenario::kOffline);
  EXPECT_EQ(s.server_target_qps, 5.0);
  EXPECT_EQ(s.offline_expected_qps, 7.0);
  // ttft/tpot come from Server keys, and only once token latencies are on.
  auto t = apply("*.Server.ttft_latency = 500\n*.Server.tpot_latency = 30", Scenario::kOffline);
  EXPECT_EQ(t.server_ttft_latency, 100000000u);
  t = apply("*.*.use_token_latencies = 1\n*.Server.ttft_latency = 500\n*.Server.tpot_latency = 30",
            Scenario::kOffline);
  EXPECT_EQ(t.server_ttft_latency, 500000000u);
  EXPECT_EQ(t.server_tpot_latency, 30000000u);
}

TEST(ConfFileTest, SeedsOnlyComeFromMlperfConf) {
  const std::string text = "*.*.qsl_rng_seed = 7\n*.*.accuracy_log_probability = 50";
  EXPECT_EQ(apply(text, Scenario::kServer, ConfType::kUser).qsl_rng_seed, 0u);
  EXPECT_EQ(apply(text, Scenario::kServer, ConfType::kAudit).qsl_rng_seed, 0u);
  const auto m = apply(text, Scenario::kServer, ConfType::kMlperf);
  EXPECT_EQ(m.qsl_rng_seed, 7u);
  EXPECT_DOUBLE_EQ(m.accuracy_log_probability, 0.5);
  // Audit keys are read from every type.
  EXPECT_EQ(apply("*.*.accuracy_log_rng_seed = 720381539243781796", Scenario::kServer,
                  ConfType::kAudit)
                .accuracy_log_rng_seed,
            720381539243781796u);
}

TEST(ConfFileTest, NotesExplainIgnoredKeys) {
  TestSettings s;
  std::vector<std::string> notes;
  apply_conf(parse_conf("*.*.qsl_rng_seed = 7\n*.*.bogus_key = 1\nab.cd = 1\n", "u.conf"), "m",
             Scenario::kOffline, ConfType::kUser, s, &notes);
  ASSERT_EQ(notes.size(), 3u);
  std::string all;
  for (const auto& n : notes) all += n + "\n";
  EXPECT_NE(all.find("can only come from mlperf.conf"), std::string::npos);
  EXPECT_NE(all.find("unknown key '*.*.bogus_key'"), std::string::npos);
  EXPECT_NE(all.find("not of the form model.scenario.key"), std::string::npos);
}

TEST(ConfFileTest, EveryLoadGenKeyIsKnown) {
  std::string text;
  for (const char* key :
       {"mode", "qsl_rng_seed", "sample_index_rng_seed", "schedule_rng_seed",
        "accuracy_log_probability", "test05", "test05_qsl_rng_seed",
        "test05_sample_index_rng_seed", "test05_schedule_rng_seed", "use_token_latencies",
        "ttft_latency", "tpot_latency", "infer_token_latencies", "token_latency_scaling_factor",
        "target_latency_percentile", "samples_per_query", "target_latency",
        "performance_issue_unique", "performance_issue_same", "performance_issue_same_index",
        "sample_concatenate_permutation", "coalesce_queries", "max_async_queries", "min_duration",
        "max_duration", "min_query_count", "max_query_count", "performance_sample_count_override",
        "accuracy_sample_count_override", "target_qps", "print_timestamps",
        "accuracy_log_rng_seed", "accuracy_log_sampling_target", "target_duration"}) {
    text += fmt::format("*.*.{} = 1\n", key);
  }
  TestSettings s;
  std::vector<std::string> notes;
  apply_conf(parse_conf(text, "all.conf"), "m", Scenario::kServer, ConfType::kMlperf, s, &notes);
  EXPECT_TRUE(notes.empty()) << notes.front();
}

TEST(ConfFileTest, OriginsNameTheLineThatSetEachField) {
  TestSettings s;
  SettingsOrigins origins;
  apply_conf(parse_conf("# c\n*.*.min_query_count = 5\n*.Server.target_qps = 0\n"
                        "m.*.mode = 1\n",
                        "u.conf"),
             "m", Scenario::kServer, ConfType::kUser, s, nullptr, &origins);
  EXPECT_EQ(origins.at("min_query_count"), "u.conf:2: *.*.min_query_count = 5");
  EXPECT_EQ(origins.at("server_target_qps"), "u.conf:3: *.Server.target_qps = 0");
  EXPECT_EQ(origins.at("mode"), "u.conf:4: m.*.mode = 1");
  EXPECT_FALSE(origins.contains("min_duration_ms"));
}

TEST(ConfFileTest, MillisecondsBeyondNanosecondRangeAreAnError) {
  try {
    apply("\n*.Server.target_latency = 99999999999999");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("test.conf:2: *.Server.target_latency = 99999999999999"),
              std::string::npos)
        << e.what();
  }
}

TEST(ConfFileTest, CommentsAndBlankLines) {
  EXPECT_EQ(apply("# a comment\n\n   \n#lone\n*.*.min_query_count = 3 \n").min_query_count, 3u);
}

TEST(ConfFileTest, MalformedLinesAreErrorsWithFileAndLine) {
  EXPECT_NE(error_of("*.Server.target_qps = 5 # comment").find("user.conf:1:"),
            std::string::npos);
  EXPECT_NE(error_of("*.Server.target_qps = 5 # comment").find("comments after a value"),
            std::string::npos);
  EXPECT_NE(error_of("\n#comment here").find("user.conf:2: expected 'key = value'"),
            std::string::npos);
  EXPECT_NE(error_of("*.Server.target_qps=7").find("spaces around '='"), std::string::npos);
  EXPECT_NE(error_of("*.Server.target_qps = fast").find("integer or double"), std::string::npos);
  EXPECT_NE(error_of("*.Server.target_qps =").find("missing value"), std::string::npos);
  EXPECT_NE(error_of("*.Server.target_qps : 3").find("expected 'key = value'"),
            std::string::npos);
}

TEST(ConfFileTest, InvalidModeIsAnError) {
  EXPECT_THROW(apply("*.*.mode = 4"), Error);
  EXPECT_EQ(apply("*.*.mode = 1").mode, Mode::kAccuracyOnly);
}

TEST(ConfFileTest, EmbeddedMlperfConfHasTheV61SeedsAndLlamaKeys) {
  SettingsSources src{"llama3_1-8b", Scenario::kServer, Mode::kPerformanceOnly, "", ""};
  const auto s = load_settings(src).settings;
  EXPECT_EQ(s.qsl_rng_seed, 2085463073848966840u);
  EXPECT_EQ(s.sample_index_rng_seed, 2747215439041700203u);
  EXPECT_EQ(s.schedule_rng_seed, 16159082839903944936u);
  EXPECT_EQ(s.performance_sample_count_override, 13368u);
  EXPECT_TRUE(s.sample_concatenate_permutation);
  EXPECT_TRUE(s.use_token_latencies);
  EXPECT_EQ(s.server_ttft_latency, 2000000000u);
  EXPECT_EQ(s.server_tpot_latency, 100000000u);
  EXPECT_EQ(s.server_target_latency_ns, 0u);
  EXPECT_EQ(s.min_duration_ms, 600000u);

  src.model = "llama3_1-8b-interactive";
  const auto i = load_settings(src).settings;
  EXPECT_EQ(i.server_ttft_latency, 500000000u);
  EXPECT_EQ(i.server_tpot_latency, 30000000u);

  src = {"llama3_1-8b", Scenario::kOffline, Mode::kPerformanceOnly, "", ""};
  EXPECT_EQ(load_settings(src).settings.min_query_count, 13368u);
  src.model = "llama3_1-8b-edge";
  EXPECT_EQ(load_settings(src).settings.min_query_count, 5000u);
  EXPECT_EQ(load_settings(src).settings.performance_sample_count_override, 5000u);
}

TEST(ConfFileTest, AnotherRoundsMlperfConfReplacesTheSeeds) {
  const std::string path = std::string(std::getenv("INFERMARK_SOURCE_DIR")) +
                           "/conf/mlperf-v5.1.conf";
  SettingsSources src{"llama3_1-8b", Scenario::kServer, Mode::kPerformanceOnly, path, ""};
  const auto s = load_settings(src).settings;
  EXPECT_EQ(s.qsl_rng_seed, 1780908523862526354u);
  EXPECT_EQ(s.sample_index_rng_seed, 14771362308971278857u);
  EXPECT_EQ(s.schedule_rng_seed, 18209322760996052031u);
}

TEST(ConfFileTest, UserConfAppliesAfterMlperfConfAndCannotChangeSeeds) {
  const std::string path = ::testing::TempDir() + "/user.conf";
  std::ofstream(path) << "*.Server.target_qps = 3.5\n*.*.qsl_rng_seed = 1\n";
  SettingsSources src{"llama3_1-8b", Scenario::kServer, Mode::kAccuracyOnly, "", path};
  const auto loaded = load_settings(src);
  EXPECT_EQ(loaded.settings.server_target_qps, 3.5);
  EXPECT_EQ(loaded.settings.qsl_rng_seed, 2085463073848966840u);
  EXPECT_EQ(loaded.settings.mode, Mode::kAccuracyOnly);
  EXPECT_EQ(loaded.notes.size(), 1u);
}

TEST(ConfFileTest, MissingFileIsAnError) {
  SettingsSources src{"m", Scenario::kServer, Mode::kPerformanceOnly, "", "/nonexistent.conf"};
  try {
    load_settings(src);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent.conf"), std::string::npos);
  }
}

}  // namespace
}  // namespace infermark::loadgen
