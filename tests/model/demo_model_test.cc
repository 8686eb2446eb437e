// The seeded demo checkpoints: HF layout on disk, configs of the named shapes, deterministic
// bytes, weight statistics that keep a forward pass sane, and the tokenizer copy.
#include "model/demo_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "model/checkpoint.h"
#include "model/weights.h"
#include "test_files.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

TEST(DemoModelTest, ShapesHaveTheRealHyperParameters) {
  Config tiny = demo_config("tiny", DType::kBF16);
  EXPECT_EQ(tiny.vocab_size, 128256);
  EXPECT_TRUE(tiny.tie_word_embeddings);
  EXPECT_EQ(tiny.num_heads, 4);
  EXPECT_EQ(tiny.num_kv_heads, 2);
  EXPECT_EQ(tiny.rope_scaling.type, RopeScaling::Type::kLlama3);
  Config one = demo_config("llama-3.2-1b", DType::kBF16);
  EXPECT_EQ(one.parameter_count(), 1'235'814'400);
  EXPECT_DOUBLE_EQ(one.rope_scaling.factor, 32.0);
  Config eight = demo_config("llama-3.1-8b", DType::kF32);
  EXPECT_EQ(eight.parameter_count(), 8'030'261'248);
  EXPECT_EQ(eight.torch_dtype, "float32");
  EXPECT_THAT(eight.eos_token_ids, ElementsAre(128001, 128008, 128009));
  EXPECT_THROW(demo_config("llama-4", DType::kBF16), Error);
}

TEST(DemoModelTest, TinyWritesHuggingFaceLayoutThatLoads) {
  TempDir dir;
  DemoModelOptions o;
  o.out = dir.path();
  auto r = make_demo_model(o);
  for (const char* f : {"config.json", "generation_config.json", "model.safetensors"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "tokenizer.json"));
  EXPECT_EQ(Config::load(dir.path()), r.config);
  auto g = GenerationConfig::load(dir.path());
  ASSERT_TRUE(g);
  EXPECT_THAT(g->eos_token_ids, ElementsAre(128001, 128008, 128009));
  Checkpoint ck = Checkpoint::open(dir.path());
  Weights w = bind_llama_weights(ck, r.config);
  EXPECT_EQ(w.dtype, DType::kBF16);
  EXPECT_EQ(ck.total_bytes(), r.weight_bytes);
  EXPECT_EQ(r.weight_bytes, static_cast<uint64_t>(r.config.parameter_count()) * 2);
}

TEST(DemoModelTest, WeightsAreNormalWithStd002AndNormsAreOne) {
  TempDir dir;
  DemoModelOptions o;
  o.out = dir.path();
  o.dtype = DType::kF32;
  auto r = make_demo_model(o);
  Checkpoint ck = Checkpoint::open(dir.path());
  Weights w = bind_llama_weights(ck, r.config);
  std::vector<float> x(static_cast<size_t>(w.embed.numel()));
  convert_to_f32(w.embed.dtype, w.embed.data, x.size(), x.data());
  double sum = 0, sq = 0, max_abs = 0;
  for (float v : x) sum += v, sq += double(v) * v, max_abs = std::max(max_abs, double(std::abs(v)));
  double mean = sum / x.size(), sd = std::sqrt(sq / x.size() - mean * mean);
  EXPECT_NEAR(mean, 0.0, 1e-4);
  EXPECT_NEAR(sd, 0.02, 2e-4);
  EXPECT_GT(max_abs, 0.08);  // tails present (4 sigma)
  EXPECT_LT(max_abs, 0.2);
  std::vector<float> n(static_cast<size_t>(w.final_norm.numel()));
  convert_to_f32(w.final_norm.dtype, w.final_norm.data, n.size(), n.data());
  for (float v : n) EXPECT_EQ(v, 1.0f);
}

TEST(DemoModelTest, SameSeedSameBytesOtherSeedOtherBytes) {
  TempDir a, b, c;
  DemoModelOptions o;
  o.out = a.path(), o.seed = 7;
  make_demo_model(o);
  o.out = b.path();
  make_demo_model(o);
  o.out = c.path(), o.seed = 8;
  make_demo_model(o);
  auto bytes = [](const TempDir& d) { return testing::read_bytes(d / "model.safetensors"); };
  EXPECT_EQ(bytes(a), bytes(b));
  EXPECT_NE(bytes(a), bytes(c));
}

TEST(DemoModelTest, ShardedOutputHasSameTensorsAsSingleFile) {
  TempDir one, many;
  DemoModelOptions o;
  o.out = one.path();
  make_demo_model(o);
  o.out = many.path(), o.max_shard_bytes = 2'000'000;
  make_demo_model(o);
  Checkpoint a = Checkpoint::open(one.path()), b = Checkpoint::open(many.path());
  EXPECT_FALSE(a.sharded());
  EXPECT_TRUE(b.sharded());
  ASSERT_EQ(a.size(), b.size());
  for (const TensorView* t : a.tensors()) {
    const TensorView& u = b.get(t->name);
    ASSERT_EQ(t->nbytes, u.nbytes);
    EXPECT_EQ(std::memcmp(t->data, u.data, t->nbytes), 0) << t->name;
  }
}

TEST(DemoModelTest, CopiesTokenizerAndItsConfigOrWritesMinimalConfig) {
  TempDir src, out1, out2;
  std::string tok = R"({"version":"1.0","model":{"type":"BPE","vocab":{},"merges":[]}})";
  testing::write_bytes(src / "tokenizer.json", tok);
  DemoModelOptions o;
  o.out = out1.path(), o.tokenizer = src / "tokenizer.json";
  make_demo_model(o);
  EXPECT_EQ(testing::read_bytes(out1 / "tokenizer.json"), tok);
  auto cfg = util::parse_json(util::read_file(out1 / "tokenizer_config.json"), "tc");
  EXPECT_EQ(cfg["bos_token"], "<|begin_of_text|>");
  EXPECT_EQ(cfg["clean_up_tokenization_spaces"], true);

  testing::write_bytes(src / "tokenizer_config.json", R"({"eos_token":"<|eot_id|>","x":1})");
  o.out = out2.path(), o.tokenizer = src.path();  // a folder holding tokenizer.json

  make_demo_model(o);
  EXPECT_EQ(testing::read_bytes(out2 / "tokenizer.json"), tok);
  EXPECT_EQ(testing::read_bytes(out2 / "tokenizer_config.json"),
            R"({"eos_token":"<|eot_id|>","x":1})");
}

TEST(DemoModelTest, BadOptionsAreErrors) {
  TempDir dir;
  DemoModelOptions o;
  o.out = dir.path(), o.tokenizer = dir / "missing.json";
  EXPECT_THAT(
      [&] {
        try {
          make_demo_model(o);
        } catch (const Error& e) {
          return std::string(e.what());
        }
        return std::string();
      }(),
      HasSubstr("missing.json: tokenizer file does not exist"));
  testing::write_bytes(dir / "not_tok.json", "[1, 2]");
  o.tokenizer = dir / "not_tok.json";
  EXPECT_THROW(make_demo_model(o), Error);
  o.tokenizer.reset();
  o.dtype = DType::kI32;
  EXPECT_THROW(make_demo_model(o), Error);
}

}  // namespace
}  // namespace infermark::model
