// config.json parsing: the real Llama-3.1-8B-Instruct and Llama-3.2-1B configs, and the errors
// for missing keys, unsupported variants and inconsistent shapes.
#include "model/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "test_files.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using util::Json;

std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(std::getenv("INFERMARK_SOURCE_DIR")) / "tests/model/fixtures" / name;
}

Json fixture_json(const std::string& name) {
  return util::parse_json(util::read_file(fixture(name)), name);
}

// Parses `j` and returns the Error message, or "" if it parsed.
std::string error_of(const Json& j) {
  try {
    Config::from_json(j, "config.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigTest, ParsesLlama31_8bInstruct) {
  Config c = Config::from_json(fixture_json("llama-3.1-8b-instruct.config.json"), "8b");
  EXPECT_EQ(c.vocab_size, 128256);
  EXPECT_EQ(c.hidden_size, 4096);
  EXPECT_EQ(c.intermediate_size, 14336);
  EXPECT_EQ(c.num_layers, 32);
  EXPECT_EQ(c.num_heads, 32);
  EXPECT_EQ(c.num_kv_heads, 8);
  EXPECT_EQ(c.gqa_group(), 4);
  EXPECT_EQ(c.head_dim, 128);  // no head_dim key: derived as hidden / heads
  EXPECT_EQ(c.kv_dim(), 1024);
  EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-5);
  EXPECT_DOUBLE_EQ(c.rope_theta, 500000.0);
  EXPECT_EQ(c.rope_scaling.type, RopeScaling::Type::kLlama3);
  EXPECT_DOUBLE_EQ(c.rope_scaling.factor, 8.0);
  EXPECT_DOUBLE_EQ(c.rope_scaling.low_freq_factor, 1.0);
  EXPECT_DOUBLE_EQ(c.rope_scaling.high_freq_factor, 4.0);
  EXPECT_EQ(c.rope_scaling.original_max_position_embeddings, 8192);
  EXPECT_EQ(c.max_position_embeddings, 131072);
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_EQ(c.bos_token_id, 128000);
  EXPECT_THAT(c.eos_token_ids, ElementsAre(128001, 128008, 128009));
  EXPECT_EQ(c.torch_dtype, "bfloat16");
  // 8,030,261,248 parameters (tokenizer-model-rouge.md §2.3).
  EXPECT_EQ(c.parameter_count(), 8'030'261'248);
}

TEST(ConfigTest, ParsesLlama32_1b) {
  Config c = Config::from_json(fixture_json("llama-3.2-1b.config.json"), "1b");
  EXPECT_EQ(c.hidden_size, 2048);
  EXPECT_EQ(c.num_layers, 16);
  EXPECT_EQ(c.num_heads, 32);
  EXPECT_EQ(c.num_kv_heads, 8);
  EXPECT_EQ(c.head_dim, 64);  // explicit key
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_DOUBLE_EQ(c.rope_scaling.factor, 32.0);
  EXPECT_THAT(c.eos_token_ids, ElementsAre(128001));  // an int, not a list
  EXPECT_EQ(c.parameter_count(), 1'235'814'400);
}

TEST(ConfigTest, ExplicitHeadDimWinsOverDerived) {
  Json j = fixture_json("llama-3.2-1b.config.json");
  j["head_dim"] = 128;  // 2048 / 32 would be 64
  EXPECT_EQ(Config::from_json(j, "x").head_dim, 128);
  EXPECT_EQ(Config::from_json(j, "x").q_dim(), 4096);
}

TEST(ConfigTest, DefaultsWhenOptionalKeysAbsent) {
  Json j = fixture_json("llama-3.1-8b-instruct.config.json");
  for (const char* key : {"num_key_value_heads", "rope_scaling", "tie_word_embeddings",
                          "eos_token_id", "bos_token_id", "max_position_embeddings"}) {
    j.erase(key);
  }
  Config c = Config::from_json(j, "x");
  EXPECT_EQ(c.num_kv_heads, 32);  // MHA when absent, as transformers does
  EXPECT_EQ(c.rope_scaling.type, RopeScaling::Type::kNone);
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_TRUE(c.eos_token_ids.empty());
  EXPECT_FALSE(c.bos_token_id.has_value());
  EXPECT_EQ(c.max_position_embeddings, 2048);
}

TEST(ConfigTest, RopeScalingNullOrDefaultMeansNone) {
  Json j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["rope_scaling"] = nullptr;
  EXPECT_EQ(Config::from_json(j, "x").rope_scaling.type, RopeScaling::Type::kNone);
  j["rope_scaling"] = {{"rope_type", "default"}};
  EXPECT_EQ(Config::from_json(j, "x").rope_scaling.type, RopeScaling::Type::kNone);
}

TEST(ConfigTest, AcceptsLegacyRopeScalingTypeKey) {
  Json j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["rope_scaling"].erase("rope_type");
  j["rope_scaling"]["type"] = "llama3";
  EXPECT_EQ(Config::from_json(j, "x").rope_scaling.type, RopeScaling::Type::kLlama3);
}

TEST(ConfigTest, UnknownModelTypeIsAnError) {
  Json j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["model_type"] = "mistral";
  EXPECT_THAT(error_of(j), HasSubstr("model_type \"mistral\" is not supported"));
  j.erase("model_type");
  EXPECT_THAT(error_of(j), HasSubstr("missing field 'model_type'"));
}

TEST(ConfigTest, EachRequiredKeyMissingIsNamed) {
  for (const char* key : {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                          "num_attention_heads", "rms_norm_eps", "rope_theta"}) {
    Json j = fixture_json("llama-3.1-8b-instruct.config.json");
    j.erase(key);
    EXPECT_THAT(error_of(j), HasSubstr(std::string("config.json: missing field '") + key + "'"))
        << key;
  }
}

TEST(ConfigTest, WrongTypesAreNamed) {
  Json j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["hidden_size"] = "4096";
  EXPECT_THAT(error_of(j), HasSubstr("field 'hidden_size' must be an integer"));
  j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["eos_token_id"] = {128001, "eot"};
  EXPECT_THAT(error_of(j), HasSubstr("field 'eos_token_id' must be an integer"));
  j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["tie_word_embeddings"] = 1;
  EXPECT_THAT(error_of(j), HasSubstr("field 'tie_word_embeddings' must be true or false"));
  j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["num_hidden_layers"] = 0;
  EXPECT_THAT(error_of(j), HasSubstr("field 'num_hidden_layers' must be positive"));
}

TEST(ConfigTest, InconsistentShapesAreRejected) {
  Json j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["num_key_value_heads"] = 5;
  EXPECT_THAT(error_of(j), HasSubstr("num_key_value_heads = 5 does not divide"));
  j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["num_attention_heads"] = 24;
  j["num_key_value_heads"] = 8;
  EXPECT_THAT(error_of(j), HasSubstr("no head_dim, and hidden_size = 4096 is not a multiple"));
  j["head_dim"] = 127;
  EXPECT_THAT(error_of(j), HasSubstr("head_dim = 127 must be even"));
}

TEST(ConfigTest, UnsupportedVariantsAreRejected) {
  Json j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["rope_scaling"]["rope_type"] = "yarn";
  EXPECT_THAT(error_of(j), HasSubstr("rope_scaling.rope_type 'yarn' is not supported"));
  j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["rope_scaling"].erase("factor");
  EXPECT_THAT(error_of(j), HasSubstr("rope_scaling: missing field 'factor'"));
  j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["rope_scaling"]["high_freq_factor"] = 1.0;
  EXPECT_THAT(error_of(j), HasSubstr("high_freq_factor > low_freq_factor"));
  j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["attention_bias"] = true;
  EXPECT_THAT(error_of(j), HasSubstr("attention_bias = true is not supported"));
  j = fixture_json("llama-3.1-8b-instruct.config.json");
  j["hidden_act"] = "gelu";
  EXPECT_THAT(error_of(j), HasSubstr("hidden_act \"gelu\" is not supported"));
}

TEST(ConfigTest, ToJsonRoundTrips) {
  for (const char* name : {"llama-3.1-8b-instruct.config.json", "llama-3.2-1b.config.json"}) {
    Config c = Config::from_json(fixture_json(name), name);
    EXPECT_EQ(Config::from_json(c.to_json(), "round trip"), c) << name;
  }
}

TEST(ConfigTest, LoadReadsConfigJsonFromFolderAndNamesFileInErrors) {
  testing::TempDir dir;
  EXPECT_THROW(
      {
        try {
          Config::load(dir.path());
        } catch (const Error& e) {
          EXPECT_THAT(e.what(), HasSubstr((dir / "config.json").string()));
          throw;
        }
      },
      Error);
  testing::write_bytes(dir / "config.json", "{\"model_type\": \"llama\",");
  try {
    Config::load(dir.path());
    ADD_FAILURE() << "bad JSON accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("config.json: invalid JSON"));
  }
  std::filesystem::copy_file(fixture("llama-3.2-1b.config.json"), dir / "config.json",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(Config::load(dir.path()).num_layers, 16);
}

TEST(GenerationConfigTest, ParsesInstructDefaultsAndIsOptional) {
  testing::TempDir dir;
  EXPECT_FALSE(GenerationConfig::load(dir.path()).has_value());
  std::filesystem::copy_file(fixture("llama-3.1-8b-instruct.generation_config.json"),
                             dir / "generation_config.json");
  auto g = GenerationConfig::load(dir.path());
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->bos_token_id, 128000);
  EXPECT_THAT(g->eos_token_ids, ElementsAre(128001, 128008, 128009));
  EXPECT_TRUE(g->do_sample);
  EXPECT_DOUBLE_EQ(g->temperature, 0.6);
  EXPECT_DOUBLE_EQ(g->top_p, 0.9);
  EXPECT_EQ(g->top_k, 0);
}

}  // namespace
}  // namespace infermark::model
