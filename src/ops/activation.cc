#include "ops/activation.h"

#include "ops/checks.h"
#include "util/error.h"

namespace infermark::ops {

void swiglu(Backend& backend, const TensorView& gate, const TensorView& up, const TensorView& out) {
  detail::check_matrix(gate, DType::kF32, backend);
  detail::check_matrix(up, DType::kF32, backend);
  detail::check_matrix(out, DType::kF32, backend);
  IM_CHECK(gate.shape == up.shape && gate.shape == out.shape);
  backend.swiglu(gate, up, out);
}

}  // namespace infermark::ops
