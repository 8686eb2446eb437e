// Helpers for the engine tests: a tiny generated model shared by a test binary, and a
// collector of what the callbacks report per request.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "engine/engine.h"
#include "model/llama_reference.h"
#include "model/test_files.h"
#include "ops/backend.h"

namespace infermark::engine::testing {

// The harder variant of make-model's "tiny" shape (bf16, untied, std 0.1 weights and random
// norms: peaked attention and varied greedy output; see tests/model/llama_reference.h) in a
// temporary folder, loaded once per process.
class TinyModel {
 public:
  static const TinyModel& get() {
    static const TinyModel m;
    return m;
  }
  std::shared_ptr<const model::Llama> model() const { return model_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  // Loads another instance (to change its eos ids).
  std::shared_ptr<model::Llama> load_copy() const {
    const auto backend = ops::create_backend({.threads = 2});
    return std::shared_ptr<model::Llama>(model::Llama::load(dir_.path(), *backend).release());
  }

 private:
  TinyModel() {
    model::testing::write_tiny_model(dir_.path(), model::DType::kBF16, /*harder=*/true);
    model_ = load_model(dir_.path(), 2);
  }
  model::testing::TempDir dir_;
  std::shared_ptr<const model::Llama> model_;
};

// Small, explicit options: 2 threads, a 4 MB KV cache, context 512.
inline EngineOptions test_options() {
  EngineOptions o;
  o.threads = 2;
  o.kv_cache_bytes = 4 << 20;
  o.max_context = 512;
  o.max_seqs = 16;
  o.max_batch_tokens = 256;
  o.prefill_chunk = 256;
  return o;
}

struct Outcome {
  std::vector<TokenId> tokens;
  int first_calls = 0;
  bool finished = false;
  Finish finish;
};

// Submits requests and records their callbacks (which run on the engine thread).
class Collector {
 public:
  RequestId submit(Engine& e, std::vector<TokenId> prompt, GenerationParams p) {
    auto out = std::make_shared<Outcome>();
    RequestCallbacks cb;
    cb.on_tokens = [this, out](std::span<const TokenId> t, bool first) {
      std::lock_guard lock(mu_);
      out->tokens.insert(out->tokens.end(), t.begin(), t.end());
      out->first_calls += first ? 1 : 0;
    };
    cb.on_finish = [this, out](const Finish& f) {
      std::lock_guard lock(mu_);
      EXPECT_FALSE(out->finished) << "on_finish called twice";
      out->finished = true;
      out->finish = f;
    };
    const RequestId id = e.submit(std::move(prompt), std::move(p), std::move(cb));
    std::lock_guard lock(mu_);
    outcomes_[id] = out;
    order_.push_back(id);
    return id;
  }
  Outcome get(RequestId id) {
    std::lock_guard lock(mu_);
    return *outcomes_.at(id);
  }
  const std::vector<RequestId>& ids() const { return order_; }

 private:
  std::mutex mu_;
  std::map<RequestId, std::shared_ptr<Outcome>> outcomes_;
  std::vector<RequestId> order_;
};

inline std::vector<TokenId> random_prompt(size_t n, uint32_t seed, int32_t vocab = 128256) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> d(0, vocab - 1);
  std::vector<TokenId> v(n);
  for (auto& t : v) t = d(rng);
  return v;
}

}  // namespace infermark::engine::testing
