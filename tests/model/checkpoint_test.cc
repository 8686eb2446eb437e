// Opening checkpoints by folder: single file, sharded with an index (a "layer" straddling two
// shards), and the index/shard inconsistencies, each with its own message.
#include "model/checkpoint.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include "test_files.h"
#include "util/error.h"

namespace infermark::model {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_bytes;

// A safetensors file of I32 vectors: name -> values, laid out in name order.
std::string shard(const std::map<std::string, std::vector<int32_t>>& tensors) {
  std::vector<std::string> entries;
  std::string data;
  for (const auto& [name, values] : tensors) {
    size_t begin = data.size();
    data.append(reinterpret_cast<const char*>(values.data()), values.size() * 4);
    entries.push_back(fmt::format(R"("{}":{{"dtype":"I32","shape":[{}],"data_offsets":[{},{}]}})",
                                  name, values.size(), begin, data.size()));
  }
  return testing::safetensors_bytes(fmt::format("{{{}}}", fmt::join(entries, ",")), data);
}

int32_t first_value(const TensorView& t) {
  int32_t v;
  std::memcpy(&v, t.data, 4);
  return v;
}

class CheckpointTest : public ::testing::Test {
 protected:
  // Two shards; "layer 1" straddles them: its attn tensor in shard 1, its mlp tensor in shard 2.
  void write_sharded() {
    write_bytes(dir_ / "model-00001-of-00002.safetensors",
                shard({{"embed", {1, 2, 3}}, {"layers.0.attn", {10}}, {"layers.1.attn", {11}}}));
    write_bytes(dir_ / "model-00002-of-00002.safetensors",
                shard({{"layers.1.mlp", {21, 22}}, {"head", {4, 5, 6}}}));
    write_index(R"({"metadata":{"total_size":40},"weight_map":{
        "embed":"model-00001-of-00002.safetensors",
        "layers.0.attn":"model-00001-of-00002.safetensors",
        "layers.1.attn":"model-00001-of-00002.safetensors",
        "layers.1.mlp":"model-00002-of-00002.safetensors",
        "head":"model-00002-of-00002.safetensors"}})");
  }
  void write_index(const std::string& text) {
    write_bytes(dir_ / "model.safetensors.index.json", text);
  }

  std::string open_error() {
    try {
      Checkpoint::open(dir_.path());
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  TempDir dir_;
};

TEST_F(CheckpointTest, OpensSingleFileFolder) {
  write_bytes(dir_ / "model.safetensors", shard({{"a", {7, 8}}, {"b", {9}}}));
  Checkpoint c = Checkpoint::open(dir_.path());
  EXPECT_FALSE(c.sharded());
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.total_bytes(), 12u);
  EXPECT_EQ(first_value(c.get("a")), 7);
  EXPECT_EQ(first_value(c.get("b")), 9);
  // A .safetensors path opens directly too.
  EXPECT_EQ(Checkpoint::open(dir_ / "model.safetensors").size(), 2u);
}

TEST_F(CheckpointTest, OpensShardedFolderWithStraddlingLayer) {
  write_sharded();
  Checkpoint c = Checkpoint::open(dir_.path());
  EXPECT_TRUE(c.sharded());
  EXPECT_EQ(c.files().size(), 2u);
  EXPECT_EQ(c.size(), 5u);
  EXPECT_EQ(first_value(c.get("layers.1.attn")), 11);
  EXPECT_EQ(first_value(c.get("layers.1.mlp")), 21);
  EXPECT_EQ(first_value(c.get("head")), 4);
  EXPECT_EQ(c.find("nope"), nullptr);
  std::vector<std::string> names;
  for (const TensorView* t : c.tensors()) names.push_back(t->name);
  EXPECT_EQ(names, (std::vector<std::string>{"embed", "head", "layers.0.attn", "layers.1.attn",
                                             "layers.1.mlp"}));
}

TEST_F(CheckpointTest, ViewsStayValidAfterMove) {
  write_sharded();
  Checkpoint a = Checkpoint::open(dir_.path());
  const TensorView* before = a.find("head");
  Checkpoint b = std::move(a);
  EXPECT_EQ(b.find("head"), before);
  EXPECT_EQ(first_value(*b.find("head")), 4);
}

