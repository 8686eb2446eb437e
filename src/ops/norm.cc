#include "ops/norm.h"

#include "ops/checks.h"
#include "util/error.h"

namespace infermark::ops {

void rms_norm(Backend& backend, const TensorView& x, const TensorView& weight, float eps,
              const TensorView& out) {
  detail::check_matrix(x, DType::kF32, backend);
  detail::check_matrix(out, DType::kF32, backend);
  IM_CHECK(weight.dtype == DType::kF32 && weight.is_contiguous() && weight.numel() == x.dim(1));
  IM_CHECK(weight.device == backend.device());
  IM_CHECK(out.dim(0) == x.dim(0) && out.dim(1) == x.dim(1));
  backend.rms_norm(x, weight, eps, out);
}

}  // namespace infermark::ops
