// Shared helpers for the ops tests: random data, matrices stored in a given dtype (and their
// exact float values, for references), and a fixture running each test once per CPU ISA level
// this machine has (generic; AVX2 and AVX-512 when present).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/cpu_features.h"
#include "backends/cpu/half.h"
#include "ops/cpu_backend.h"
#include "ops/tensor.h"

namespace infermark::cpu {
// gtest printer for test parameters.
inline void PrintTo(Isa isa, std::ostream* os) { *os << isa_name(isa); }
}  // namespace infermark::cpu

namespace infermark::ops::testing {

// f32 unit roundoff.
inline constexpr double kEpsF32 = 1.0 / (1 << 24);

inline std::vector<float> random_floats(size_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) {
    do x = dist(rng);
    while (x == 0.0f);  // random data, never zeros
  }
  return v;
}

// A row-major [rows, cols] matrix stored in `dtype` (f32, bf16, f16), with the exact value of
// each stored element available as a double for references.
class HostMatrix {
 public:
  HostMatrix(DType dtype, int64_t rows, int64_t cols, const std::vector<float>& values)
      : dtype_(dtype), rows_(rows), cols_(cols) {
    exact_.resize(values.size());
    if (dtype == DType::kF32) {
      f32_ = values;
      for (size_t i = 0; i < values.size(); ++i) exact_[i] = values[i];
    } else {
      bits_.resize(values.size());
      for (size_t i = 0; i < values.size(); ++i) {
        bits_[i] = dtype == DType::kBF16 ? cpu::f32_to_bf16(values[i]) : cpu::f32_to_f16(values[i]);
        exact_[i] = dtype == DType::kBF16 ? cpu::bf16_to_f32(bits_[i]) : cpu::f16_to_f32(bits_[i]);
      }
    }
  }
  TensorView view() const {
    const void* p = dtype_ == DType::kF32 ? static_cast<const void*>(f32_.data()) : bits_.data();
    return TensorView::of(p, dtype_, {rows_, cols_});
  }
  double at(int64_t r, int64_t c) const { return exact_[static_cast<size_t>(r * cols_ + c)]; }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }

 private:
  DType dtype_;
  int64_t rows_, cols_;
  std::vector<float> f32_;
  std::vector<uint16_t> bits_;
  std::vector<double> exact_;
};

// The ISA variants to test on this machine.
inline std::vector<cpu::Isa> isas() {
  std::vector<cpu::Isa> v{cpu::Isa::kGeneric};
  if (cpu::detected_isa() >= cpu::Isa::kAvx2) v.push_back(cpu::Isa::kAvx2);
  if (cpu::detected_isa() >= cpu::Isa::kAvx512) v.push_back(cpu::Isa::kAvx512);
  return v;
}

inline std::string isa_param_name(const ::testing::TestParamInfo<cpu::Isa>& info) {
  return std::string(cpu::isa_name(info.param));
}

// Runs the test body with dispatch capped at GetParam() on a 2-thread CPU backend (backend_).
class IsaTest : public ::testing::TestWithParam<cpu::Isa> {
 protected:
  void SetUp() override { cpu::set_max_isa(GetParam()); }
  void TearDown() override { cpu::set_max_isa(cpu::Isa::kAvx512); }

  CpuBackend backend_{2};
};

}  // namespace infermark::ops::testing
