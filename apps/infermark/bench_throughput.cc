#include "bench_throughput.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>

#include "backends/cpu/ceilings.h"
#include "util/error.h"

namespace infermark::cli {
namespace {

using engine::Clock;
using engine::TokenId;

std::vector<TokenId> random_prompt(int64_t n, int64_t vocab, std::mt19937_64& rng) {
  std::uniform_int_distribution<TokenId> d(0, static_cast<TokenId>(vocab - 1));
  std::vector<TokenId> p(static_cast<size_t>(n));
  for (TokenId& t : p) t = d(rng);
  return p;
}

// Shared by the callbacks of one measurement (called on the engine thread).
struct Progress {
  std::mutex mu;
  int64_t tokens = 0;
  int first_tokens = 0, finished = 0;
  Clock::time_point all_started{}, first_finish{};
  double cpu_at_all_started = 0, cpu_at_first_finish = 0;
  int64_t tokens_at_all_started = 0, tokens_at_first_finish = 0;
};

}  // namespace

ThroughputResult measure_throughput(engine::Engine& eng, int batch, int64_t prompt_len, int gen_len,
                                    uint64_t seed) {
  IM_CHECK(batch >= 1 && prompt_len >= 1 && gen_len >= 2);
  const int64_t vocab = eng.model().config().vocab_size;
  std::mt19937_64 rng(seed);
  ThroughputResult r;
  r.batch = batch, r.prompt_len = prompt_len, r.gen_len = gen_len;
  std::vector<std::vector<TokenId>> prompts;
  for (int b = 0; b < batch; ++b) prompts.push_back(random_prompt(prompt_len, vocab, rng));

  Progress p;
  engine::GenerationParams gen;
  gen.max_new_tokens = gen.min_new_tokens = gen_len;
  engine::RequestCallbacks cb;
  cb.on_tokens = [&p, batch](std::span<const TokenId> t, bool first) {
    std::lock_guard lock(p.mu);
    p.tokens += static_cast<int64_t>(t.size());
    if (first && ++p.first_tokens == batch) {
      p.all_started = Clock::now();
      p.cpu_at_all_started = cpu::process_cpu_seconds();
      p.tokens_at_all_started = p.tokens;
    }
  };
  cb.on_finish = [&p](const engine::Finish&) {
    std::lock_guard lock(p.mu);
    if (p.finished++ == 0) {
      p.first_finish = Clock::now();
      p.cpu_at_first_finish = cpu::process_cpu_seconds();
      p.tokens_at_first_finish = p.tokens;
    }
  };
  const cpu::Stopwatch sw;
  const auto t0 = Clock::now();
  const double cpu0 = cpu::process_cpu_seconds();
  for (auto& prompt : prompts) eng.submit(std::move(prompt), gen, cb);
  eng.wait_idle();
  r.cpu_share = sw.cpu_seconds() / (sw.wall_seconds() * eng.threads());
  std::lock_guard lock(p.mu);
  r.prefill_tokens = batch * prompt_len;
  r.prefill_seconds = std::chrono::duration<double>(p.all_started - t0).count();
  r.decode_tokens = p.tokens_at_first_finish - p.tokens_at_all_started;
  r.decode_seconds = std::chrono::duration<double>(p.first_finish - p.all_started).count();
  r.prefill_cpu_seconds = p.cpu_at_all_started - cpu0;
  r.decode_cpu_seconds = p.cpu_at_first_finish - p.cpu_at_all_started;
  if (r.decode_seconds <= 0) r.decode_tokens = 0, r.decode_seconds = 0;  // no common window
  return r;
}

TokenCost token_cost(const engine::Engine& eng, int64_t prompt_len, int batch, int64_t context) {
  const model::Llama& m = eng.model();
  const model::Config& c = m.config();
  const double linear = 2.0 * static_cast<double>(m.layer_macs_per_token());
  const double head = 2.0 * static_cast<double>(c.vocab_size * c.hidden_size);
  // q·k and p·v over `ctx` positions, every layer and head.
  auto attention = [&](double ctx) {
    return 4.0 * static_cast<double>(c.num_layers * c.q_dim()) * ctx;
  };
  TokenCost t;
  t.prefill_flops = linear + attention(static_cast<double>(prompt_len + 1) / 2) +
                    head / static_cast<double>(prompt_len);
  const double kv_bytes_per_position =
      static_cast<double>(engine::KvCache::block_bytes(c, eng.kv_cache().dtype(), 1));
  t.decode_bytes = static_cast<double>(m.packed_weight_bytes()) / batch +
                   kv_bytes_per_position * static_cast<double>(context);
  t.decode_flops = linear + head + attention(static_cast<double>(context));
  return t;
}

}  // namespace infermark::cli
