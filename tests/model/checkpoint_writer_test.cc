// Writing safetensors: header layout and padding, read-back of the exact bytes, the shard plan
// (checked against the real Llama-3.1-8B split) and the index.
#include "model/checkpoint_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "model/checkpoint.h"
#include "model/demo_model.h"
#include "model/weights.h"
#include "test_files.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace infermark::model {
namespace {

using ::testing::ElementsAre;
using testing::TempDir;

// Byte i of tensor t is (i * 7 + t.name.size()) % 251: easy to check after reading back.
void pattern_fill(const TensorToWrite& t, uint64_t offset, std::span<std::byte> out) {
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::byte>(((offset + i) * 7 + t.name.size()) % 251);
  }
}

TEST(CheckpointWriterTest, HeaderIsPaddedToEightBytesWithContiguousOffsets) {
  std::vector<TensorToWrite> t = {{"x", DType::kF32, {3}}, {"yy", DType::kBF16, {2, 3}}};
  std::string h = safetensors_header(t, {{"format", "pt"}});
  EXPECT_EQ(h.size() % 8, 0u);
  auto j = util::parse_json(h, "header");
  EXPECT_EQ(j["x"]["data_offsets"], util::Json({0, 12}));
  EXPECT_EQ(j["yy"]["data_offsets"], util::Json({12, 24}));
  EXPECT_EQ(j["yy"]["dtype"], "BF16");
  EXPECT_EQ(j["__metadata__"]["format"], "pt");
}

TEST(CheckpointWriterTest, WrittenBytesReadBackExactly) {
  TempDir dir;
  // Larger than one write chunk so the fill is called several times per tensor.
  std::vector<TensorToWrite> t = {{"big", DType::kF32, {int64_t(kWriteChunkBytes / 4 + 5)}},
                                  {"small", DType::kF16, {3, 1}}};
  write_safetensors(dir / "a.safetensors", t, pattern_fill);
  auto f = SafetensorsFile::open(dir / "a.safetensors");
  ASSERT_EQ(f->tensors().size(), 2u);
  for (const TensorToWrite& w : t) {
    const TensorView* v = f->find(w.name);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->shape, w.shape);
    EXPECT_EQ(v->dtype, w.dtype);
    std::vector<std::byte> expect(w.nbytes());
    pattern_fill(w, 0, expect);
    EXPECT_EQ(std::memcmp(v->data, expect.data(), expect.size()), 0) << w.name;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v->data) % 4, 0u);  // padded header: aligned data
  }
  EXPECT_EQ(f->metadata().at("format"), "pt");
}

TEST(CheckpointWriterTest, PlanStartsNewShardWhenNextTensorWouldOverflow) {
  std::vector<TensorToWrite> t = {{"a", DType::kU8, {40}},
                                  {"b", DType::kU8, {50}},
                                  {"c", DType::kU8, {20}},
                                  {"d", DType::kU8, {150}},
                                  {"e", DType::kU8, {10}}};
  auto shards = plan_shards(t, 100);
  ASSERT_EQ(shards.size(), 4u);
  EXPECT_EQ(shards[0].size(), 2u);  // a + b = 90; + c would be 110
  EXPECT_EQ(shards[1][0].name, "c");
  EXPECT_EQ(shards[2][0].name, "d");  // larger than the limit: a shard of its own
  EXPECT_EQ(shards[2].size(), 1u);
  EXPECT_EQ(shards[3][0].name, "e");
}

TEST(CheckpointWriterTest, Llama31_8bSplitMatchesTheRealCheckpoint) {
  // The real index: four shards, embed in 1, lm_head in 4, layer 20 straddling 2 and 3 with
  // q/k/v/o + gate in shard 2 and up/down + norms in shard 3 (tokenizer-model-rouge.md §2.3).
  std::vector<TensorToWrite> t;
  for (const auto& s : llama_tensor_specs(demo_config("llama-3.1-8b", DType::kBF16))) {
    t.push_back({s.name, DType::kBF16, s.shape});
  }
  auto shards = plan_shards(t, kDefaultMaxShardBytes);
  ASSERT_EQ(shards.size(), 4u);
  auto shard_of = [&](const std::string& name) {
    for (size_t k = 0; k < shards.size(); ++k) {
      for (const auto& x : shards[k]) {
        if (x.name == name) return k + 1;
      }
    }
    return size_t{0};
  };
  EXPECT_EQ(shard_of("model.embed_tokens.weight"), 1u);
  EXPECT_EQ(shard_of("lm_head.weight"), 4u);
  EXPECT_EQ(shard_of("model.layers.20.self_attn.o_proj.weight"), 2u);
  EXPECT_EQ(shard_of("model.layers.20.mlp.gate_proj.weight"), 2u);
  EXPECT_EQ(shard_of("model.layers.20.mlp.up_proj.weight"), 3u);
  EXPECT_EQ(shard_of("model.layers.20.post_attention_layernorm.weight"), 3u);
}

TEST(CheckpointWriterTest, ShardedWriteProducesIndexAndReplacesStaleSingleFile) {
  TempDir dir;
  std::vector<TensorToWrite> t = {
      {"a", DType::kF32, {10}}, {"b", DType::kF32, {10}}, {"c", DType::kF32, {10}}};
  write_checkpoint(dir.path(), t, pattern_fill, 1'000'000);
  EXPECT_TRUE(std::filesystem::exists(dir / "model.safetensors"));
  auto files = write_checkpoint(dir.path(), t, pattern_fill, 80);
  EXPECT_EQ(files.size(), 3u);  // 2 shards + index
  EXPECT_FALSE(std::filesystem::exists(dir / "model.safetensors"));
  auto index = util::parse_json(util::read_file(dir / "model.safetensors.index.json"), "index");
  EXPECT_EQ(index["metadata"]["total_size"], 120);
  EXPECT_EQ(index["weight_map"]["a"], "model-00001-of-00002.safetensors");
  EXPECT_EQ(index["weight_map"]["b"], "model-00001-of-00002.safetensors");
  EXPECT_EQ(index["weight_map"]["c"], "model-00002-of-00002.safetensors");
  Checkpoint c = Checkpoint::open(dir.path());
  EXPECT_TRUE(c.sharded());
  EXPECT_EQ(c.size(), 3u);
  // Back to one file: the index goes, so the folder opens as the single file.
  write_checkpoint(dir.path(), t, pattern_fill, 1'000'000);
  EXPECT_FALSE(std::filesystem::exists(dir / "model.safetensors.index.json"));
  EXPECT_FALSE(Checkpoint::open(dir.path()).sharded());
}

}  // namespace
}  // namespace infermark::model
