#include "engine/engine.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "util/error.h"
#include "util/log.h"

namespace infermark::engine {
namespace {

int64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : int64_t{8} << 30;
}

double seconds(Clock::time_point from, Clock::time_point to) {
  return from == Clock::time_point{} || to == Clock::time_point{}
             ? 0
             : std::chrono::duration<double>(to - from).count();
}

}  // namespace

std::shared_ptr<const model::Llama> load_model(const std::filesystem::path& dir, int threads,
                                               ops::Device device,
                                               const model::LoadOptions& load) {
  const std::unique_ptr<ops::Backend> backend = ops::create_backend({device, threads});
  return model::Llama::load(dir, *backend, load);
}

namespace {

void check_options(const EngineOptions& o) {
  if (o.block_size < 1 || o.max_seqs < 1 || o.max_batch_tokens < 1 || o.prefill_chunk < 1) {
    throw Error::format(
        "engine options: block_size ({}), max_seqs ({}), max_batch_tokens ({}) and "
        "prefill_chunk ({}) must be >= 1",
        o.block_size, o.max_seqs, o.max_batch_tokens, o.prefill_chunk);
  }
  if (o.max_batch_tokens < o.max_seqs) {
    // Otherwise the decode tokens of the later sequences might never fit in a step.
    throw Error::format("engine options: max_batch_tokens ({}) must be >= max_seqs ({})",
                        o.max_batch_tokens, o.max_seqs);
  }
}

// KV blocks for the options: the explicit budget, else a fraction of RAM capped at what
// max_seqs sequences of `context` tokens can use. Throws if not even one block fits.
int64_t kv_blocks(const EngineOptions& o, int64_t context, int64_t block_bytes) {
  int64_t budget = o.kv_cache_bytes;
  if (budget <= 0) {
    const int64_t per_seq = (context + o.block_size - 1) / o.block_size;
    budget =
        static_cast<int64_t>(o.kv_cache_fraction * static_cast<double>(physical_memory_bytes()));
    budget = std::min(budget, per_seq * o.max_seqs * block_bytes);
  }
  const int64_t n_blocks = budget / block_bytes;
  if (n_blocks < 1) {
    throw Error::format("KV cache budget of {} bytes is smaller than one block ({} bytes)", budget,
                        block_bytes);
  }
  return n_blocks;
}

}  // namespace

Engine::Engine(std::shared_ptr<const model::Llama> model, const EngineOptions& options)
    : model_(std::move(model)), options_(options) {
  IM_CHECK(model_ != nullptr);
  check_options(options);
  if (options.device != model_->device()) {
    throw Error::format("engine options: device {} differs from the model's ({})",
                        ops::device_name(options.device), ops::device_name(model_->device()));
  }
  const model::Config& c = model_->config();
  const int64_t context = options.max_context > 0
                              ? std::min(options.max_context, c.max_position_embeddings)
                              : c.max_position_embeddings;
  const ops::DType kv_dtype = options.kv_dtype.value_or(model_->weight_dtype());
  const int64_t n_blocks =
      kv_blocks(options, context, KvCache::block_bytes(c, kv_dtype, options.block_size));
  max_context_ = std::min(context, n_blocks * options.block_size);
  table_stride_ = (max_context_ + options.block_size - 1) / options.block_size;
  backend_ = ops::create_backend({options.device, options.threads});
  kv_ = std::make_unique<KvCache>(c, kv_dtype, options.block_size, n_blocks, *backend_);
  ws_ = std::make_unique<model::LlamaWorkspace>(c, *backend_, options.max_batch_tokens,
                                                options.max_seqs);
  scheduler_ =
      std::make_unique<Scheduler>(SchedulerLimits{options.max_seqs, options.max_batch_tokens,
                                                  options.prefill_chunk, options.decode_first},
                                  *kv_);
  sampler_ = std::make_unique<Sampler>(options.max_seqs);
  if (!options.dump_dir.empty()) dump_ = std::make_unique<model::ForwardDump>(options.dump_dir);
  const auto seqs = static_cast<size_t>(options.max_seqs);
  tokens_.reserve(static_cast<size_t>(options.max_batch_tokens));
  q_start_.reserve(seqs + 1);
  p0_.reserve(seqs);
  tables_.resize(seqs * static_cast<size_t>(table_stride_));
  logit_rows_.reserve(seqs);
  sampled_.reserve(seqs);
  sample_seqs_.reserve(seqs);
  done_.reserve(seqs);
  work_stats_.kv_blocks_total = work_stats_.kv_blocks_free = n_blocks;
  work_stats_.block_size = options.block_size;
  stats_ = work_stats_;
  thread_ = std::thread([this] { loop(); });
}

Engine::~Engine() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::string Engine::validate(const std::vector<TokenId>& prompt, const GenerationParams& p) const {
  const int64_t vocab = model_->config().vocab_size;
  if (prompt.empty()) return "prompt is empty";
  if (static_cast<int64_t>(prompt.size()) > max_context_) {
    return fmt::format("prompt has {} tokens, more than the context of {} tokens", prompt.size(),
                       max_context_);
  }
  for (size_t i = 0; i < prompt.size(); ++i) {
    if (prompt[i] < 0 || prompt[i] >= vocab) {
      return fmt::format("prompt token {} is {}, outside the vocabulary [0, {})", i, prompt[i],
                         vocab);
    }
  }
  if (p.max_new_tokens < 1)
    return fmt::format("max_new_tokens = {}: must be >= 1", p.max_new_tokens);
  if (p.min_new_tokens < 0 || p.min_new_tokens > p.max_new_tokens) {
    return fmt::format("min_new_tokens = {}: must be in [0, max_new_tokens = {}]", p.min_new_tokens,
                       p.max_new_tokens);
  }
  if (!(p.temperature >= 0) || std::isinf(p.temperature)) {
    return fmt::format("temperature = {}: must be a finite number >= 0", p.temperature);
  }
  if (!(p.top_p > 0 && p.top_p <= 1)) return fmt::format("top_p = {}: must be in (0, 1]", p.top_p);
  if (p.top_k < 0) return fmt::format("top_k = {}: must be >= 0", p.top_k);
  return {};
}

