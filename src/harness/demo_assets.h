// The assets of the embedded default run (`infermark run` with no options): a small generated
// Llama-3-style model with the real Llama-3.1 tokenizer, and the bundled sample set of original
// CNN-DailyMail-style articles (data/cnn_eval_sample.json, compiled into the binary). Both are
// created on first use in a cache folder and reused afterwards.
#pragma once

#include <filesystem>
#include <string_view>

namespace infermark::harness {

struct DemoAssets {
  std::filesystem::path model_dir;     // Hugging Face layout, shape "tiny", bf16, seed 0
  std::filesystem::path dataset_path;  // cnn_eval.json format, 34 samples
};

// $INFERMARK_CACHE_DIR, else $XDG_CACHE_HOME/infermark, else ~/.cache/infermark.
std::filesystem::path default_cache_dir();

// The Llama-3.1 tokenizer folder built with the project (scripts/make-llama3-tokenizer), or
// $INFERMARK_TOKENIZER_DIR when set.
std::filesystem::path default_tokenizer_dir();

// The bundled sample set's JSON text.
std::string_view bundled_sample_set();

// Creates what is missing under `cache_dir` (atomically: a half-made model is never used) and
// returns the paths. Throws Error naming the tokenizer folder if it has no tokenizer.json.
DemoAssets ensure_demo_assets(const std::filesystem::path& cache_dir,
                              const std::filesystem::path& tokenizer_dir);

}  // namespace infermark::harness
