// SwiGLU, the Llama MLP's gate: out[i, j] = silu(gate[i, j]) * up[i, j], silu(g) = g / (1 + e^-g).
// All f32, `rows` rows of d elements with leading dimensions; gate and up may be two column
// ranges of one fused gate/up matmul output. out may alias gate (in place), not up unless equal
// to it element for element. Cost: one exp per element.
#pragma once

#include <cstdint>

#include "backends/cpu/thread_pool.h"

namespace infermark::cpu {

// Splits rows over the pool when the work is large enough; picks the variant for active_isa().
void swiglu(ThreadPool& pool, const float* gate, int64_t ldg, const float* up, int64_t ldu,
            int64_t rows, int64_t d, float* out, int64_t ldo);

namespace generic {
void swiglu(const float* gate, int64_t ldg, const float* up, int64_t ldu, int64_t rows, int64_t d,
            float* out, int64_t ldo);
}  // namespace generic
namespace avx2 {
void swiglu(const float* gate, int64_t ldg, const float* up, int64_t ldu, int64_t rows, int64_t d,
            float* out, int64_t ldo);
}  // namespace avx2
namespace avx512 {
void swiglu(const float* gate, int64_t ldg, const float* up, int64_t ldu, int64_t rows, int64_t d,
            float* out, int64_t ldo);
}  // namespace avx512

}  // namespace infermark::cpu
