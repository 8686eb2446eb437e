// RMS normalisation as in Llama: out[i, :] = x[i, :] / sqrt(mean(x[i, :]^2) + eps) * weight.
#pragma once

#include "ops/backend.h"
#include "ops/tensor.h"

namespace infermark::ops {

// x, out: f32 [rows, d] (out may be x); weight: f32 [d] (convert checkpoint bf16 at load).
void rms_norm(Backend& backend, const TensorView& x, const TensorView& weight, float eps,
              const TensorView& out);

}  // namespace infermark::ops
