// Benchmarks of the non-matmul ops, each SIMD variant against generic, with in-process ceilings
// (timed.h).
//
// attention_decode: n_seqs sequences each decoding one token over `ctx` cached tokens (Llama-3.2-1B
//   heads: 32 query, 8 kv, head_dim 64) in a cache of `block`-token blocks interleaved across
//   sequences; GB/s counts the K and V bytes read, the figure of merit (decode attention is bound
//   by memory bandwidth).
// attention_prefill: one 512-token chunk from position 0 (causal); GFLOP/s counts the 4 * head_dim
//   flops per visible (query head, key) pair.
// rms_norm / swiglu / rope: elementwise, GB/s of activations read and written.
//
// Run: build/<dir>/bench/ops/ops_bench --benchmark_repetitions=3
//      --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "backends/cpu/cpu_features.h"
#include "bench_env.h"
#include "ceilings.h"
#include "ops/activation.h"
#include "ops/attention.h"
#include "ops/embedding.h"
#include "ops/norm.h"
#include "ops/rope.h"
#include "ops/sampling.h"
#include "timed.h"

namespace infermark::bench {
namespace {

ops::Backend* g_backend = nullptr;
Probe* g_probe = nullptr;

constexpr int kHeads = 32, kKvHeads = 8, kHeadDim = 64;

std::vector<float> filled(size_t n, float base) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = base + static_cast<float>(i % 97) * 1e-3f;
  return v;
}

// A paged cache holding n_seqs sequences of `tokens` positions each (blocks interleaved across
// sequences, as an allocator serving several requests would leave them).
struct Cache {
  std::vector<uint16_t> k, v;  // sized for f32; bf16 uses half
  std::vector<int32_t> tables;
  int64_t blocks_per_seq = 0;
  ops::PagedKvLayer layer;
};

Cache make_cache(ops::DType dt, int n_seqs, int tokens, int block_size) {
  Cache c;
  c.blocks_per_seq = (tokens + block_size - 1) / block_size;
  const int64_t n_blocks = c.blocks_per_seq * n_seqs;
  const size_t elems = static_cast<size_t>(n_blocks) * block_size * kKvHeads * kHeadDim;
  c.k.assign(elems * 2, 0x3c00);
  c.v.assign(elems * 2, 0x3c00);
  c.tables.resize(static_cast<size_t>(n_blocks));
  for (int s = 0; s < n_seqs; ++s) {
    for (int64_t b = 0; b < c.blocks_per_seq; ++b) {
      c.tables[static_cast<size_t>(s * c.blocks_per_seq + b)] =
          static_cast<int32_t>(b * n_seqs + s);
    }
  }
  c.layer = {c.k.data(), c.v.data(), dt,       ops::Device::kCpu,
             n_blocks,   block_size, kKvHeads, kHeadDim};
  return c;
}

void bm_attention_decode(benchmark::State& st, ops::DType dt, int n_seqs, int context,
                         int block_size, cpu::Isa isa) {
  cpu::set_max_isa(isa);
  ops::Backend& backend = *g_backend;
  Cache c = make_cache(dt, n_seqs, context + 1, block_size);
  std::vector<int32_t> q_start(static_cast<size_t>(n_seqs + 1)),
      p0(static_cast<size_t>(n_seqs), context);
  std::iota(q_start.begin(), q_start.end(), 0);
  const ops::AttentionBatch batch{q_start, p0, c.tables.data(), c.blocks_per_seq};
  const auto q = filled(static_cast<size_t>(n_seqs * kHeads * kHeadDim), 0.1f);
  std::vector<float> out(q.size());
  const auto qv = ops::TensorView::of(q.data(), ops::DType::kF32, {n_seqs, kHeads * kHeadDim});
  const auto ov = ops::TensorView::of(out.data(), ops::DType::kF32, {n_seqs, kHeads * kHeadDim});
  const double bytes =
      2.0 * (context + 1) * kKvHeads * kHeadDim * static_cast<double>(ops::dtype_size(dt)) * n_seqs;
  const double flops = 4.0 * kHeadDim * kHeads * (context + 1) * n_seqs;
  run_timed(st, *g_probe, g_backend->threads(), bytes, flops, n_seqs,
            [&] { ops::attention(backend, c.layer, batch, qv, kHeads, ov); });
  cpu::set_max_isa(cpu::Isa::kAvx512);
}

void bm_attention_prefill(benchmark::State& st, ops::DType dt, int rows, cpu::Isa isa) {
  cpu::set_max_isa(isa);
  ops::Backend& backend = *g_backend;
  Cache c = make_cache(dt, 1, rows, 16);
  const std::vector<int32_t> q_start = {0, rows}, p0 = {0};
  const ops::AttentionBatch batch{q_start, p0, c.tables.data(), c.blocks_per_seq};
  const auto q = filled(static_cast<size_t>(rows * kHeads * kHeadDim), 0.1f);
  std::vector<float> out(q.size());
  const auto qv = ops::TensorView::of(q.data(), ops::DType::kF32, {rows, kHeads * kHeadDim});
  const auto ov = ops::TensorView::of(out.data(), ops::DType::kF32, {rows, kHeads * kHeadDim});
  const double pairs = static_cast<double>(rows) * (rows + 1) / 2 * kHeads;
  run_timed(st, *g_probe, g_backend->threads(), 0, 4.0 * kHeadDim * pairs, rows,
            [&] { ops::attention(backend, c.layer, batch, qv, kHeads, ov); });
  cpu::set_max_isa(cpu::Isa::kAvx512);
}

// Greedy sampling of `rows` rows of Llama-3 logits (128256 each): bytes read per call.
void bm_argmax(benchmark::State& st, int64_t rows, cpu::Isa isa) {
  cpu::set_max_isa(isa);
  ops::Backend& backend = *g_backend;
  const int64_t vocab = 128256;
  std::vector<float> logits(static_cast<size_t>(rows * vocab));
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = static_cast<float>((i * 7919) % 1000);
  std::vector<int32_t> out(static_cast<size_t>(rows));
  const auto lv = ops::TensorView::of(logits.data(), ops::DType::kF32, {rows, vocab});
  run_timed(st, *g_probe, g_backend->threads(), 4.0 * rows * vocab, 0, rows,
            [&] { ops::argmax(backend, lv, out); });
  cpu::set_max_isa(cpu::Isa::kAvx512);
}

// Embedding lookup of `rows` tokens from a bf16 table of 128256 × 2048 (bytes read + written).
void bm_embedding(benchmark::State& st, int64_t rows, cpu::Isa isa) {
  cpu::set_max_isa(isa);
  ops::Backend& backend = *g_backend;
  const int64_t vocab = 128256, d = 2048;
  std::vector<uint16_t> table(static_cast<size_t>(vocab * d), 0x3f80);
  std::vector<int32_t> ids(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i)
    ids[static_cast<size_t>(i)] = static_cast<int32_t>((i * 4099) % vocab);
  std::vector<float> out(static_cast<size_t>(rows * d));
  const auto tv = ops::TensorView::of(table.data(), ops::DType::kBF16, {vocab, d});
  const auto ov = ops::TensorView::of(out.data(), ops::DType::kF32, {rows, d});
  run_timed(st, *g_probe, g_backend->threads(), 6.0 * rows * d, 0, rows,
            [&] { ops::embedding(backend, tv, ids, ov); });
  cpu::set_max_isa(cpu::Isa::kAvx512);
}

void bm_rms_norm(benchmark::State& st, int64_t rows, int64_t d, cpu::Isa isa) {
  cpu::set_max_isa(isa);
  ops::Backend& backend = *g_backend;
  auto x = filled(static_cast<size_t>(rows * d), 0.5f);
  const auto w = filled(static_cast<size_t>(d), 1.0f);
  std::vector<float> out(x.size());
  const auto xv = ops::TensorView::of(x.data(), ops::DType::kF32, {rows, d});
  const auto ov = ops::TensorView::of(out.data(), ops::DType::kF32, {rows, d});
  const auto wv = ops::TensorView::of(w.data(), ops::DType::kF32, {d});
  run_timed(st, *g_probe, g_backend->threads(), 8.0 * rows * d, 3.0 * rows * d, rows,
            [&] { ops::rms_norm(backend, xv, wv, 1e-5f, ov); });
  cpu::set_max_isa(cpu::Isa::kAvx512);
}

void bm_swiglu(benchmark::State& st, int64_t rows, int64_t d, cpu::Isa isa) {
  cpu::set_max_isa(isa);
  ops::Backend& backend = *g_backend;
  auto gu = filled(static_cast<size_t>(rows * 2 * d), -0.5f);
  std::vector<float> out(static_cast<size_t>(rows * d));
  const auto all = ops::TensorView::of(gu.data(), ops::DType::kF32, {rows, 2 * d});
  const auto ov = ops::TensorView::of(out.data(), ops::DType::kF32, {rows, d});
  run_timed(st, *g_probe, g_backend->threads(), 12.0 * rows * d, 0, rows,
            [&] { ops::swiglu(backend, all.slice(1, 0, d), all.slice(1, d, 2 * d), ov); });
  cpu::set_max_isa(cpu::Isa::kAvx512);
}

void bm_rope(benchmark::State& st, int64_t rows, cpu::Isa isa) {
  cpu::set_max_isa(isa);
  ops::Backend& backend = *g_backend;
  const ops::RopeTable table(kHeadDim, 500000.0f, ops::Llama3RopeScaling{});
  const int64_t width = (kHeads + kKvHeads) * kHeadDim;  // q and k heads of a fused output
  auto x = filled(static_cast<size_t>(rows * width), 0.3f);
  std::vector<int32_t> pos(static_cast<size_t>(rows));
  std::iota(pos.begin(), pos.end(), 100);
  const auto xv = ops::TensorView::of(x.data(), ops::DType::kF32, {rows, width});
  run_timed(st, *g_probe, g_backend->threads(), 8.0 * rows * width, 0, rows,
            [&] { ops::rope(backend, table, pos, xv); });
  cpu::set_max_isa(cpu::Isa::kAvx512);
}

template <typename... Args>
void add(const std::string& name, Args&&... args) {
  benchmark::RegisterBenchmark(name.c_str(), std::forward<Args>(args)...)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

void register_all() {
  for (cpu::Isa isa : {cpu::Isa::kAvx512, cpu::Isa::kAvx2, cpu::Isa::kGeneric}) {
    if (isa > cpu::detected_isa()) continue;
    const std::string v(cpu::isa_name(isa));
    for (ops::DType dt : {ops::DType::kF32, ops::DType::kBF16}) {
      const std::string d(ops::dtype_name(dt));
      for (int n_seqs : {1, 16}) {
        for (int bs : {16, 64}) {
          add("attention_decode/" + v + "/" + d + "/seqs:" + std::to_string(n_seqs) +
                  "/ctx:2048/block:" + std::to_string(bs),
              bm_attention_decode, dt, n_seqs, 2048, bs, isa);
        }
      }
      add("attention_prefill/" + v + "/" + d + "/rows:512", bm_attention_prefill, dt, 512, isa);
    }
    for (int64_t rows : {1, 32}) {
      add("argmax/" + v + "/rows:" + std::to_string(rows) + "/vocab:128256", bm_argmax, rows, isa);
      add("embedding/" + v + "/bf16/rows:" + std::to_string(rows) + "/d:2048", bm_embedding, rows,
          isa);
    }
    for (int64_t rows : {1, 512}) {
      add("rms_norm/" + v + "/rows:" + std::to_string(rows) + "/d:2048", bm_rms_norm, rows,
          int64_t{2048}, isa);
      add("swiglu/" + v + "/rows:" + std::to_string(rows) + "/d:8192", bm_swiglu, rows,
          int64_t{8192}, isa);
      add("rope/" + v + "/rows:" + std::to_string(rows), bm_rope, rows, isa);
    }
  }
}

}  // namespace
}  // namespace infermark::bench

int main(int argc, char** argv) {
  using namespace infermark;
  const auto env = bench::start_bench(&argc, argv, "ops_bench");
  if (!env) return 1;
  bench::g_backend = &env->backend;
  bench::g_probe = &env->probe;
  bench::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
