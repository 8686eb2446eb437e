// `infermark make-model`: writes a seeded random-weight Llama checkpoint in the Hugging Face
// layout (config.json, generation_config.json, safetensors, tokenizer files), so the benchmark
// can run end to end without the real 16 GB weights. See model/demo_model.h.
#include <cctype>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "command.h"
#include "model/demo_model.h"
#include "util/error.h"

namespace infermark::cli {
namespace {

struct Options {
  std::string shape = "tiny";
  std::string out;
  uint64_t seed = 0;
  std::string dtype = "bf16";
  std::string tokenizer;
  std::string max_shard_size = "5GB";
  std::string quantize;
};

model::DType parse_dtype_option(const std::string& s) {
  if (s == "bf16") return model::DType::kBF16;
  if (s == "f16") return model::DType::kF16;
  if (s == "f32") return model::DType::kF32;
  throw Error::format("make-model: --dtype '{}' is not one of bf16, f16, f32", s);
}

// "5GB", "200MB", "64KB" (decimal, as transformers' max_shard_size) or a plain byte count.
uint64_t parse_size(const std::string& s) {
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  std::string unit = s.substr(digits);
  uint64_t scale = unit.empty() || unit == "B" ? 1
                   : unit == "KB"              ? 1'000
                   : unit == "MB"              ? 1'000'000
                   : unit == "GB"              ? 1'000'000'000
                                               : 0;
  if (digits == 0 || digits > 12 || scale == 0) {
    throw Error::format(
        "make-model: --max-shard-size '{}' is not a size like 5GB, 200MB or 1000000", s);
  }
  uint64_t n = std::stoull(s.substr(0, digits)) * scale;
  if (n == 0) throw Error("make-model: --max-shard-size must be positive");
  return n;
}

int run(const Options& o) {
  model::DemoModelOptions m;
  m.shape = o.shape;
  m.out = o.out;
  m.seed = o.seed;
  m.dtype = parse_dtype_option(o.dtype);
  if (!o.tokenizer.empty()) m.tokenizer = o.tokenizer;
  m.max_shard_bytes = parse_size(o.max_shard_size);
  m.quantize = o.quantize;
  auto r = model::make_demo_model(m);
  const std::string precision =
      o.quantize.empty() ? o.dtype : o.quantize + " compressed-tensors, " + o.dtype + " scales";
  std::printf("wrote %s (%lld parameters, %s, %.1f MB of weights in %zu files) to %s\n",
              o.shape.c_str(), static_cast<long long>(r.config.parameter_count()),
              precision.c_str(), static_cast<double>(r.weight_bytes) / 1e6, r.files.size(),
              o.out.c_str());
  if (!m.tokenizer) {
    std::printf("note: no --tokenizer given, so the folder has no tokenizer.json\n");
  }
  return 0;
}

CommandRegistration reg{
    "make-model", "Write a seeded random-weight Llama checkpoint (Hugging Face layout)",
    [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("--shape", o->shape, "tiny | llama-3.2-1b | llama-3.1-8b")
          ->capture_default_str();
      app.add_option("--out", o->out, "output folder (created if missing)")->required();
      app.add_option("--seed", o->seed, "random seed; same seed, same bytes")
          ->capture_default_str();
      app.add_option("--dtype", o->dtype, "weight dtype: bf16 | f16 | f32")->capture_default_str();
      app.add_option(
          "--tokenizer", o->tokenizer,
          "tokenizer.json (or its folder) to copy in, with the tokenizer_config.json beside it");
      app.add_option("--quantize", o->quantize,
                     "write a compressed-tensors checkpoint: w8a8 | w8a16 | w4a16 | w4a16-asym | "
                     "w4a8 | fp8 (lm_head stays --dtype)");
      app.add_option("--max-shard-size", o->max_shard_size,
                     "split into shards above this size (5GB, 200MB, bytes)")
          ->capture_default_str();
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace infermark::cli
