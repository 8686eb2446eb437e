// `infermark generate`: runs one request through the engine on a checkpoint folder and prints
// the generated ids and text as one JSON object on stdout (timings on stderr):
//   {"prompt_tokens": N, "ids": [...], "finish_reason": "length", "text": "..."}
// The prompt is text (encoded with the folder's tokenizer.json, <|begin_of_text|> first) or a
// file of token ids (a JSON array, or integers separated by spaces/commas/newlines). --dump DIR
// writes every intermediate tensor of every step (model/forward_dump.h).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "engine/engine.h"
#include "quantize_option.h"
#include "text/tokenizer.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::cli {
namespace {

struct Options {
  std::string model;
  std::string prompt;
  std::string prompt_ids;
  int max_new_tokens = 128;
  int min_new_tokens = 1;
  float temperature = 0;
  float top_p = 1;
  int top_k = 0;
  uint64_t seed = 0;
  std::string dump;
  int threads = 0;
  std::string kv_dtype;
  int64_t kv_cache_bytes = 0;
  QuantizeFlags quantize;  // --quantize, --quantize-lm-head
};

std::vector<engine::TokenId> read_prompt_ids(const std::string& path) {
  const std::string text = util::read_file(path);
  std::vector<engine::TokenId> ids;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    const util::Json j = util::parse_json(text, path);
    for (const auto& v : j) {
      if (!v.is_number_integer()) throw Error::format("{}: expected an array of token ids", path);
      const auto id = v.get<int64_t>();
      if (id < INT32_MIN || id > INT32_MAX)
        throw Error::format("{}: token id {} is out of range", path, id);
      ids.push_back(static_cast<engine::TokenId>(id));
    }
    return ids;
  }
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(word, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != word.size() || v < INT32_MIN || v > INT32_MAX) {
      throw Error::format("{}: '{}' is not a token id", path, word);
    }
    ids.push_back(static_cast<engine::TokenId>(v));
    word.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '\n' || c == '\t' || c == '\r') {
      flush();
    } else {
      word.push_back(c);
    }
  }
  flush();
  return ids;
}

std::optional<ops::DType> parse_kv_dtype(const std::string& s) {
  if (s.empty()) return std::nullopt;
  if (s == "f32") return ops::DType::kF32;
  if (s == "bf16") return ops::DType::kBF16;
  if (s == "f16") return ops::DType::kF16;
  throw Error::format("generate: --kv-dtype '{}' is not one of f32, bf16, f16", s);
}

std::vector<engine::TokenId> prompt_of(const Options& o, const std::filesystem::path& dir,
                                       const std::optional<text::Tokenizer>& tokenizer) {
  if (!o.prompt_ids.empty()) return read_prompt_ids(o.prompt_ids);
  if (!tokenizer) {
    throw Error::format("generate: {} has no tokenizer.json to encode --prompt; use --prompt-ids",
                        dir.string());
  }
  return tokenizer->encode(o.prompt, /*add_bos=*/true);
}

// One sequence: context and KV cache just big enough, the whole prompt in one step (up to 2048).
engine::EngineOptions engine_options(const Options& o, const model::Llama& model,
                                     size_t prompt_len) {
  engine::EngineOptions eo;
  eo.threads = o.threads;
  eo.max_seqs = 1;
  eo.kv_dtype = parse_kv_dtype(o.kv_dtype);
  const auto wanted = static_cast<int64_t>(prompt_len) + std::max(o.max_new_tokens, 1);
  eo.max_context = std::min(wanted, model.config().max_position_embeddings);
  const int64_t blocks = (eo.max_context + eo.block_size - 1) / eo.block_size;
  eo.kv_cache_bytes =
      o.kv_cache_bytes > 0
          ? o.kv_cache_bytes
          : blocks * engine::KvCache::block_bytes(
                         model.config(), eo.kv_dtype.value_or(model.weight_dtype()), eo.block_size);
  eo.max_batch_tokens = eo.prefill_chunk =
      std::clamp<int64_t>(static_cast<int64_t>(prompt_len), 1, 2048);
  eo.dump_dir = o.dump;
  return eo;
}

