// One Llama forward step at the shapes the engine runs (a prefill chunk of m tokens of one
// sequence; a decode step of m sequences with `ctx` cached tokens each), and the scheduler's
// planning of a step with many running sequences, with the machine's ceilings probed in the
// same process (backends/cpu/ceilings.h).
//
// The model is $INFERMARK_BENCH_MODEL (e.g. /tmp/im-1b from `infermark make-model --shape
// llama-3.2-1b --dtype bf16 --out /tmp/im-1b`), else a generated tiny model. Counters: tok/s
// (rows per second), %fma (FLOPs of the step / best FMA peak), %bw (bytes of weights and K/V
// read / read bandwidth), both per wall second; cpu_share = CPU-seconds / (wall x threads).
//
// Run: build/<dir>/bench/engine/engine_bench --benchmark_repetitions=3
//      --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <numeric>
#include <vector>

#include "backends/cpu/ceilings.h"
#include "engine/engine.h"
#include "model/demo_model.h"
#include "ops/cpu_backend.h"

namespace infermark::engine {
namespace {

constexpr int kThreads = 2;

struct Shared {
  std::shared_ptr<const model::Llama> model;
  std::unique_ptr<ops::CpuBackend> backend;
  std::unique_ptr<cpu::CeilingProbe> probe;
  std::filesystem::path tmp;
};

Shared& shared() {
  static Shared s = [] {
    Shared x;
    std::filesystem::path dir;
    if (const char* env = std::getenv("INFERMARK_BENCH_MODEL")) {
      dir = env;
    } else {
      x.tmp = std::filesystem::temp_directory_path() / "infermark_engine_bench_tiny";
      model::DemoModelOptions o;
      o.out = dir = x.tmp;
      model::make_demo_model(o);
    }
    x.model = load_model(dir, kThreads);
    x.backend = std::make_unique<ops::CpuBackend>(kThreads);
    x.probe = std::make_unique<cpu::CeilingProbe>(x.backend->pool());
    return x;
  }();
  return s;
}

// One forward step: `seqs` sequences of `rows` new tokens each after `ctx` cached tokens;
// logits for the last row of each.
void bm_forward(benchmark::State& st, int seqs, int rows, int ctx) {
  Shared& s = shared();
  const model::Config& c = s.model->config();
  const cpu::MachineCeilings ceil = s.probe->measure();
  const int block = 16;
  const int per_seq = (ctx + rows + block - 1) / block;
  ops::Backend& backend = *s.backend;
  KvCache kv(c, s.model->weight_dtype(), block, int64_t{per_seq} * seqs, backend);
  model::LlamaWorkspace ws(c, backend, int64_t{seqs} * rows, seqs);
  std::vector<int32_t> tokens(static_cast<size_t>(seqs * rows), 1000), q_start, p0, logit_rows;
  std::vector<int32_t> tables(static_cast<size_t>(per_seq * seqs));
  std::iota(tables.begin(), tables.end(), 0);
  for (int i = 0; i <= seqs; ++i) q_start.push_back(i * rows);
  for (int i = 0; i < seqs; ++i) p0.push_back(ctx), logit_rows.push_back((i + 1) * rows - 1);
  model::ForwardBatch b;
  b.tokens = tokens;
  b.seqs.q_start = q_start;
  b.seqs.p0 = p0;
  b.seqs.block_tables = tables.data();
  b.seqs.block_table_stride = per_seq;
  b.logit_rows = logit_rows;
  const cpu::Stopwatch sw;
  for (auto _ : st) s.model->forward(backend, b, kv.layers(), ws);
  const double n = static_cast<double>(st.iterations());
  const double linear = 2.0 * static_cast<double>(s.model->layer_macs_per_token());
  const double head = 2.0 * static_cast<double>(c.vocab_size * c.hidden_size);
  const double attn = 4.0 * static_cast<double>(c.num_layers * c.q_dim()) * (ctx + rows / 2.0);
  const double flops = seqs * (rows * (linear + attn) + head);
  const double kv_bytes =
      static_cast<double>(KvCache::block_bytes(c, kv.dtype(), 1)) * seqs * (ctx + rows);
  const double bytes = static_cast<double>(s.model->packed_weight_bytes()) + kv_bytes;
  st.counters["tok/s"] = n * seqs * rows / sw.wall_seconds();
  st.counters["%fma"] = 100 * n * flops / 1e9 / sw.wall_seconds() / ceil.best_fma().per_s;
  st.counters["%bw"] = 100 * n * bytes / 1e9 / sw.wall_seconds() / ceil.read_gb.per_s;
  st.counters["cpu_share"] = sw.cpu_seconds() / (sw.wall_seconds() * kThreads);
}

// Planning one step of `seqs` decoding sequences (the scheduler's cost per step).
void bm_plan(benchmark::State& st, int seqs) {
  const model::Config c = shared().model->config();
  KvCache kv(c, ops::DType::kBF16, 16, int64_t{seqs} * 4, *shared().backend);
  Scheduler sched({seqs, 4096, 4096, true}, kv);
  for (int i = 0; i < seqs; ++i) {
    auto s = std::make_unique<Sequence>();
    s->id = static_cast<RequestId>(i + 1);
    s->tokens.assign(8, 1);
    s->prompt_len = 8;
    sched.add(std::move(s));
  }
  for (const ScheduledChunk& ch : sched.plan()) {
    ch.seq->n_cached += ch.n_tokens;
    ch.seq->tokens.push_back(2);  // sampled: every sequence now decodes
  }
  for (auto _ : st) benchmark::DoNotOptimize(sched.plan().size());
}

void register_all() {
  for (int m : {64, 512}) {
    benchmark::RegisterBenchmark(("forward/prefill/m:" + std::to_string(m)).c_str(), bm_forward, 1,
                                 m, 0)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  for (int seqs : {1, 8, 32}) {
    benchmark::RegisterBenchmark(
        ("forward/decode/seqs:" + std::to_string(seqs) + "/ctx:512").c_str(), bm_forward, seqs, 1,
        512)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  for (int seqs : {32, 256}) {
    benchmark::RegisterBenchmark(("scheduler/plan/seqs:" + std::to_string(seqs)).c_str(), bm_plan,
                                 seqs)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace
}  // namespace infermark::engine

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  infermark::engine::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
