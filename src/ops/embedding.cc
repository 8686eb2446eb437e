#include "ops/embedding.h"

#include "backends/cpu/convert.h"
#include "ops/dispatch.h"
#include "util/error.h"

namespace infermark::ops {

void embedding(const Context& ctx, const TensorView& table, std::span<const int32_t> ids,
               const TensorView& out) {
  IM_CHECK(table.is_matrix() && table.device == ctx.device);
  detail::check_matrix(out, DType::kF32, ctx);
  IM_CHECK(out.dim(0) == static_cast<int64_t>(ids.size()) && out.dim(1) == table.dim(1));
  for (int32_t id : ids) IM_CHECK(id >= 0 && id < table.dim(0));
  switch (ctx.device) {
    case Device::kCpu:
      return cpu::embedding(detail::cpu_pool(ctx), table.data, detail::cpu_float_type(table.dtype),
                            table.ld(), table.dim(1), ids.data(), static_cast<int64_t>(ids.size()),
                            out.as<float>(), out.ld());
    default:
      detail::no_backend("embedding", ctx.device);
  }
}

void convert(const Context& ctx, const TensorView& src, const TensorView& dst) {
  IM_CHECK(src.is_matrix() && dst.is_matrix() && src.shape == dst.shape);
  IM_CHECK(src.device == ctx.device && dst.device == ctx.device);
  IM_CHECK(src.dtype == DType::kF32 || dst.dtype == DType::kF32);
  switch (ctx.device) {
    case Device::kCpu: {
      const auto st = detail::cpu_float_type(src.dtype), dt = detail::cpu_float_type(dst.dtype);
      const size_t ss = dtype_size(src.dtype), ds = dtype_size(dst.dtype);
      detail::cpu_pool(ctx).parallel_for(
          src.dim(0),
          [&](int64_t b, int64_t e, int) {
            for (int64_t r = b; r < e; ++r) {
              const char* s =
                  static_cast<const char*>(src.data) + static_cast<size_t>(r * src.ld()) * ss;
              char* d = static_cast<char*>(dst.data) + static_cast<size_t>(r * dst.ld()) * ds;
              if (src.dtype == DType::kF32) {
                cpu::from_f32(reinterpret_cast<const float*>(s), src.dim(1), dt, d);
              } else {
                cpu::to_f32(s, st, src.dim(1), reinterpret_cast<float*>(d));
              }
            }
          },
          2 * src.dim(1));
      return;
    }
    default:
      detail::no_backend("convert", ctx.device);
  }
}

}  // namespace infermark::ops
