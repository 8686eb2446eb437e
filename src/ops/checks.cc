#include "ops/checks.h"

#include "util/error.h"

namespace infermark::ops::detail {

bool is_float(DType dtype) {
  return dtype == DType::kF32 || dtype == DType::kBF16 || dtype == DType::kF16;
}

void check_matrix(const TensorView& v, DType dtype, const Backend& backend) {
  IM_CHECK(v.is_matrix());
  IM_CHECK(v.dtype == dtype);
  IM_CHECK(v.device == backend.device());
}

}  // namespace infermark::ops::detail