void print_result(size_t prompt_len, const std::vector<engine::TokenId>& out,
                  const engine::Finish& f, const std::optional<text::Tokenizer>& tokenizer,
                  double load_s) {
  util::Json j = {{"prompt_tokens", prompt_len},
                  {"ids", out},
                  {"finish_reason", engine::finish_reason_name(f.reason)}};
  if (tokenizer) j["text"] = tokenizer->decode(out);
  std::printf("%s\n", j.dump(-1, ' ', false, util::Json::error_handler_t::replace).c_str());
  const double decode_s = f.total_seconds - f.first_token_seconds;
  const double decode_rate =
      out.size() > 1 ? static_cast<double>(out.size() - 1) / std::max(decode_s, 1e-9) : 0.0;
  std::fprintf(stderr,
               "load %.2f s; prompt %zu tokens, first token after %.3f s (%.1f tok/s); %zu tokens "
               "in %.3f s (%.2f tok/s after the first)\n",
               load_s, prompt_len, f.first_token_seconds,
               static_cast<double>(prompt_len) / std::max(f.first_token_seconds, 1e-9), out.size(),
               f.total_seconds, decode_rate);
}

int run(const Options& o) {
  const std::filesystem::path dir = o.model;
  std::optional<text::Tokenizer> tokenizer;
  if (std::filesystem::exists(dir / "tokenizer.json")) tokenizer = text::Tokenizer::load(dir);
  const std::vector<engine::TokenId> prompt = prompt_of(o, dir, tokenizer);
  const auto t_load = std::chrono::steady_clock::now();
  auto model =
      engine::load_model(dir, o.threads, ops::Device::kCpu, load_options(o.quantize, "generate"));
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();
  engine::Engine eng(model, engine_options(o, *model, prompt.size()));

  engine::GenerationParams p;
  p.max_new_tokens = o.max_new_tokens;
  p.min_new_tokens = o.min_new_tokens;
  p.temperature = o.temperature;
  p.top_p = o.top_p;
  p.top_k = o.top_k;
  p.seed = o.seed;
  std::vector<engine::TokenId> out;
  std::promise<engine::Finish> done;
  engine::RequestCallbacks cb;
  cb.on_tokens = [&](std::span<const engine::TokenId> t, bool) {
    out.insert(out.end(), t.begin(), t.end());
  };
  cb.on_finish = [&](const engine::Finish& f) { done.set_value(f); };
  eng.submit(prompt, p, std::move(cb));
  const engine::Finish f = done.get_future().get();
  if (f.reason == engine::FinishReason::kError) throw Error("generate: " + f.error);
  print_result(prompt.size(), out, f, tokenizer, load_s);
  return 0;
}

CommandRegistration reg{
    "generate", "Generate tokens for one prompt with the engine (prints ids and text as JSON)",
    [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("--model", o->model, "checkpoint folder (config.json, safetensors)")
          ->required();
      auto* text = app.add_option("--prompt", o->prompt, "prompt text (needs tokenizer.json)");
      auto* ids = app.add_option("--prompt-ids", o->prompt_ids,
                                 "file of prompt token ids (JSON array or whitespace separated)");
      text->excludes(ids);
      app.callback([text, ids] {
        if (text->count() + ids->count() == 0) {
          throw CLI::ValidationError("one of --prompt or --prompt-ids is required");
        }
      });
      app.add_option("--max-new-tokens", o->max_new_tokens, "tokens to generate at most")
          ->capture_default_str();
      app.add_option("--min-new-tokens", o->min_new_tokens, "stop ids suppressed before this")
          ->capture_default_str();
      app.add_option("--temperature", o->temperature, "0 = greedy")->capture_default_str();
      app.add_option("--top-p", o->top_p, "nucleus sampling threshold")->capture_default_str();
      app.add_option("--top-k", o->top_k, "top-k filter (0 = off)")->capture_default_str();
      app.add_option("--seed", o->seed, "sampling seed")->capture_default_str();
      app.add_option("--dump", o->dump, "write every intermediate tensor to this folder");
      app.add_option("--threads", o->threads, "compute threads (0 = physical cores)")
          ->capture_default_str();
      app.add_option("--kv-dtype", o->kv_dtype,
                     "KV cache dtype: f32 | bf16 | f16 (default: weights')");
      app.add_option("--kv-cache-bytes", o->kv_cache_bytes,
                     "KV cache budget in bytes (0 = what this prompt and --max-new-tokens need)")
          ->capture_default_str();
      add_quantize_options(app, o->quantize);
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace infermark::cli
