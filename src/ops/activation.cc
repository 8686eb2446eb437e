#include "ops/activation.h"

#include "backends/cpu/activation.h"
#include "ops/dispatch.h"
#include "util/error.h"

namespace infermark::ops {

void swiglu(const Context& ctx, const TensorView& gate, const TensorView& up,
            const TensorView& out) {
  detail::check_matrix(gate, DType::kF32, ctx);
  detail::check_matrix(up, DType::kF32, ctx);
  detail::check_matrix(out, DType::kF32, ctx);
  IM_CHECK(gate.shape == up.shape && gate.shape == out.shape);
  switch (ctx.device) {
    case Device::kCpu:
      return cpu::swiglu(detail::cpu_pool(ctx), gate.as<const float>(), gate.ld(),
                         up.as<const float>(), up.ld(), gate.dim(0), gate.dim(1), out.as<float>(),
                         out.ld());
    default:
      detail::no_backend("swiglu", ctx.device);
  }
}

}  // namespace infermark::ops
