// Matmul benchmarks on the Llama-3.2-1B shapes, bf16 and f16 weights, f32 activations, and on the
// 1B and Llama-3.1-8B shapes with quantized weights (W8A16, W4A16 group 128, FP8 weight-only,
// W8A8; see register_quantized), with the machine's ceilings measured in the same process (see
// ceilings.h).
//
// Reading the output (counters: see timed.h): GB/s of weights streamed and %bw of the measured
// read bandwidth are the figure of merit for m = 1 and m = 32, where weights come from memory
// (those cases rotate over copies of the weights totalling >= 1 GiB so that a server CPU's large
// last-level cache cannot hold them); GFLOP/s and %fma of the measured FMA peak for m = 512
// (%fma512 against the AVX-512 peak where the CPU has it); tok/s is rows per second (compare
// m = 32 with m = 1 for batched decode). Names say which kernel ran: avx2 (the kernels for
// every AVX2 CPU), avx512 (large m only), generic. `decode_1b` runs every matmul of one
// Llama-3.2-1B step (16 layers: fused qkv, o, fused gate/up, down, then lm_head; 2.47 GB in
// bf16) at m rows with the best kernels: its tok/s bounds decode speed. Each benchmark probes
// the ceilings right before it runs; full probes are printed at start (context) and at the end.
//
// Run: build/<dir>/bench/ops/matmul_bench --benchmark_repetitions=3
//      --benchmark_report_aggregates_only=true  (add --benchmark_filter=... to select)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "backends/cpu/cpu_features.h"
#include "backends/cpu/half.h"
#include "backends/cpu/matmul.h"
#include "bench_env.h"
#include "ceilings.h"
#include "ops/matmul.h"
#include "ops/quantized.h"
#include "timed.h"

