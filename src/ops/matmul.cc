#include "ops/matmul.h"

#include <vector>

#include "backends/cpu/matmul.h"
#include "ops/dispatch.h"
#include "util/error.h"

namespace infermark::ops {

PackedMatrix pack(const Context& ctx, std::span<const TensorView> parts) {
  IM_CHECK(!parts.empty());
  PackedMatrix out;
  out.device_ = ctx.device;
  out.dtype_ = parts[0].dtype;
  out.cols_ = parts[0].dim(1);
  std::vector<cpu::WeightPart> sources;
  for (const TensorView& p : parts) {
    IM_CHECK(p.is_matrix() && p.dtype == out.dtype_ && p.dim(1) == out.cols_);
    IM_CHECK(p.device == Device::kCpu);  // weights are loaded to host memory first
    sources.push_back({p.data, p.dim(0), p.ld()});
    out.rows_ += p.dim(0);
  }
  switch (ctx.device) {
    case Device::kCpu:
      out.cpu_ = cpu::PackedWeights(detail::cpu_float_type(out.dtype_), sources, out.cols_,
                                    &detail::cpu_pool(ctx));
      return out;
    default:
      detail::no_backend("pack", ctx.device);
  }
}

void matmul(const Context& ctx, const TensorView& x, const PackedMatrix& w, const TensorView& y,
            bool accumulate) {
  detail::check_matrix(x, DType::kF32, ctx);
  detail::check_matrix(y, DType::kF32, ctx);
  IM_CHECK(w.device() == ctx.device);
  IM_CHECK(x.dim(1) == w.cols() && y.dim(1) == w.rows() && y.dim(0) == x.dim(0));
  switch (ctx.device) {
    case Device::kCpu:
      return cpu::matmul(detail::cpu_pool(ctx), x.as<const float>(), x.dim(0), x.ld(),
                         w.cpu_weights(), y.as<float>(), y.ld(), accumulate);
    default:
      detail::no_backend("matmul", ctx.device);
  }
}

}  // namespace infermark::ops
