// Loading compressed-tensors checkpoints (quantization_config.h, quantized_linear.h, weights.h)
// and writing them (quantized_writer.h): every supported scheme round-trips bit-exactly through
// make-model's writer and the loader; hand-packed tensors decode to the sheet's golden values;
// every refused scheme and every corrupt file is an Error naming the scheme or the tensor.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>

#include "model/checkpoint.h"
#include "model/demo_model.h"
#include "model/quantized_writer.h"
#include "model/test_files.h"
#include "model/weights.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;
using util::Json;

constexpr uint64_t kSeed = 7;

LinearQuantScheme preset(std::string_view name) { return *quantization_preset(name); }

Config tiny_config(const LinearQuantScheme& scheme, std::vector<std::string> ignore = {"lm_head"}) {
  Config c = demo_config("tiny", DType::kBF16);
  c.quantization = QuantizationConfig::from_config_json(
      {{"quantization_config", quantization_config_json(scheme, ignore)}}, "test");
  return c;
}

void write_model(const std::filesystem::path& dir, const Config& c) {
  write_llama_tensors(dir, c, DType::kBF16, random_llama_fill(kSeed));
  util::write_file_atomic(dir / "config.json", c.to_json().dump(2));
}

// What the writer's float weights quantize to, with BF16-rounded scales (the reference).
QuantizedMatrix expected(const LinearQuantScheme& s, const std::string& module, int64_t rows,
                         int64_t cols) {
  const TensorToWrite t{module + ".weight", DType::kBF16, {rows, cols}};
  std::vector<std::byte> raw(t.nbytes());
  random_llama_fill(kSeed)(t, 0, raw);
  std::vector<float> w(static_cast<size_t>(rows * cols));
  convert_to_f32(DType::kBF16, raw.data(), w.size(), w.data());
  const ScaleRounding bf16 = [](float x) { return bf16_to_f32(f32_to_bf16(x)); };
  if (s.weights == ops::WeightFormat::kFp8E4M3) {
    return quantize_fp8(w, rows, cols, s.strategy == ScaleStrategy::kTensor, bf16);
  }
  return quantize_int(w, rows, cols, s.num_bits,
                      s.strategy == ScaleStrategy::kGroup ? s.group_size : 0, s.symmetric, bf16);
}

struct SchemeCase {
  std::string name;
  LinearQuantScheme scheme;
};

// compressed-tensors' W4A8 preset: int4 symmetric group-128 weights, dynamic per-token int8
// activations.
LinearQuantScheme w4a8_scheme() {
  LinearQuantScheme s = preset("w4a16");
  s.activations = ops::ActivationFormat::kInt8PerToken;
  return s;
}

std::vector<SchemeCase> scheme_cases() {
  std::vector<SchemeCase> v;
  for (const char* p : {"w8a8", "w8a16", "w4a16", "w4a16-asym", "fp8"}) v.push_back({p, preset(p)});
  LinearQuantScheme s = preset("w4a16");
  s.group_size = 32;
  v.push_back({"int4_g32", s});
  s.group_size = 48;  // partial last groups: 64 = 48 + 16, 224 = 4 * 48 + 32
  s.symmetric = false;
  v.push_back({"int4_g48_asym", s});
  s = preset("w4a16");
  s.strategy = ScaleStrategy::kChannel, s.group_size = 0;
  v.push_back({"int4_channel", s});
  s = preset("w8a16");
  s.symmetric = false;
  v.push_back({"int8_packed_asym", s});
  s = preset("w8a8");
  s.activations = ops::ActivationFormat::kFloat;
  s.strategy = ScaleStrategy::kGroup, s.group_size = 48, s.symmetric = false;
  v.push_back({"int8_unpacked_g48_asym", s});
  s.weights = ops::WeightFormat::kInt4, s.num_bits = 4, s.group_size = 32;
  v.push_back({"int4_unpacked_g32_asym", s});
  s = preset("fp8");
  s.strategy = ScaleStrategy::kTensor, s.static_input_scale = true;
  v.push_back({"fp8_tensor_static", s});
  v.push_back({"w4a8_packed", w4a8_scheme()});
  v.push_back({"w4a8_unpacked", preset("w4a8")});  // as compressed-tensors infers for W4A8
  return v;
}

class EveryScheme : public ::testing::TestWithParam<SchemeCase> {};