namespace infermark::bench {
namespace {

ops::Backend* g_backend = nullptr;
Probe* g_probe = nullptr;

struct Shape {
  const char* name;
  int64_t n, k;
};
constexpr Shape kShapes[] = {{"q_o", 2048, 2048},
                             {"k_v", 512, 2048},
                             {"gate_up", 8192, 2048},
                             {"down", 2048, 8192},
                             {"lm_head", 128256, 2048}};
constexpr size_t kRotateBytes = size_t{1} << 30;

// n × k weights of random values in dtype (host memory, row-major).
std::vector<uint16_t> random_half(ops::DType dt, int64_t n, int64_t k, uint32_t seed) {
  std::vector<uint16_t> w(static_cast<size_t>(n * k));
  uint32_t s = seed * 2654435761u + 1;
  for (auto& v : w) {
    s = s * 1664525u + 1013904223u;
    const float f = (static_cast<float>(s >> 8) / (1 << 24) - 0.5f) * 0.1f;
    v = dt == ops::DType::kBF16 ? cpu::f32_to_bf16(f) : cpu::f32_to_f16(f);
  }
  return w;
}

// The quantized formats measured: weight format, activations, group size (0: per channel).
struct QuantFormat {
  const char* name;
  ops::WeightFormat weights;
  ops::ActivationFormat activations;
  int64_t group_size;
};
constexpr QuantFormat kQuantFormats[] = {
    {"w8a16", ops::WeightFormat::kInt8, ops::ActivationFormat::kFloat, 0},
    {"w4a16-g128", ops::WeightFormat::kInt4, ops::ActivationFormat::kFloat, 128},
    {"fp8", ops::WeightFormat::kFp8E4M3, ops::ActivationFormat::kFloat, 0},
    {"w8a8", ops::WeightFormat::kInt8, ops::ActivationFormat::kInt8PerToken, 0},
    {"w4a8-g128", ops::WeightFormat::kInt4, ops::ActivationFormat::kInt8PerToken, 128}};

// An n × k weight of random values in format f (scales per row or group), packed.
ops::PackedMatrix random_quantized(const QuantFormat& f, int64_t n, int64_t k, uint32_t seed) {
  const int64_t gs = f.group_size > 0 ? f.group_size : k;
  std::vector<int8_t> values(static_cast<size_t>(n * k));
  uint32_t s = seed * 2654435761u + 1;
  for (auto& v : values) {
    s = s * 1664525u + 1013904223u;
    const auto r = static_cast<int>(s >> 24);  // 0..255
    v = static_cast<int8_t>(f.weights == ops::WeightFormat::kInt4      ? r % 16 - 8
                            : f.weights == ops::WeightFormat::kFp8E4M3 ? r % 0x7f
                                                                       : r - 128);
  }
  std::vector<float> scales(static_cast<size_t>(n * ((k + gs - 1) / gs)), 1e-3f);
  const ops::QuantizedWeight w{f.weights, f.activations, n, k, gs, values, scales, {}};
  return ops::pack_quantized(*g_backend, std::span(&w, 1));
}

// Packed copies of one random weight, enough to exceed kRotateBytes when `rotate`.
struct WeightSet {
  ops::DType dt;
  int quant = -1;  // index into kQuantFormats, or -1 for float weights of dtype dt
  int64_t n = 0, k = 0;
  bool rotate = false;
  std::vector<ops::PackedMatrix> copies;
};

WeightSet& weights(ops::DType dt, int quant, int64_t n, int64_t k, bool rotate) {
  static std::unique_ptr<WeightSet> cached;
  if (cached && cached->dt == dt && cached->quant == quant && cached->n == n && cached->k == k &&
      cached->rotate == rotate) {
    return *cached;
  }
  cached.reset();
  auto ws = std::make_unique<WeightSet>();
  ws->dt = dt, ws->quant = quant, ws->n = n, ws->k = k, ws->rotate = rotate;
  ops::Backend& backend = *g_backend;
  if (quant >= 0) {
    ws->copies.push_back(random_quantized(kQuantFormats[quant], n, k, 1));
    const size_t bytes = ws->copies[0].bytes();
    const size_t count = rotate ? (kRotateBytes + bytes - 1) / bytes + 1 : 1;
    for (size_t i = 1; i < count; ++i) {
      ws->copies.push_back(random_quantized(kQuantFormats[quant], n, k, 1));
    }
  } else {
    const auto src = random_half(dt, n, k, 1);
    const size_t bytes = src.size() * 2;
    const size_t count = rotate ? (kRotateBytes + bytes - 1) / bytes + 1 : 1;
    for (size_t i = 0; i < count; ++i) {
      ws->copies.push_back(ops::pack(backend, ops::TensorView::of(src.data(), dt, {n, k})));
    }
  }
  cached = std::move(ws);
  return *cached;
}

// quant: index into kQuantFormats, or -1 for float weights of dtype dt. GB/s counts the packed
// bytes (values and scales).
void bm_matmul(benchmark::State& st, ops::DType dt, int quant, Shape s, int64_t m, cpu::Isa isa) {
  cpu::set_max_isa(isa);
  WeightSet& ws = weights(dt, quant, s.n, s.k, m <= 64);
  ops::Backend& backend = *g_backend;
  std::vector<float> x(static_cast<size_t>(m * s.k), 0.01f), y(static_cast<size_t>(m * s.n));
  const auto xv = ops::TensorView::of(x.data(), ops::DType::kF32, {m, s.k});
  const auto yv = ops::TensorView::of(y.data(), ops::DType::kF32, {m, s.n});
  size_t i = 0;
  const double bytes = static_cast<double>(ws.copies[0].bytes());
  run_timed(st, *g_probe, g_backend->threads(), bytes, 2.0 * static_cast<double>(m * s.n * s.k),
            static_cast<double>(m), [&] {
              ops::matmul(backend, xv, ws.copies[i], yv);
              i = i + 1 == ws.copies.size() ? 0 : i + 1;
            });
  benchmark::DoNotOptimize(y.data());
  cpu::set_max_isa(cpu::Isa::kAvx512);
}

// All matmuls of one Llama-3.2-1B decode step, distinct weights per layer (quant: index into
// kQuantFormats for the layers' linears, lm_head staying in dt, or -1).
void bm_decode_1b(benchmark::State& st, ops::DType dt, int quant, int64_t m) {
  static std::vector<ops::PackedMatrix> model;
  static ops::DType model_dt;
  static int model_quant = -2;
  ops::Backend& backend = *g_backend;
  constexpr Shape kLayer[] = {
      {"qkv", 3072, 2048}, {"o", 2048, 2048}, {"gate_up", 16384, 2048}, {"down", 2048, 8192}};
  if (model.empty() || model_dt != dt || model_quant != quant) {
    model.clear();
    for (int layer = 0; layer < 16; ++layer) {
      for (const Shape& s : kLayer) {
        const auto seed = static_cast<uint32_t>(layer + 7);
        if (quant >= 0) {
          model.push_back(random_quantized(kQuantFormats[quant], s.n, s.k, seed));
          continue;
        }
        const auto src = random_half(dt, s.n, s.k, seed);
        model.push_back(ops::pack(backend, ops::TensorView::of(src.data(), dt, {s.n, s.k})));
      }
    }
    const auto head = random_half(dt, 128256, 2048, 99);
    model.push_back(ops::pack(backend, ops::TensorView::of(head.data(), dt, {128256, 2048})));
    model_dt = dt;
    model_quant = quant;
  }
  std::vector<float> x(static_cast<size_t>(m * 8192), 0.01f), y(static_cast<size_t>(m * 128256));
  double bytes = 0, flops = 0;
  for (const auto& w : model) {
    bytes += static_cast<double>(w.bytes());
    flops += 2.0 * static_cast<double>(m * w.rows() * w.cols());
  }
  run_timed(st, *g_probe, g_backend->threads(), bytes, flops, static_cast<double>(m), [&] {
    for (const auto& w : model) {
      ops::matmul(backend, ops::TensorView::of(x.data(), ops::DType::kF32, {m, w.cols()}), w,
                  ops::TensorView::of(y.data(), ops::DType::kF32, {m, w.rows()}));
    }
  });
  benchmark::DoNotOptimize(y.data());
}

void add(const std::string& name, ops::DType dt, Shape s, int64_t m, cpu::Isa isa, int quant = -1) {
  benchmark::RegisterBenchmark(name.c_str(), bm_matmul, dt, quant, s, m, isa)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

// Quantized weights (names qmatmul/<isa>/<format>/...): the 1B and 8B shapes at m = 1 and 32
// (weights from memory; GB/s counts values and scales), and m = 512 (prefill; compare GFLOP/s
// with the bf16 rows of the same shape), the 1B lm_head (--quantize-lm-head) at m = 1 only,
// with the best kernels and capped at AVX2; decode_1b
// with each format's linears (lm_head bf16).
void register_quantized() {
  const bool has512 = cpu::detected_isa() >= cpu::Isa::kAvx512;
  constexpr Shape k8b[] = {
      {"q_o", 4096, 4096}, {"k_v", 1024, 4096}, {"gate_up", 28672, 4096}, {"down", 4096, 14336}};
  std::vector<std::pair<std::string, Shape>> shapes;
  for (const Shape& s : kShapes) shapes.push_back({"1b", s});
  for (const Shape& s : k8b) shapes.push_back({"8b", s});
  for (int q = 0; q < static_cast<int>(std::size(kQuantFormats)); ++q) {
    for (const auto& [model, s] : shapes) {
      const std::string shape =
          model + "_" + s.name + ":" + std::to_string(s.n) + "x" + std::to_string(s.k);
      for (int64_t m : {1, 32, 512}) {
        if (std::string(s.name) == "lm_head" && m != 1) continue;  // lm_head: decode only
        const std::string tail =
            std::string(kQuantFormats[q].name) + "/" + shape + "/m:" + std::to_string(m);
        if (has512) add("qmatmul/avx512/" + tail, ops::DType::kBF16, s, m, cpu::Isa::kAvx512, q);
        add("qmatmul/avx2/" + tail, ops::DType::kBF16, s, m, cpu::Isa::kAvx2, q);
      }
    }
  }
  // bf16 prefill on the 8B shapes, the baseline of W8A8 prefill.
  for (const Shape& s : k8b) {
    const std::string shape =
        std::string("8b_") + s.name + ":" + std::to_string(s.n) + "x" + std::to_string(s.k);
    if (has512)
      add("matmul/avx512/bf16/" + shape + "/m:512", ops::DType::kBF16, s, 512, cpu::Isa::kAvx512);
    add("matmul/avx2/bf16/" + shape + "/m:512", ops::DType::kBF16, s, 512, cpu::Isa::kAvx2);
  }
  for (int q = 0; q < static_cast<int>(std::size(kQuantFormats)); ++q) {
    for (int64_t m : {1, 32}) {
      const std::string name =
          "decode_1b/" + std::string(kQuantFormats[q].name) + "/m:" + std::to_string(m);
      benchmark::RegisterBenchmark(name.c_str(), bm_decode_1b, ops::DType::kBF16, q, m)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

void register_all() {
  const bool has512 = cpu::detected_isa() >= cpu::Isa::kAvx512;
  for (ops::DType dt : {ops::DType::kBF16, ops::DType::kF16}) {
    const std::string d(ops::dtype_name(dt));
    for (const Shape& s : kShapes) {
      const std::string shape =
          std::string(s.name) + ":" + std::to_string(s.n) + "x" + std::to_string(s.k);
      for (int64_t m : {1, 32, 512}) {
        const std::string rows = "/m:" + std::to_string(m);
        add("matmul/avx2/" + d + "/" + shape + rows, dt, s, m, cpu::Isa::kAvx2);
        if (has512 && m >= cpu::avx512::kMinRows) {
          add("matmul/avx512/" + d + "/" + shape + rows, dt, s, m, cpu::Isa::kAvx512);
        }
      }
    }
  }
  // The portable kernel on one shape, for the speed-up of the SIMD ones.
  for (int64_t m : {1, 512}) {
    add("matmul/generic/bf16/q_o:2048x2048/m:" + std::to_string(m), ops::DType::kBF16, kShapes[0],
        m, cpu::Isa::kGeneric);
  }
  for (ops::DType dt : {ops::DType::kBF16, ops::DType::kF16}) {
    for (int64_t m : {1, 8, 32}) {
      const std::string name =
          "decode_1b/" + std::string(ops::dtype_name(dt)) + "/m:" + std::to_string(m);
      benchmark::RegisterBenchmark(name.c_str(), bm_decode_1b, dt, -1, m)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  register_quantized();
}

}  // namespace
}  // namespace infermark::bench

int main(int argc, char** argv) {
  using namespace infermark;
  const auto env = bench::start_bench(&argc, argv, "matmul_bench");
  if (!env) return 1;
  bench::g_backend = &env->backend;
  bench::g_probe = &env->probe;
  bench::Probe& probe = env->probe;
  const bench::Ceilings start = probe.measure(5, 20'000'000);
  benchmark::AddCustomContext("ceiling_read_GBps", std::to_string(start.read_gb.per_s));
  benchmark::AddCustomContext("ceiling_fma_GFLOPs", std::to_string(start.fma_gflop.per_s));
  benchmark::AddCustomContext("ceiling_fma512_GFLOPs", std::to_string(start.fma512_gflop.per_s));
  bench::register_all();
  benchmark::RunSpecifiedBenchmarks();
  const bench::Ceilings end = probe.measure(5, 20'000'000);
  std::printf("ceilings (wall) at start: read %.1f GB/s, fma %.1f GFLOP/s, fma512 %.1f GFLOP/s\n",
              start.read_gb.per_s, start.fma_gflop.per_s, start.fma512_gflop.per_s);
  std::printf("ceilings (wall) at end:   read %.1f GB/s, fma %.1f GFLOP/s, fma512 %.1f GFLOP/s\n",
              end.read_gb.per_s, end.fma_gflop.per_s, end.fma512_gflop.per_s);
  benchmark::Shutdown();
  return 0;
}
