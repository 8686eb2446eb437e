// Whether a float tensor's values are all finite: a NaN or an infinity in a weight (a corrupt
// download, a broken conversion, an overflowing quantizer) would turn every activation it touches
// into NaN, and the benchmark into silent garbage (argmax of NaN logits), so the weights are
// scanned once when they are bound.
//
// The scan reads the exponent bits only (all ones: NaN or infinity) in blocks the compiler
// vectorises; it is bound by memory bandwidth (docs/robustness.md: the cost for the 8B model).
// Thread-safe (pure function of the bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "model/dtype.h"

namespace infermark::model {

// The index of the first NaN or infinity among the `n` elements at `data` (F32, F16 or BF16;
// any other dtype has nothing to check), or nullopt if all are finite. `data` need not be
// aligned.
std::optional<uint64_t> first_non_finite(DType dtype, const std::byte* data, uint64_t n);

}  // namespace infermark::model
