// SwiGLU, the gate of the Llama MLP: out = silu(gate) * up, elementwise.
#pragma once

#include "ops/backend.h"
#include "ops/tensor.h"

namespace infermark::ops {

// gate, up, out: f32 [rows, d]; gate and up may be column ranges of one fused gate/up output;
// out may be gate.
void swiglu(Backend& backend, const TensorView& gate, const TensorView& up, const TensorView& out);

}  // namespace infermark::ops
