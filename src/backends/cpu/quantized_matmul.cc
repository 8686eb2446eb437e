#include "backends/cpu/quantized_matmul.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "backends/cpu/cpu_features.h"
#include "backends/cpu/int8_activations.h"
#include "util/error.h"

namespace infermark::cpu {
namespace {

// The calling thread's activation buffers, grown on demand and reused (a steady decode loop
// allocates nothing).
struct Scratch {
  std::vector<int8_t> xq;
  std::vector<float> scale, sums;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

template <typename T>
T* sized(std::vector<T>& v, int64_t n) {
  if (v.size() < static_cast<size_t>(n)) v.resize(static_cast<size_t>(n));
  return v.data();
}

// Σ x per group of each row (for the zero-point terms of kRowLanes weights).
void group_sums(const float* x, int64_t m, int64_t ldx, int64_t k, int64_t group_size,
                int64_t n_groups, float* out) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t g = 0; g < n_groups; ++g) {
      const int64_t c0 = g * group_size, c1 = c0 + group_size < k ? c0 + group_size : k;
      float s = 0;
      for (int64_t c = c0; c < c1; ++c) s += x[i * ldx + c];
      out[i * n_groups + g] = s;
    }
  }
}

}  // namespace

bool simd_supports(const QuantizedWeights& w) {
  if (w.n_groups() == 1) return true;
  if (w.layout() == QuantLayout::kQuads) {
    return w.group_size() % (w.format() == QuantFormat::kInt4 ? 8 : 4) == 0;
  }
  return w.format() != QuantFormat::kInt4 || w.group_size() % 2 == 0;
}

QuantizedMatmulArgs prepare_quantized_matmul(ThreadPool& pool, const float* x, int64_t m,
                                             int64_t ldx, const QuantizedWeights& w, float* y,
                                             int64_t ldy, bool accumulate, bool xq_offset) {
  QuantizedMatmulArgs a{};
  a.x = x, a.m = m, a.ldx = ldx;
  a.values = w.values(), a.panel_bytes = w.panel_bytes();
  a.scales = w.scales(), a.zoffs = w.zoffs(), a.zoff_factor = w.zoff_factor();
  a.wsums = w.wsums();
  const bool has_z = a.zoffs != nullptr || a.zoff_factor != 0;
  a.n = w.n(), a.k = w.k(), a.group_size = w.group_size(), a.n_groups = w.n_groups();
  a.n_panels = w.n_panels(), a.format = w.format(), a.layout = w.layout();
  a.y = y, a.ldy = ldy, a.accumulate = accumulate;
  Scratch& s = scratch();
  if (a.layout == QuantLayout::kQuads) {
    a.ldq = (a.k + 63) / 64 * 64;
    a.xq_offset = xq_offset;
    int8_t* xq = sized(s.xq, m * a.ldq);
    float* scale = sized(s.scale, m);
    float* sums = has_z ? sized(s.sums, m * a.n_groups) : nullptr;
    pool.parallel_for(
        m,
        [&](int64_t b, int64_t e, int) {
          quantize_rows(x + b * ldx, e - b, ldx, a.k, a.group_size, a.xq_offset, xq + b * a.ldq,
                        a.ldq, scale + b, sums != nullptr ? sums + b * a.n_groups : nullptr);
        },
        4 * a.k);
    a.xq = xq, a.x_scale = scale, a.xq_sums = sums;
  } else if (has_z) {
    float* sums = sized(s.sums, m * a.n_groups);
    group_sums(x, m, ldx, a.k, a.group_size, a.n_groups, sums);
    a.x_sums = sums;
  }
  return a;
}

void run_in_chunks(ThreadPool& pool, const QuantizedMatmulArgs& args,
                   void (*panels)(const QuantizedMatmulArgs&, int64_t, int64_t)) {
  std::atomic<int64_t> next_chunk{0};
  pool.run([&](int, int n_threads) {
    const int64_t chunk = std::max<int64_t>(2, args.n_panels / (8 * n_threads) / 2 * 2);
    for (;;) {
      const int64_t b = next_chunk.fetch_add(1, std::memory_order_relaxed) * chunk;
      if (b >= args.n_panels) return;
      panels(args, b, std::min(b + chunk, args.n_panels));
    }
  });
}

void quantized_matmul(ThreadPool& pool, const float* x, int64_t m, int64_t ldx,
                      const QuantizedWeights& w, float* y, int64_t ldy, bool accumulate) {
  IM_CHECK(m >= 0 && ldx >= w.k() && ldy >= w.n());
  if (m == 0) return;
  const Isa isa = simd_supports(w) ? active_isa() : Isa::kGeneric;
  const bool quads = w.layout() == QuantLayout::kQuads;
  if (isa >= Isa::kAvx512 && (!quads || has_avx512_vnni())) {
    const bool u8_activations = w.format() == QuantFormat::kInt8;
    avx512::quantized_matmul(
        pool, prepare_quantized_matmul(pool, x, m, ldx, w, y, ldy, accumulate, u8_activations));
  } else if (isa >= Isa::kAvx2) {
    avx2::quantized_matmul(pool, prepare_quantized_matmul(pool, x, m, ldx, w, y, ldy, accumulate,
                                                          /*xq_offset=*/false));
  } else {
    generic::quantized_matmul(pool, prepare_quantized_matmul(pool, x, m, ldx, w, y, ldy, accumulate,
                                                             /*xq_offset=*/false));
  }
}

}  // namespace infermark::cpu
