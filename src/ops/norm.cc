#include "ops/norm.h"

#include "backends/cpu/norm.h"
#include "ops/dispatch.h"
#include "util/error.h"

namespace infermark::ops {

void rms_norm(const Context& ctx, const TensorView& x, const TensorView& weight, float eps,
              const TensorView& out) {
  detail::check_matrix(x, DType::kF32, ctx);
  detail::check_matrix(out, DType::kF32, ctx);
  IM_CHECK(weight.dtype == DType::kF32 && weight.is_contiguous() && weight.numel() == x.dim(1));
  IM_CHECK(out.dim(0) == x.dim(0) && out.dim(1) == x.dim(1));
  switch (ctx.device) {
    case Device::kCpu:
      return cpu::rms_norm(detail::cpu_pool(ctx), x.as<const float>(), x.ld(),
                           weight.as<const float>(), eps, x.dim(0), x.dim(1), out.as<float>(),
                           out.ld());
    default:
      detail::no_backend("rms_norm", ctx.device);
  }
}

}  // namespace infermark::ops
