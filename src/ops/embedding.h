// Embedding lookup (token ids -> f32 rows of a table kept in its checkpoint dtype) and dtype
// conversion between f32 and bf16 / f16.
#pragma once

#include <cstdint>
#include <span>

#include "ops/backend.h"
#include "ops/tensor.h"

namespace infermark::ops {

// out[i, :] = float(table[ids[i], :]). table: [vocab, d] f32/bf16/f16; out: f32 [ids.size(), d].
// Every id must be in [0, vocab) (validated by the caller at the front door; checked here).
void embedding(Backend& backend, const TensorView& table, std::span<const int32_t> ids,
               const TensorView& out);

// dst = src converted elementwise; both matrices of the same shape, one of them f32, the other
// f32, bf16 or f16 (rounding to nearest even).
void convert(Backend& backend, const TensorView& src, const TensorView& dst);

}  // namespace infermark::ops