TEST_P(EveryScheme, WriterAndLoaderRoundTripBitExactly) {
  const LinearQuantScheme& s = GetParam().scheme;
  TempDir dir;
  const Config written = tiny_config(s);
  write_model(dir.path(), written);
  const Config c = Config::load(dir.path());
  ASSERT_TRUE(c.quantization);
  EXPECT_EQ(c, written);
  const Checkpoint ck = Checkpoint::open(dir.path());
  const Weights w = bind_llama_weights(ck, c);
  EXPECT_EQ(w.dtype, DType::kBF16);
  EXPECT_FALSE(w.lm_head.quantized);
  const std::string where = dir.path().string();
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const LayerWeights& lw = w.layers[l];
    for (const LinearWeights* lin : {&lw.q, &lw.k, &lw.v, &lw.o, &lw.gate, &lw.up, &lw.down}) {
      ASSERT_TRUE(lin->quantized);
      const QuantizedLinear& q = *lin->quantized;
      EXPECT_EQ(q.scheme.describe(), s.describe());
      const QuantizedMatrix got = decode_quantized(q, where);
      const QuantizedMatrix want = expected(s, q.module, q.rows, q.cols);
      EXPECT_EQ(got.format, s.weights);
      EXPECT_EQ(got.activations, s.activations);
      EXPECT_EQ(got.groups(), want.groups()) << q.module;
      EXPECT_EQ(got.values, want.values) << q.module;
      EXPECT_EQ(got.scales, want.scales) << q.module;
      EXPECT_EQ(got.zero_points, want.zero_points) << q.module;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Schemes, EveryScheme, ::testing::ValuesIn(scheme_cases()),
                         [](const auto& param_info) {
                           std::string name = param_info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(QuantizedCheckpoint, MakeModelWritesLlmCompressorNamesDtypesAndConfig) {
  TempDir dir;
  DemoModelOptions o;
  o.out = dir.path(), o.quantize = "w4a16";
  make_demo_model(o);
  const Json config = util::parse_json(util::read_file(dir / "config.json"), "config.json");
  const Json& q = config.at("quantization_config");
  EXPECT_EQ(q.at("quant_method"), "compressed-tensors");
  EXPECT_EQ(q.at("format"), "pack-quantized");
  EXPECT_EQ(q.at("quantization_status"), "compressed");
  EXPECT_EQ(q.at("ignore"), Json::array({"lm_head"}));
  const Json& weights = q.at("config_groups").at("group_0").at("weights");
  EXPECT_EQ(weights.at("num_bits"), 4);
  EXPECT_EQ(weights.at("group_size"), 128);
  EXPECT_EQ(weights.at("strategy"), "group");
  EXPECT_EQ(weights.at("symmetric"), true);
  EXPECT_TRUE(weights.at("actorder").is_null());
  const Checkpoint ck = Checkpoint::open(dir.path());
  const std::string p = "model.layers.1.mlp.down_proj";
  EXPECT_EQ(ck.get(p + ".weight_packed").describe(), "I32[64, 28]");
  EXPECT_EQ(ck.get(p + ".weight_scale").describe(), "BF16[64, 2]");
  EXPECT_EQ(ck.get(p + ".weight_shape").describe(), "I64[2]");
  EXPECT_FALSE(ck.find(p + ".weight"));
  EXPECT_FALSE(ck.find(p + ".weight_zero_point"));
  EXPECT_TRUE(ck.find("model.embed_tokens.weight"));
}

TEST(QuantizedCheckpoint, W8a8AndFp8TensorNames) {
  TempDir a, b;
  DemoModelOptions o;
  o.out = a.path(), o.quantize = "w8a8";
  make_demo_model(o);
  const std::string p = "model.layers.0.self_attn.k_proj";
  const Checkpoint w8a8 = Checkpoint::open(a.path());
  EXPECT_EQ(w8a8.get(p + ".weight").describe(), "I8[32, 64]");
  EXPECT_EQ(w8a8.get(p + ".weight_scale").describe(), "BF16[32, 1]");
  const Json acts = util::parse_json(util::read_file(a / "config.json"), "c")
                        .at("quantization_config")
                        .at("config_groups")
                        .at("group_0")
                        .at("input_activations");
  EXPECT_EQ(acts.at("strategy"), "token");
  EXPECT_EQ(acts.at("dynamic"), true);
  o.out = b.path(), o.quantize = "fp8";
  make_demo_model(o);
  const Checkpoint fp8 = Checkpoint::open(b.path());
  EXPECT_EQ(fp8.get(p + ".weight").describe(), "F8_E4M3[32, 64]");
  EXPECT_EQ(util::parse_json(util::read_file(b / "config.json"), "c")
                .at("quantization_config")
                .at("format"),
            "float-quantized");
}

// --- Hand-packed tensors: the sheet's golden words through the loader. ---

struct RawTensor {
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<std::byte> bytes;
  template <typename T>
  static RawTensor of(DType d, std::vector<int64_t> shape, const std::vector<T>& v) {
    RawTensor t{d, std::move(shape), std::vector<std::byte>(v.size() * sizeof(T))};
    std::memcpy(t.bytes.data(), v.data(), t.bytes.size());
    return t;
  }
};

QuantizedMatrix decode_raw(const LinearQuantScheme& s, int64_t rows, int64_t cols,
                           std::map<std::string, RawTensor>& raw) {
  std::map<std::string, TensorView> views;
  for (auto& [name, t] : raw) {
    views[name] = {name, t.dtype, t.shape, t.bytes.data(), t.bytes.size()};
  }
  const QuantizedLinear l = bind_quantized_linear(
      "p", s, rows, cols,
      [&](const std::string& n) -> const TensorView* {
        auto it = views.find(n);
        return it == views.end() ? nullptr : &it->second;
      },
      "raw");
  return decode_quantized(l, "raw");
}

TEST(QuantizedTensors, PackedInt4GoldenWordsWithPaddingAndRowPackedZeroPoints) {
  LinearQuantScheme s = preset("w4a16-asym");
  s.group_size = 4;  // 10 columns: groups [0,4), [4,8), [8,10)
  std::map<std::string, RawTensor> raw;
  // Row 0: fields 0..7 then 14, 15; row 1: fields 8..15 then 0, 1. Unused bits are zero.
  raw["p.weight_packed"] = RawTensor::of<uint32_t>(DType::kI32, {2, 2},
                                                   {0x76543210u, 0xFEu, 0xFEDCBA98u, 0x10u});
  raw["p.weight_shape"] = RawTensor::of<int64_t>(DType::kI64, {2}, {2, 10});
  raw["p.weight_scale"] = RawTensor::of<float>(DType::kF32, {2, 3}, {1, 2, 3, 4, 5, 6});
  // Packed along rows: the word of group g holds row 0 in bits 0-3 and row 1 in bits 4-7.
  raw["p.weight_zero_point"] = RawTensor::of<uint32_t>(DType::kI32, {1, 3}, {0x21, 0x43, 0x65});
  const QuantizedMatrix m = decode_raw(s, 2, 10, raw);
  EXPECT_THAT(m.values, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 14, 15,  //
                                    8, 9, 10, 11, 12, 13, 14, 15, 0, 1));
  EXPECT_THAT(m.zero_points, ElementsAre(1, 3, 5, 2, 4, 6));
  EXPECT_EQ(m.group_size, 4);
  // W = (q - zp) * scale: row 1, column 9 is in group 2: (1 - 6) * 6.
  EXPECT_EQ((m.values[19] - m.zero_points[5]) * m.scales[5], -30.0f);

  s.symmetric = true;
  raw.erase("p.weight_zero_point");
  raw["p.weight_scale"] = RawTensor::of<uint16_t>(
      DType::kBF16, {2, 3},
      {f32_to_bf16(1), f32_to_bf16(2), f32_to_bf16(3), f32_to_bf16(4), f32_to_bf16(5),
       f32_to_bf16(0.5f)});
  const QuantizedMatrix sym = decode_raw(s, 2, 10, raw);
  EXPECT_THAT(sym.values, ElementsAre(-8, -7, -6, -5, -4, -3, -2, -1, 6, 7,  //
                                      0, 1, 2, 3, 4, 5, 6, 7, -8, -7));
  EXPECT_THAT(sym.scales, ElementsAre(1, 2, 3, 4, 5, 0.5f));
}

TEST(QuantizedTensors, PackedInt8GoldenWordAndI32WeightShape) {
  LinearQuantScheme s = preset("w8a16");
  std::map<std::string, RawTensor> raw;
  raw["p.weight_packed"] = RawTensor::of<int32_t>(DType::kI32, {1, 1}, {33409});
  raw["p.weight_shape"] = RawTensor::of<int32_t>(DType::kI32, {2}, {1, 2});
  raw["p.weight_scale"] = RawTensor::of<uint16_t>(DType::kF16, {1, 1}, {f32_to_f16(0.25f)});
  const QuantizedMatrix m = decode_raw(s, 1, 2, raw);
  EXPECT_THAT(m.values, ElementsAre(1, 2));
  EXPECT_THAT(m.scales, ElementsAre(0.25f));
}

TEST(QuantizedTensors, PerTensorScaleIsWidenedToEveryRowAndSymmetricZerosAreAccepted) {
  LinearQuantScheme s = preset("fp8");
  s.strategy = ScaleStrategy::kTensor;
  std::map<std::string, RawTensor> raw;
  raw["p.weight"] = RawTensor::of<uint8_t>(DType::kF8E4M3, {3, 1}, {0x38, 0x7e, 0xfe});
  raw["p.weight_scale"] = RawTensor::of<float>(DType::kF32, {}, {0.5f});  // a scalar
  const QuantizedMatrix m = decode_raw(s, 3, 1, raw);
  EXPECT_THAT(m.scales, ElementsAre(0.5f, 0.5f, 0.5f));
  EXPECT_EQ(static_cast<uint8_t>(m.values[1]), 0x7e);

  LinearQuantScheme w8 = preset("w8a8");
  raw.clear();
  raw["p.weight"] = RawTensor::of<int8_t>(DType::kI8, {1, 2}, {-128, 127});
  raw["p.weight_scale"] = RawTensor::of<float>(DType::kF32, {1, 1}, {1});
  raw["p.weight_zero_point"] = RawTensor::of<int8_t>(DType::kI8, {1, 1}, {0});
  EXPECT_THAT(decode_raw(w8, 1, 2, raw).values, ElementsAre(-128, 127));
  raw["p.weight_zero_point"] = RawTensor::of<int8_t>(DType::kI8, {1, 1}, {3});
  EXPECT_THROW(decode_raw(w8, 1, 2, raw), Error);
}

// --- Refused schemes ---

std::string config_error(const std::function<void(Json&)>& edit) {
  Json j = demo_config("tiny", DType::kBF16).to_json();
  j["quantization_config"] = quantization_config_json(preset("w4a16"), {"lm_head"});
  edit(j);
  try {
    const Config c = Config::from_json(j, "config.json");
    // Refusals of a group come when a Linear asks for its scheme (as bind does).
    c.quantization->scheme_for("model.layers.0.self_attn.q_proj");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

Json& weights_of(Json& j) { return j["quantization_config"]["config_groups"]["group_0"]["weights"]; }

TEST(RefusedSchemes, WholeCheckpointSettingsNameTheKey) {
  EXPECT_THAT(config_error([](Json& j) { j["quantization_config"]["quant_method"] = "gptq"; }),
              HasSubstr("quant_method 'gptq' is not supported"));
  EXPECT_THAT(config_error([](Json& j) {
                j["quantization_config"]["sparsity_config"] = {
                    {"format", "sparse-24-bitmask"}, {"sparsity_structure", "2:4"}};
              }),
              HasSubstr("sparsity_config (format 'sparse-24-bitmask', structure '2:4')"));
  EXPECT_THAT(config_error([](Json& j) {
                j["quantization_config"]["kv_cache_scheme"] = {{"num_bits", 8}, {"type", "float"}};
              }),
              HasSubstr("kv_cache_scheme"));
  EXPECT_THAT(config_error([](Json& j) {
                j["quantization_config"]["transform_config"] = {{"config_groups", {{"u", 1}}}};
              }),
              HasSubstr("transform_config"));
  EXPECT_THAT(
      config_error([](Json& j) { j["quantization_config"]["quantization_status"] = "frozen"; }),
      HasSubstr("quantization_status 'frozen'"));
  // The 2024 key is read the same way.
  EXPECT_THAT(config_error([](Json& j) {
                j["compression_config"] = j["quantization_config"];
                j.erase("quantization_config");
                j["compression_config"]["quant_method"] = "awq";
              }),
              HasSubstr("compression_config: quant_method 'awq'"));
}

TEST(RefusedSchemes, GroupSchemesNameTheGroupAndTheLinear) {
  const std::vector<std::pair<std::function<void(Json&)>, std::string>> cases = {
      {[](Json& j) { weights_of(j)["actorder"] = "group"; }, "actorder 'group'"},
      {[](Json& j) {
         weights_of(j)["strategy"] = "block";
         weights_of(j)["block_structure"] = {128, 128};
       },
       "block-wise scales"},
      {[](Json& j) { weights_of(j)["strategy"] = "tensor_group"; }, "weight strategy 'tensor_group'"},
      {[](Json& j) { weights_of(j)["num_bits"] = 2; }, "2-bit int weights"},
      {[](Json& j) {
         weights_of(j)["type"] = "float";
         weights_of(j)["num_bits"] = 4;
       },
       "4-bit float weights"},
      {[](Json& j) { j["quantization_config"]["format"] = "nvfp4-pack-quantized"; },
       "format 'nvfp4-pack-quantized' (NVFP4)"},
      {[](Json& j) { j["quantization_config"]["format"] = "marlin-24"; }, "format 'marlin-24'"},
      {[](Json& j) { weights_of(j)["dynamic"] = true; }, "dynamic weight quantization"},
      {[](Json& j) {
         j["quantization_config"]["config_groups"]["group_0"]["output_activations"] = {
             {"num_bits", 8}};
       },
       "output activation quantization"},
  };
  for (const auto& [edit, reason] : cases) {
    const std::string e = config_error(edit);
    EXPECT_THAT(e, HasSubstr("config group 'group_0'")) << reason;
    EXPECT_THAT(e, HasSubstr("Linear 'model.layers.0.self_attn.q_proj'")) << reason;
    EXPECT_THAT(e, HasSubstr(reason));
  }
}

TEST(RefusedSchemes, Int8ActivationsMustBeDynamicSymmetricPerToken) {
  auto w8a8 = [](const std::function<void(Json&)>& edit_inputs) {
    return config_error([&](Json& j) {
      j["quantization_config"] = quantization_config_json(preset("w8a8"), {"lm_head"});
      edit_inputs(j["quantization_config"]["config_groups"]["group_0"]["input_activations"]);
    });
  };
  EXPECT_EQ(w8a8([](Json&) {}), "");
  EXPECT_THAT(w8a8([](Json& a) { a["dynamic"] = false, a["strategy"] = "tensor"; }),
              HasSubstr("static int8 activation scales"));
  EXPECT_THAT(w8a8([](Json& a) { a["symmetric"] = false; }),
              HasSubstr("asymmetric int8 activations"));
  EXPECT_THAT(w8a8([](Json& a) { a["strategy"] = "group", a["group_size"] = 128; }),
              HasSubstr("strategy 'group'"));
  // compressed-tensors' W4A8 (int4 weights): accepted, with the same rules for the activations.
  auto w4a8 = [](const std::function<void(Json&)>& edit_inputs) {
    return config_error([&](Json& j) {
      j["quantization_config"] = quantization_config_json(w4a8_scheme(), {"lm_head"});
      edit_inputs(j["quantization_config"]["config_groups"]["group_0"]["input_activations"]);
    });
  };
  EXPECT_EQ(w4a8([](Json&) {}), "");
  EXPECT_THAT(w4a8([](Json& a) { a["symmetric"] = false; }),
              HasSubstr("asymmetric int8 activations"));
}

TEST(TargetMatching, LinearRegexExactNamesAndIgnore) {
  EXPECT_TRUE(quant_target_matches("Linear", "lm_head"));
  EXPECT_TRUE(quant_target_matches("re:.*mlp.*", "model.layers.3.mlp.up_proj"));
  EXPECT_TRUE(quant_target_matches("re:model\\.layers\\.1\\.", "model.layers.1.mlp.up_proj"));
  EXPECT_FALSE(quant_target_matches("re:layers", "model.layers.1.mlp.up_proj"));  // re.match
  EXPECT_TRUE(quant_target_matches("re:.*down_proj$", "model.layers.0.mlp.down_proj"));
  EXPECT_FALSE(quant_target_matches("re:.*down_proj$", "model.layers.0.mlp.down_proj2"));
  EXPECT_TRUE(quant_target_matches("lm_head", "lm_head"));
  EXPECT_FALSE(quant_target_matches("LlamaDecoderLayer", "model.layers.0.mlp.up_proj"));
  EXPECT_THROW(quant_target_matches("re:([", "lm_head"), Error);

  Json j = demo_config("tiny", DType::kBF16).to_json();
  Json q = quantization_config_json(preset("w4a16"), {"lm_head", "re:.*layers\\.0\\.mlp.*"});
  q["config_groups"]["group_1"] = q["config_groups"]["group_0"];
  q["config_groups"]["group_1"]["targets"] = {"re:.*self_attn\\.o_proj$"};
  q["config_groups"]["group_0"]["targets"] = {"re:.*mlp.*"};
  j["quantization_config"] = q;
  const Config c = Config::from_json(j, "config.json");
  EXPECT_FALSE(c.quantization->scheme_for("lm_head"));
  EXPECT_FALSE(c.quantization->scheme_for("model.layers.0.mlp.up_proj"));  // ignored
  EXPECT_EQ(c.quantization->scheme_for("model.layers.1.mlp.up_proj")->group, "group_0");
  EXPECT_EQ(c.quantization->scheme_for("model.layers.1.self_attn.o_proj")->group, "group_1");
  EXPECT_FALSE(c.quantization->scheme_for("model.layers.1.self_attn.q_proj"));
  j["quantization_config"]["config_groups"]["group_1"]["targets"] = {"Linear"};
  EXPECT_THROW(Config::from_json(j, "c").quantization->scheme_for("model.layers.1.mlp.up_proj"),
               Error);
}

TEST(RefusedSchemes, BindNamesTheCheckpointAndTheLinear) {
  TempDir dir;
  const Config c = tiny_config(preset("w4a16"));
  write_model(dir.path(), c);
  Json j = c.to_json();
  weights_of(j)["actorder"] = "group";
  try {
    bind_llama_weights(Checkpoint::open(dir.path()), Config::from_json(j, "config.json"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("Linear 'model.layers.0.self_attn.q_proj'"));
    EXPECT_THAT(e.what(), HasSubstr("actorder 'group'"));
  }
}

// --- Corrupt files ---

// Writes a tiny w4a16 (or `scheme`) model with `edit` applied to tensor `name`: its dtype or
// shape replaced (data then zeros), its data edited in place, or the tensor dropped.
struct Corruption {
  std::string name;
  std::optional<DType> dtype;
  std::optional<std::vector<int64_t>> shape;
  std::function<void(std::span<std::byte>)> bytes;
  bool drop = false;
  std::string extra;  // add a tensor of this name (I32 [64])
};

std::string corrupt_error(const Corruption& k, const LinearQuantScheme& s = preset("w4a16")) {
  TempDir dir;
  const Config c = tiny_config(s);
  std::vector<TensorToWrite> floats;
  for (const TensorSpec& t : llama_tensor_specs(c)) floats.push_back({t.name, DType::kBF16, t.shape});
  const TensorFill fill = quantizing_fill(random_llama_fill(kSeed), floats, *c.quantization);
  std::vector<TensorToWrite> tensors = quantized_tensor_list(floats, *c.quantization);
  bool found = false;
  for (auto it = tensors.begin(); it != tensors.end(); ++it) {
    if (it->name != k.name) continue;
    found = true;
    if (k.drop) {
      tensors.erase(it);
      break;
    }
    if (k.dtype) it->dtype = *k.dtype;
    if (k.shape) it->shape = *k.shape;
    break;
  }
  EXPECT_TRUE(found || !k.extra.empty()) << k.name;
  if (!k.extra.empty()) tensors.push_back({k.extra, DType::kI32, {64}});
  write_checkpoint(dir.path(), tensors,
                   [&](const TensorToWrite& t, uint64_t offset, std::span<std::byte> out) {
                     if (t.name == k.extra || (t.name == k.name && (k.dtype || k.shape))) {
                       std::fill(out.begin(), out.end(), std::byte{0});
                       return;
                     }
                     fill(t, offset, out);
                     if (t.name == k.name && k.bytes) k.bytes(out);
                   });
  util::write_file_atomic(dir / "config.json", c.to_json().dump(2));
  try {
    const Config loaded = Config::load(dir.path());
    const Checkpoint ck = Checkpoint::open(dir.path());
    const Weights w = bind_llama_weights(ck, loaded);
    for (const LayerWeights& l : w.layers) {
      for (const LinearWeights* lin : {&l.q, &l.k, &l.v, &l.o, &l.gate, &l.up, &l.down}) {
        decode_quantized(*lin->quantized, dir.path().string());
      }
    }
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const std::string kDown = "model.layers.1.mlp.down_proj";

TEST(CorruptFiles, ShapesDtypesAndMissingTensorsAreNamed) {
  EXPECT_EQ(corrupt_error({.name = kDown + ".weight_scale"}), "");  // unchanged: loads
  EXPECT_THAT(corrupt_error({.name = kDown + ".weight_scale", .shape = std::vector<int64_t>{64, 1}}),
              HasSubstr("tensor '" + kDown + ".weight_scale' has shape [64, 1] but int4 symmetric "
                        "group 128 weights"));
  EXPECT_THAT(corrupt_error({.name = kDown + ".weight_packed", .shape = std::vector<int64_t>{64, 27}}),
              HasSubstr("'" + kDown + ".weight_packed' has shape [64, 27]"));
  EXPECT_THAT(corrupt_error({.name = kDown + ".weight_shape", .drop = true}),
              HasSubstr("missing tensor '" + kDown + ".weight_shape'"));
  EXPECT_THAT(corrupt_error({.name = kDown + ".weight_scale", .drop = true}),
              HasSubstr("missing tensor '" + kDown + ".weight_scale'"));
  EXPECT_THAT(corrupt_error({.name = kDown + ".weight_packed", .dtype = DType::kI64}),
              HasSubstr("'" + kDown + ".weight_packed' has dtype I64"));
  EXPECT_THAT(corrupt_error({.name = kDown + ".weight_scale", .dtype = DType::kI32}),
              HasSubstr("'" + kDown + ".weight_scale' has dtype I32"));
  EXPECT_THAT(corrupt_error({.name = "x", .extra = kDown + ".weight_g_idx"}),
              HasSubstr("unexpected tensor '" + kDown + ".weight_g_idx'"));
  LinearQuantScheme asym = preset("w4a16-asym");
  EXPECT_THAT(corrupt_error({.name = kDown + ".weight_zero_point", .drop = true}, asym),
              HasSubstr("missing tensor '" + kDown + ".weight_zero_point'"));
  EXPECT_THAT(
      corrupt_error({.name = kDown + ".weight_zero_point", .shape = std::vector<int64_t>{64, 2}},
                    asym),
      HasSubstr("'" + kDown + ".weight_zero_point' has shape [64, 2]"));
}

TEST(CorruptFiles, WeightShapeValuesAndBadValuesAreNamed) {
  EXPECT_THAT(corrupt_error({.name = kDown + ".weight_shape",
                             .bytes = [](std::span<std::byte> b) { b[0] = std::byte{63}; }}),
              HasSubstr("'" + kDown + ".weight_shape' says [63, 224]"));
  auto scale = [](float v) {
    return [v](std::span<std::byte> b) {
      const uint16_t x = f32_to_bf16(v);
      std::memcpy(b.data() + 6, &x, 2);
    };
  };
  for (float bad : {0.0f, -1.0f, std::numeric_limits<float>::infinity(), std::nanf("")}) {
    EXPECT_THAT(corrupt_error({.name = kDown + ".weight_scale", .bytes = scale(bad)}),
                HasSubstr("'" + kDown + ".weight_scale' element 3"))
        << bad;
  }
  EXPECT_THAT(corrupt_error({.name = kDown + ".weight", .bytes = [](std::span<std::byte> b) {
                               b[5] = std::byte{0x7f};
                             }},
                            preset("fp8")),
              HasSubstr("'" + kDown + ".weight' element [0, 5] = 127 is not a valid fp8"));
  LinearQuantScheme int4 = preset("w8a8");
  int4.weights = ops::WeightFormat::kInt4, int4.num_bits = 4;
  int4.activations = ops::ActivationFormat::kFloat;
  int4.strategy = ScaleStrategy::kGroup, int4.group_size = 32;
  EXPECT_THAT(corrupt_error({.name = kDown + ".weight",
                             .bytes = [](std::span<std::byte> b) { b[230] = std::byte{9}; }},
                            int4),
              HasSubstr("'" + kDown + ".weight' element [1, 6] = 9 is not a valid int4"));
}

}  // namespace
}  // namespace infermark::model
