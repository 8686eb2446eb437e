// The inference engine: requests in, tokens out, over one model on one device.
//
//   auto model = engine::load_model(dir, threads);            // model::Llama, shared, const
//   engine::Engine e(model, engine::EngineOptions::offline());  // options.device: the backend
//   RequestId id = e.submit(prompt_ids, params, {on_tokens, on_finish});
//   e.cancel(id);                                             // optional
//   e.wait_idle();                                            // or keep submitting
//
// An engine thread runs the step loop: it drains submissions and cancellations, asks the
// scheduler for the next flat batch (continuous batching, chunked prefill, preemption by
// recompute; scheduler.h), runs Llama::forward over it with the paged KV cache, samples
// (sampler.h), and reports through the request's callbacks, which run on the engine thread.
// Every op runs on the engine's backend (made from options.device and options.threads), which
// also provides the KV cache's and the step workspace's memory.
// submit, cancel, stats and wait_idle are thread-safe and never wait for a step to finish.
//
// Bad input (empty prompt, prompt longer than the context, a token id outside the vocabulary,
// parameters out of range) fails that request alone: on_finish with FinishReason::kError and a
// message naming the field and value. Destroying the engine finishes every outstanding request
// as kCancelled.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/kv_cache.h"
#include "engine/options.h"
#include "engine/request.h"
#include "engine/sampler.h"
#include "engine/scheduler.h"
#include "model/forward_dump.h"
#include "model/llama.h"
#include "ops/backend.h"

namespace infermark::engine {

// Loads the model in `dir` and makes its weights resident on `device` (packing them with a
// backend of `threads` threads, 0 = one per physical core; `load` as model::Llama::load).
// Throws Error naming the file on any problem, or the device when this build has no backend
// for it.
std::shared_ptr<const model::Llama> load_model(const std::filesystem::path& dir, int threads = 0,
                                               ops::Device device = ops::Device::kCpu,
                                               const model::LoadOptions& load = {});

class Engine {
 public:
  // Creates the backend, allocates the KV cache and the step workspace from it, and starts the
  // engine thread. Throws Error when the options cannot work (a KV budget below one block, a
  // device without a backend or other than the model's, say).
  Engine(std::shared_ptr<const model::Llama> model, const EngineOptions& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queues a request; its callbacks run on the engine thread (possibly before submit returns).
  RequestId submit(std::vector<TokenId> prompt, GenerationParams params,
                   RequestCallbacks callbacks);
  // Stops a request: its blocks are freed and on_finish reports kCancelled, unless it has
  // already finished. Unknown ids are ignored.
  void cancel(RequestId id);
  Stats stats() const;
  // Blocks until every request submitted so far has finished. Not from inside a callback.
  void wait_idle();

  const model::Llama& model() const { return *model_; }
  const EngineOptions& options() const { return options_; }
  // Tokens a sequence may reach (prompt + generated): the context capped by the KV cache.
  int64_t max_context() const { return max_context_; }
  const KvCache& kv_cache() const { return *kv_; }
  // Compute threads of the backend (the engine thread included).
  int threads() const { return backend_->threads(); }

 private:
  void loop();
  void drain(std::vector<std::unique_ptr<Sequence>>& fresh, std::vector<RequestId>& cancels);
  void step();
  void build_batch(const std::vector<ScheduledChunk>& chunks);
  void deliver(Sequence& seq, TokenId token);
  void finish(std::unique_ptr<Sequence> seq, FinishReason reason, std::string error = {});
  void fail_running(const std::string& error);
  void publish_stats();
  std::string validate(const std::vector<TokenId>& prompt, const GenerationParams& p) const;

  std::shared_ptr<const model::Llama> model_;
  EngineOptions options_;
  int64_t max_context_ = 0;
  int64_t table_stride_ = 0;
  std::unique_ptr<ops::Backend> backend_;
  std::unique_ptr<KvCache> kv_;
  std::unique_ptr<model::LlamaWorkspace> ws_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<model::ForwardDump> dump_;

  // Step buffers (engine thread), sized at start.
  std::vector<int32_t> tokens_, q_start_, p0_, tables_, logit_rows_, sampled_;
  std::vector<Sequence*> sample_seqs_;
  std::vector<std::pair<Sequence*, FinishReason>> done_;  // finished in this step
  Stats work_stats_;  // engine thread's counters, published after each step
  int64_t finished_unpublished_ = 0;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::vector<std::unique_ptr<Sequence>> inbox_;
  std::vector<RequestId> cancels_;
  RequestId next_id_ = 1;
  int64_t outstanding_ = 0;
  bool stop_ = false;
  Stats stats_;

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace infermark::engine