RequestId Engine::submit(std::vector<TokenId> prompt, GenerationParams params,
                         RequestCallbacks callbacks) {
  auto seq = std::make_unique<Sequence>();
  seq->submitted = Clock::now();
  seq->error = validate(prompt, params);
  seq->prompt_len = static_cast<int32_t>(prompt.size());
  if (seq->error.empty()) {
    const int64_t most = std::min<int64_t>(
        max_context_, static_cast<int64_t>(prompt.size()) + params.max_new_tokens);
    prompt.reserve(static_cast<size_t>(most));
  }
  seq->tokens = std::move(prompt);
  seq->params = std::move(params);
  seq->callbacks = std::move(callbacks);
  // Points into params (kept alive in the sequence) or the const model.
  seq->stop_ids = seq->params.stop_ids.empty() && !seq->params.ignore_eos
                      ? model_->eos_token_ids()
                      : std::span<const TokenId>(seq->params.stop_ids);
  RequestId id;
  {
    std::lock_guard lock(mu_);
    id = seq->id = next_id_++;
    ++outstanding_;
    ++stats_.submitted;
    inbox_.push_back(std::move(seq));
  }
  wake_.notify_one();
  return id;
}

void Engine::cancel(RequestId id) {
  {
    std::lock_guard lock(mu_);
    cancels_.push_back(id);
  }
  wake_.notify_one();
}

Stats Engine::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Engine::wait_idle() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return outstanding_ == 0; });
}

void Engine::loop() {
  std::vector<std::unique_ptr<Sequence>> fresh;
  std::vector<RequestId> cancels;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] {
        return stop_ || !inbox_.empty() || !cancels_.empty() || !scheduler_->idle();
      });
      if (stop_) break;
      fresh.swap(inbox_);
      cancels.swap(cancels_);
    }
    drain(fresh, cancels);
    if (!scheduler_->idle()) {
      try {
        step();
      } catch (const std::exception& e) {
        fail_running(e.what());
      }
    }
    publish_stats();
  }
  std::vector<std::unique_ptr<Sequence>> rest = scheduler_->take_all();
  {
    std::lock_guard lock(mu_);
    for (auto& s : inbox_) rest.push_back(std::move(s));
    inbox_.clear();
  }
  for (auto& s : rest) finish(std::move(s), FinishReason::kCancelled);
  publish_stats();
}

void Engine::drain(std::vector<std::unique_ptr<Sequence>>& fresh, std::vector<RequestId>& cancels) {
  for (auto& s : fresh) {
    if (!s->error.empty()) {
      std::string error = s->error;
      finish(std::move(s), FinishReason::kError, std::move(error));
    } else {
      scheduler_->add(std::move(s));
    }
  }
  fresh.clear();
  for (RequestId id : cancels) {
    if (auto s = scheduler_->remove(id)) finish(std::move(s), FinishReason::kCancelled);
  }
  cancels.clear();
}

void Engine::finish(std::unique_ptr<Sequence> seq, FinishReason reason, std::string error) {
  const Clock::time_point now = Clock::now();
  Finish f;
  f.id = seq->id;
  f.reason = reason;
  f.error = std::move(error);
  f.prompt_tokens = seq->prompt_len;
  f.generated_tokens = std::max(0, seq->generated());
  f.preemptions = seq->preemptions;
  f.queue_seconds = seconds(seq->submitted, seq->scheduled);
  f.first_token_seconds = seconds(seq->submitted, seq->first_token);
  f.total_seconds = seconds(seq->submitted, now);
  ++work_stats_.finished;
  if (reason == FinishReason::kError) ++work_stats_.errors;
  if (reason == FinishReason::kCancelled) ++work_stats_.cancelled;
  if (seq->callbacks.on_finish) {
    try {
      seq->callbacks.on_finish(f);
    } catch (const std::exception& e) {
      IM_LOG_WARN("engine: on_finish of request {} threw: {}", f.id, e.what());
    }
  }
  ++finished_unpublished_;
}

void Engine::fail_running(const std::string& error) {
  IM_LOG_ERROR("engine: step failed: {}", error);
  for (auto& s : scheduler_->take_all()) finish(std::move(s), FinishReason::kError, error);
}

void Engine::publish_stats() {
  work_stats_.running = scheduler_->n_running();
  work_stats_.waiting = scheduler_->n_waiting();
  work_stats_.kv_blocks_free = kv_->n_free();
  {
    std::lock_guard lock(mu_);
    const int64_t submitted = stats_.submitted;
    stats_ = work_stats_;
    stats_.submitted = submitted;
    outstanding_ -= finished_unpublished_;
  }
  // wait_idle() returns only once the stats show every finished request.
  if (finished_unpublished_ > 0) idle_.notify_all();
  finished_unpublished_ = 0;
}

}  // namespace infermark::engine