TEST_F(CheckpointTest, GetNamesMissingTensor) {
  write_sharded();
  Checkpoint c = Checkpoint::open(dir_.path());
  try {
    c.get("lm_head.weight");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("no tensor 'lm_head.weight'"));
  }
}

TEST_F(CheckpointTest, TensorMissingFromMappedShard) {
  write_sharded();
  write_index(R"({"weight_map":{"embed":"model-00001-of-00002.safetensors",
      "layers.0.attn":"model-00001-of-00002.safetensors",
      "layers.1.attn":"model-00002-of-00002.safetensors",
      "layers.1.mlp":"model-00002-of-00002.safetensors",
      "head":"model-00002-of-00002.safetensors"}})");
  EXPECT_THAT(open_error(), HasSubstr("tensor 'layers.1.attn' is mapped to shard "
                                      "'model-00002-of-00002.safetensors' but that file does not "
                                      "contain it"));
}

TEST_F(CheckpointTest, MissingShardFile) {
  write_sharded();
  std::filesystem::remove(dir_ / "model-00002-of-00002.safetensors");
  EXPECT_THAT(open_error(), HasSubstr("shard 'model-00002-of-00002.safetensors' (holding "
                                      "'head') does not exist"));
}

TEST_F(CheckpointTest, ShardHoldsTensorTheIndexOmits) {
  write_sharded();
  write_index(R"({"weight_map":{"embed":"model-00001-of-00002.safetensors",
      "layers.0.attn":"model-00001-of-00002.safetensors",
      "layers.1.mlp":"model-00002-of-00002.safetensors",
      "head":"model-00002-of-00002.safetensors"}})");
  EXPECT_THAT(open_error(), HasSubstr("shard 'model-00001-of-00002.safetensors' holds tensor "
                                      "'layers.1.attn', which the index does not map to it"));
}

TEST_F(CheckpointTest, CorruptShardIsNamed) {
  write_sharded();
  std::string bytes = testing::read_bytes(dir_ / "model-00002-of-00002.safetensors");
  write_bytes(dir_ / "model-00002-of-00002.safetensors", bytes.substr(0, bytes.size() - 4));
  std::string msg = open_error();
  EXPECT_THAT(msg, HasSubstr("model-00002-of-00002.safetensors"));
  EXPECT_THAT(msg, HasSubstr("lie outside the"));
}

TEST_F(CheckpointTest, IndexProblems) {
  write_sharded();
  write_index("{\"weight_map\": ");
  EXPECT_THAT(open_error(), HasSubstr("model.safetensors.index.json: invalid JSON"));
  write_index(R"({"metadata":{}})");
  EXPECT_THAT(open_error(), HasSubstr("missing object 'weight_map'"));
  write_index(R"({"weight_map":{"embed":3}})");
  EXPECT_THAT(open_error(), HasSubstr("weight_map entry 'embed' must be a file name"));
  write_index(R"({"weight_map":{"embed":"../model-00001-of-00002.safetensors"}})");
  EXPECT_THAT(open_error(), HasSubstr("which is not a file name in the checkpoint folder"));
}

TEST_F(CheckpointTest, FolderWithoutWeights) {
  EXPECT_THAT(open_error(), HasSubstr("no model.safetensors or model.safetensors.index.json"));
  EXPECT_THAT(
      [&] {
        try {
          Checkpoint::open(dir_ / "absent");
        } catch (const Error& e) {
          return std::string(e.what());
        }
        return std::string();
      }(),
      HasSubstr("checkpoint folder does not exist"));
}

TEST_F(CheckpointTest, SingleFileTakesPrecedenceOverIndex) {
  write_sharded();
  write_bytes(dir_ / "model.safetensors", shard({{"only", {1}}}));
  Checkpoint c = Checkpoint::open(dir_.path());
  EXPECT_FALSE(c.sharded());
  EXPECT_EQ(c.size(), 1u);
}

}  // namespace
}  // namespace infermark::model
