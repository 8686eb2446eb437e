// Portable quantized matmul: the reference the SIMD variants are tested against (with a float64
// product of the dequantized weights in the tests) and the fallback on CPUs without AVX2. Each
// panel's column is decoded to 16 values once and applied to every row of x.
#include <array>
#include <vector>

#include "backends/cpu/fp8.h"
#include "backends/cpu/quantized_matmul.h"

namespace infermark::cpu::generic {
namespace {

constexpr int kP = QuantizedWeights::kPanel;

const std::array<float, 256>& e4m3_table() {
  static const std::array<float, 256> table = [] {
    std::array<float, 256> t{};
    for (int b = 0; b < 256; ++b) t[static_cast<size_t>(b)] = e4m3_to_f32(static_cast<uint8_t>(b));
    return t;
  }();
  return table;
}

// Column c of a panel: the 16 rows' stored values as floats (kRowLanes) or integers (kQuads).
void decode_column(const QuantizedMatmulArgs& a, const uint8_t* panel, int64_t c, float* w) {
  switch (a.format) {
    case QuantFormat::kInt8:
      for (int j = 0; j < kP; ++j) w[j] = static_cast<int8_t>(panel[c * kP + j]);
      return;
    case QuantFormat::kInt4:
      for (int j = 0; j < kP; ++j) {
        const uint8_t b = panel[(c / 2) * kP + j];
        w[j] = static_cast<float>(c % 2 == 0 ? b & 0xf : b >> 4);
      }
      return;
    case QuantFormat::kFp8E4M3:
      for (int j = 0; j < kP; ++j) w[j] = e4m3_table()[panel[c * kP + j]];
      return;
  }
}

// The zero-point offsets of panel p, group g (stored, or zoff_factor · s); false when all zero.
bool group_zoffs(const QuantizedMatmulArgs& a, int64_t p, int64_t g, float (&z)[kP]) {
  const int64_t off = (p * a.n_groups + g) * kP;
  for (int j = 0; j < kP; ++j) {
    z[j] = a.zoffs != nullptr ? a.zoffs[off + j] : a.zoff_factor * a.scales[off + j];
  }
  return a.zoffs != nullptr || a.zoff_factor != 0;
}

void store(float* y, const float* v, int n_valid, bool add) {
  for (int j = 0; j < n_valid; ++j) y[j] = add ? y[j] + v[j] : v[j];
}

// kRowLanes: f32 activations.
void run_float(const QuantizedMatmulArgs& a, int64_t p, std::vector<float>& acc) {
  const uint8_t* panel = a.values + p * a.panel_bytes;
  const int n_valid = static_cast<int>(a.n - p * kP < kP ? a.n - p * kP : kP);
  acc.assign(static_cast<size_t>(a.m * kP), 0.0f);
  std::vector<float> dot(static_cast<size_t>(a.m * kP));
  for (int64_t g = 0; g < a.n_groups; ++g) {
    const int64_t c0 = g * a.group_size, c1 = c0 + a.group_size < a.k ? c0 + a.group_size : a.k;
    dot.assign(dot.size(), 0.0f);
    float w[kP];
    for (int64_t c = c0; c < c1; ++c) {
      decode_column(a, panel, c, w);
      for (int64_t i = 0; i < a.m; ++i) {
        const float xv = a.x[i * a.ldx + c];
        float* d = &dot[static_cast<size_t>(i * kP)];
        for (int j = 0; j < kP; ++j) d[j] += xv * w[j];
      }
    }
    const float* s = a.scales + (p * a.n_groups + g) * kP;
    float z[kP];
    const bool has_z = group_zoffs(a, p, g, z);
    for (int64_t i = 0; i < a.m; ++i) {
      const float xs = has_z ? a.x_sums[i * a.n_groups + g] : 0.0f;
      float* out = &acc[static_cast<size_t>(i * kP)];
      const float* d = &dot[static_cast<size_t>(i * kP)];
      for (int j = 0; j < kP; ++j) out[j] += s[j] * d[j] + (has_z ? z[j] * xs : 0.0f);
    }
  }
  for (int64_t i = 0; i < a.m; ++i) {
    store(a.y + i * a.ldy + p * kP, &acc[static_cast<size_t>(i * kP)], n_valid, a.accumulate);
  }
}

// The stored value of row j, column c of a kQuads panel (quantized_weights.h).
int quad_value(const QuantizedMatmulArgs& a, const uint8_t* panel, int64_t c, int j) {
  if (a.format == QuantFormat::kInt4) {
    const uint8_t b = panel[(c / 8) * 64 + j * 4 + c % 4];
    return c % 8 < 4 ? b & 0xf : b >> 4;
  }
  return static_cast<int8_t>(panel[(c / 4) * 64 + j * 4 + c % 4]);
}

// kQuads: int8 activations, exact i32 dot products per group.
void run_quads(const QuantizedMatmulArgs& a, int64_t p, std::vector<float>& acc) {
  const uint8_t* panel = a.values + p * a.panel_bytes;
  const int n_valid = static_cast<int>(a.n - p * kP < kP ? a.n - p * kP : kP);
  const int shift = a.xq_offset ? 128 : 0;
  acc.assign(static_cast<size_t>(a.m * kP), 0.0f);
  for (int64_t i = 0; i < a.m; ++i) {
    const int8_t* xq = a.xq + i * a.ldq;
    float* out = &acc[static_cast<size_t>(i * kP)];
    for (int64_t g = 0; g < a.n_groups; ++g) {
      const int64_t c0 = g * a.group_size, c1 = c0 + a.group_size < a.k ? c0 + a.group_size : a.k;
      int32_t dot[kP] = {};
      for (int64_t c = c0; c < c1; ++c) {
        const int xv = (shift != 0 ? static_cast<uint8_t>(xq[c]) : xq[c]) - shift;
        for (int j = 0; j < kP; ++j) dot[j] += xv * quad_value(a, panel, c, j);
      }
      const float* s = a.scales + (p * a.n_groups + g) * kP;
      float z[kP];
      const bool has_z = group_zoffs(a, p, g, z);
      const float xs = has_z ? a.xq_sums[i * a.n_groups + g] : 0.0f;
      for (int j = 0; j < kP; ++j) {
        out[j] += s[j] * static_cast<float>(dot[j]) + (has_z ? z[j] * xs : 0.0f);
      }
    }
    for (int j = 0; j < kP; ++j) out[j] *= a.x_scale[i];
    store(a.y + i * a.ldy + p * kP, out, n_valid, a.accumulate);
  }
}

}  // namespace

void quantized_matmul(ThreadPool& pool, const QuantizedMatmulArgs& args) {
  pool.parallel_for(
      args.n_panels,
      [&](int64_t b, int64_t e, int) {
        std::vector<float> acc;
        for (int64_t p = b; p < e; ++p) {
          if (args.layout == QuantLayout::kQuads) {
            run_quads(args, p, acc);
          } else {
            run_float(args, p, acc);
          }
        }
      },
      args.m * args.k * kP);
}

}  // namespace infermark::cpu::generic
