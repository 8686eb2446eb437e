// The generation backend over the real engine (engine/engine.h): submissions, cancellations and
// callbacks pass straight through; info and load come from the model and the engine's stats.
// Thread-safe as the engine is.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/engine.h"
#include "server/backend.h"

namespace infermark::server {

// What `infermark serve` may change in the engine preset; 0 keeps the preset's value.
struct EngineOverrides {
  int threads = 0;
  int max_seqs = 0;  // also raises max_batch_tokens to at least this
  int64_t kv_cache_bytes = 0;
  int64_t max_context = 0;
};
// The engine options `infermark serve` runs with (and its benchmarks compare against): the named
// preset ("server" or "offline"; Error otherwise) with the overrides applied.
engine::EngineOptions serve_engine_options(std::string_view preset, const EngineOverrides& o);

class EngineBackend final : public GenerationBackend {
 public:
  explicit EngineBackend(std::unique_ptr<engine::Engine> engine);

  const BackendInfo& info() const override { return info_; }
  engine::RequestId submit(std::vector<TokenId> prompt, engine::GenerationParams params,
                           engine::RequestCallbacks callbacks) override;
  void cancel(engine::RequestId id) override;
  BackendLoad load() const override;

  engine::Engine& engine() { return *engine_; }

 private:
  std::unique_ptr<engine::Engine> engine_;
  BackendInfo info_;
};

}  // namespace infermark::server
