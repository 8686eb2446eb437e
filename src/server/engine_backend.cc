#include "server/engine_backend.h"

#include <algorithm>

#include "util/error.h"

namespace infermark::server {

engine::EngineOptions serve_engine_options(std::string_view preset, const EngineOverrides& o) {
  engine::EngineOptions eo = engine::EngineOptions::preset(preset);
  eo.threads = o.threads;
  if (o.max_seqs > 0) {
    eo.max_seqs = o.max_seqs;
    eo.max_batch_tokens = std::max<int64_t>(eo.max_batch_tokens, o.max_seqs);
  }
  if (o.kv_cache_bytes > 0) eo.kv_cache_bytes = o.kv_cache_bytes;
  if (o.max_context > 0) eo.max_context = o.max_context;
  return eo;
}

EngineBackend::EngineBackend(std::unique_ptr<engine::Engine> engine) : engine_(std::move(engine)) {
  IM_CHECK(engine_ != nullptr);
  const model::Llama& m = engine_->model();
  info_.kind = "engine";
  info_.vocab_size = static_cast<int32_t>(m.config().vocab_size);
  info_.max_context = engine_->max_context();
  info_.max_seqs = engine_->options().max_seqs;
  info_.eos_ids.assign(m.eos_token_ids().begin(), m.eos_token_ids().end());
}

engine::RequestId EngineBackend::submit(std::vector<TokenId> prompt,
                                        engine::GenerationParams params,
                                        engine::RequestCallbacks callbacks) {
  return engine_->submit(std::move(prompt), std::move(params), std::move(callbacks));
}

void EngineBackend::cancel(engine::RequestId id) { engine_->cancel(id); }

BackendLoad EngineBackend::load() const {
  const engine::Stats s = engine_->stats();
  BackendLoad l;
  l.running = s.running;
  l.waiting = s.waiting;
  l.kv_usage = s.kv_blocks_total > 0 ? static_cast<double>(s.kv_blocks_total - s.kv_blocks_free) /
                                           static_cast<double>(s.kv_blocks_total)
                                     : 0.0;
  return l;
}

}  // namespace infermark::server
