#include "ops/embedding.h"

#include "ops/checks.h"
#include "util/error.h"

namespace infermark::ops {

void embedding(Backend& backend, const TensorView& table, std::span<const int32_t> ids,
               const TensorView& out) {
  IM_CHECK(table.is_matrix() && table.device == backend.device() && detail::is_float(table.dtype));
  detail::check_matrix(out, DType::kF32, backend);
  IM_CHECK(out.dim(0) == static_cast<int64_t>(ids.size()) && out.dim(1) == table.dim(1));
  for (int32_t id : ids) IM_CHECK(id >= 0 && id < table.dim(0));
  backend.embedding(table, ids, out);
}

void convert(Backend& backend, const TensorView& src, const TensorView& dst) {
  IM_CHECK(src.is_matrix() && dst.is_matrix() && src.shape == dst.shape);
  IM_CHECK(src.device == backend.device() && dst.device == backend.device());
  IM_CHECK(detail::is_float(src.dtype) && detail::is_float(dst.dtype));
  IM_CHECK(src.dtype == DType::kF32 || dst.dtype == DType::kF32);
  backend.convert(src, dst);
}

}  // namespace infermark::ops
