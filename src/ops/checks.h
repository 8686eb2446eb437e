// Argument checks shared by the ops (internal to src/ops): the validation every op does before it
// calls its backend's kernel. Not for callers of ops.
#pragma once

#include "ops/backend.h"
#include "ops/tensor.h"

namespace infermark::ops::detail {

// f32, bf16 or f16.
bool is_float(DType dtype);

// Checks that v is a matrix (see TensorView::is_matrix) of dtype on the backend's device.
void check_matrix(const TensorView& v, DType dtype, const Backend& backend);

}  // namespace infermark::ops::detail
