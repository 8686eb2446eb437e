#include "harness/demo_assets.h"

#include <unistd.h>

#include <cstdlib>

#include "model/demo_model.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::embedded {
extern const std::string_view bundled_sample_set;
}

namespace infermark::harness {
namespace fs = std::filesystem;

fs::path default_cache_dir() {
  if (const char* d = std::getenv("INFERMARK_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "infermark";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/tmp") / ".cache" / "infermark";
}

fs::path default_tokenizer_dir() {
  if (const char* d = std::getenv("INFERMARK_TOKENIZER_DIR"); d && *d) return d;
  return INFERMARK_BUILD_TOKENIZER_DIR;
}

std::string_view bundled_sample_set() { return embedded::bundled_sample_set; }

DemoAssets ensure_demo_assets(const fs::path& cache_dir, const fs::path& tokenizer_dir) {
  DemoAssets a{cache_dir / "demo-model-tiny-bf16", cache_dir / "cnn_eval_sample.json"};
  util::ensure_writable_dir(cache_dir);
  if (!fs::exists(a.dataset_path)) util::write_file_atomic(a.dataset_path, bundled_sample_set());
  if (fs::exists(a.model_dir / "config.json")) return a;

  if (!fs::exists(tokenizer_dir / "tokenizer.json")) {
    throw Error::format(
        "{}: no tokenizer.json for the demo model; build it with `scripts/make-llama3-tokenizer "
        "{}` (needs node and npm) or set INFERMARK_TOKENIZER_DIR",
        tokenizer_dir.string(), tokenizer_dir.string());
  }
  const fs::path tmp = cache_dir / (".demo-model.tmp." + std::to_string(::getpid()));
  fs::remove_all(tmp);
  model::DemoModelOptions o;
  o.shape = "tiny";
  o.out = tmp;
  o.dtype = model::DType::kBF16;
  o.tokenizer = tokenizer_dir / "tokenizer.json";
  try {
    model::make_demo_model(o);
    std::error_code ec;
    fs::rename(tmp, a.model_dir, ec);
    if (ec && !fs::exists(a.model_dir / "config.json")) {
      throw Error::format("{}: cannot create the demo model: {}", a.model_dir.string(),
                          ec.message());
    }
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
  fs::remove_all(tmp);
  return a;
}

}  // namespace infermark::harness
