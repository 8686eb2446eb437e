// The generation backend over the real engine (engine/engine.h): submissions, cancellations and
// callbacks pass straight through; info and load come from the model and the engine's stats.
// Thread-safe as the engine is.
#pragma once

#include <memory>

#include "engine/engine.h"
#include "server/backend.h"

namespace infermark::server {

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
