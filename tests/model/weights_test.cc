// Weight binding: every Llama tensor found with the shape the config implies; missing, extra,
// misshapen or wrongly typed tensors rejected by name; tied embeddings; the 8B tensor list.
#include "model/weights.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include "model/checkpoint_writer.h"
#include "model/demo_model.h"
#include "test_files.h"
#include "util/error.h"

namespace infermark::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

Config small_config(bool tied) {
  Config c;
  c.vocab_size = 32, c.hidden_size = 8, c.intermediate_size = 16, c.num_layers = 2;
  c.num_heads = 2, c.num_kv_heads = 1, c.head_dim = 6;  // q_dim 12 != hidden: catches mixups
  c.tie_word_embeddings = tied;
  return c;
}

std::vector<TensorToWrite> tensors_for(const Config& c, DType dtype = DType::kBF16) {
  std::vector<TensorToWrite> out;
  for (const TensorSpec& s : llama_tensor_specs(c)) out.push_back({s.name, dtype, s.shape});
  return out;
}

class WeightsTest : public ::testing::Test {
 protected:
  void write(const std::vector<TensorToWrite>& tensors) {
    write_checkpoint(dir_.path(), tensors, random_llama_fill(1));
  }
  std::string bind_error(const Config& c) {
    try {
      Checkpoint ck = Checkpoint::open(dir_.path());
      bind_llama_weights(ck, c);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  TempDir dir_;
};

TEST_F(WeightsTest, BindsUntiedModel) {
  Config c = small_config(false);
  write(tensors_for(c));
  Checkpoint ck = Checkpoint::open(dir_.path());
  Weights w = bind_llama_weights(ck, c);
  EXPECT_EQ(w.dtype, DType::kBF16);
  EXPECT_FALSE(w.tied);
  ASSERT_EQ(w.layers.size(), 2u);
  EXPECT_EQ(w.embed.name, "model.embed_tokens.weight");
  EXPECT_THAT(w.embed.shape, ElementsAre(32, 8));
  EXPECT_EQ(w.lm_head.weight.name, "lm_head.weight");
  EXPECT_NE(w.lm_head.weight.data, w.embed.data);
  const LayerWeights& l1 = w.layers[1];
  EXPECT_EQ(l1.q.weight.name, "model.layers.1.self_attn.q_proj.weight");
  EXPECT_THAT(l1.q.weight.shape, ElementsAre(12, 8));
  EXPECT_THAT(l1.k.weight.shape, ElementsAre(6, 8));
  EXPECT_THAT(l1.v.weight.shape, ElementsAre(6, 8));
  EXPECT_THAT(l1.o.weight.shape, ElementsAre(8, 12));
  EXPECT_THAT(l1.gate.weight.shape, ElementsAre(16, 8));
  EXPECT_THAT(l1.up.weight.shape, ElementsAre(16, 8));
  EXPECT_THAT(l1.down.weight.shape, ElementsAre(8, 16));
  EXPECT_EQ(l1.attn_norm.name, "model.layers.1.input_layernorm.weight");
  EXPECT_EQ(l1.ffn_norm.name, "model.layers.1.post_attention_layernorm.weight");
  EXPECT_EQ(w.final_norm.name, "model.norm.weight");
  // Views point into the checkpoint's mapping, not copies.
  EXPECT_EQ(l1.up.weight.data, ck.get("model.layers.1.mlp.up_proj.weight").data);
}

TEST_F(WeightsTest, TiedLmHeadIsTheEmbedding) {
  Config c = small_config(true);
  write(tensors_for(c, DType::kF32));
  Checkpoint ck = Checkpoint::open(dir_.path());
  Weights w = bind_llama_weights(ck, c);
  EXPECT_TRUE(w.tied);
  EXPECT_EQ(w.dtype, DType::kF32);
  EXPECT_EQ(w.lm_head.weight.data, w.embed.data);
}

TEST_F(WeightsTest, MissingTensorIsNamed) {
  Config c = small_config(false);
  auto t = tensors_for(c);
  std::erase_if(
      t, [](const TensorToWrite& x) { return x.name == "model.layers.1.mlp.up_proj.weight"; });
  write(t);
  EXPECT_THAT(
      bind_error(c),
      HasSubstr("missing tensor 'model.layers.1.mlp.up_proj.weight' (expected shape [16, 8])"));
}

TEST_F(WeightsTest, MissingLmHeadWhenUntied) {
  write(tensors_for(small_config(true)));
  EXPECT_THAT(bind_error(small_config(false)), HasSubstr("missing tensor 'lm_head.weight'"));
}

TEST_F(WeightsTest, LmHeadPresentButTiedIsRejected) {
  write(tensors_for(small_config(false)));
  EXPECT_THAT(bind_error(small_config(true)),
              HasSubstr("'lm_head.weight' is present but config.json says tie_word_embeddings"));
}

TEST_F(WeightsTest, ExtraTensorIsNamed) {
  Config c = small_config(false);
  auto t = tensors_for(c);
  t.push_back({"model.layers.2.self_attn.q_proj.weight", DType::kBF16, {12, 8}});
  write(t);
  EXPECT_THAT(bind_error(c), HasSubstr("unexpected tensor 'model.layers.2.self_attn.q_proj.weight' "
                                       "BF16[12, 8]"));
}

TEST_F(WeightsTest, RotaryInvFreqBuffersAreIgnored) {
  Config c = small_config(false);
  auto t = tensors_for(c);
  t.push_back({"model.layers.0.self_attn.rotary_emb.inv_freq", DType::kF32, {3}});
  write(t);
  EXPECT_EQ(bind_error(c), "");
}

TEST_F(WeightsTest, WrongShapeIsNamed) {
  Config c = small_config(false);
  auto t = tensors_for(c);
  for (auto& x : t) {
    if (x.name == "model.layers.0.self_attn.k_proj.weight") x.shape = {8, 8};
  }
  write(t);
  EXPECT_THAT(bind_error(c), HasSubstr("tensor 'model.layers.0.self_attn.k_proj.weight' has shape "
                                       "[8, 8] but the config needs [6, 8]"));
}

TEST_F(WeightsTest, UnsupportedOrMixedDtypeIsNamed) {
  Config c = small_config(false);
  auto t = tensors_for(c);
  t[3].dtype = DType::kF32;
  write(t);
  EXPECT_THAT(bind_error(c), HasSubstr("is F32 but the other weights are BF16"));
  t = tensors_for(c);
  t[0].dtype = DType::kI8;
  TempDir other;
  write_checkpoint(other.path(), t, [](const TensorToWrite&, uint64_t, std::span<std::byte> out) {
    std::fill(out.begin(), out.end(), std::byte{0});
  });
  Checkpoint ck = Checkpoint::open(other.path());
  try {
    bind_llama_weights(ck, c);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("'model.embed_tokens.weight' has dtype I8; weights must be F32, "
                          "F16 or BF16"));
  }
}

// A NaN or infinity anywhere in a weight would make every logit NaN (argmax then picks token 0:
// silent garbage). Binding refuses it, naming the tensor and the element, for each float dtype
// and for both NaN and infinity, in a matrix and in a norm vector.
TEST_F(WeightsTest, NanOrInfinityInAWeightIsRefused) {
  struct Case {
    DType dtype;
    std::vector<uint8_t> bytes;  // one little-endian element
    const char* what;
  };
  const Case cases[] = {{DType::kBF16, {0xc0, 0x7f}, "BF16 NaN"},
                        {DType::kBF16, {0x80, 0xff}, "BF16 -inf"},
                        {DType::kF16, {0x00, 0x7c}, "F16 +inf"},
                        {DType::kF16, {0x01, 0xfe}, "F16 NaN"},
                        {DType::kF32, {0x00, 0x00, 0x80, 0x7f}, "F32 +inf"},
                        {DType::kF32, {0x01, 0x00, 0xc0, 0xff}, "F32 NaN"}};
  const Config c = small_config(false);
  for (const Case& k : cases) {
    for (const std::string target :
         {"model.layers.1.mlp.down_proj.weight", "model.layers.0.input_layernorm.weight"}) {
      SCOPED_TRACE(std::string(k.what) + " in " + target);
      const uint64_t element = 5;
      TempDir dir;
      write_checkpoint(dir.path(), tensors_for(c, k.dtype),
                       [&, fill = random_llama_fill(1)](const TensorToWrite& t, uint64_t offset,
                                                        std::span<std::byte> out) {
                         fill(t, offset, out);
                         const uint64_t at = element * k.bytes.size();
                         if (t.name == target && offset <= at && at < offset + out.size()) {
                           std::memcpy(out.data() + (at - offset), k.bytes.data(), k.bytes.size());
                         }
                       });
      Checkpoint ck = Checkpoint::open(dir.path());
      try {
        bind_llama_weights(ck, c);
        ADD_FAILURE() << "bound without an error";
      } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("tensor '" + target + "'"));
        EXPECT_THAT(e.what(), HasSubstr("holds a NaN or infinity at element 5"));
      }
    }
  }
  // The largest finite values and subnormals are fine.
  TempDir dir;
  write_checkpoint(dir.path(), tensors_for(c, DType::kBF16),
                   [](const TensorToWrite&, uint64_t, std::span<std::byte> out) {
                     for (size_t i = 0; i + 1 < out.size(); i += 2) {
                       out[i] = std::byte{0x7f};
                       out[i + 1] = std::byte{static_cast<uint8_t>(i % 4 == 0 ? 0x7f : 0x80)};
                     }
                   });
  Checkpoint ck = Checkpoint::open(dir.path());
  EXPECT_NO_THROW(bind_llama_weights(ck, c));
}

TEST(LlamaTensorSpecsTest, Llama31_8bHas291TensorsOf16GB) {
  Config c = demo_config("llama-3.1-8b", DType::kBF16);
  auto specs = llama_tensor_specs(c);
  EXPECT_EQ(specs.size(), 291u);
  int64_t params = 0;
  for (const auto& s : specs) {
    params += std::accumulate(s.shape.begin(), s.shape.end(), int64_t{1}, std::multiplies<>());
  }
  EXPECT_EQ(params, 8'030'261'248);
  EXPECT_EQ(params * 2, 16'060'522'496);  // metadata.total_size of the real index
  EXPECT_EQ(specs.front().name, "model.embed_tokens.weight");
  EXPECT_EQ(specs.back().name, "lm_head.weight");
}

}  // namespace
}  // namespace infermark::model
