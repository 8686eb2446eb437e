#include "ops/sampling.h"

#include "backends/cpu/sampling.h"
#include "ops/dispatch.h"
#include "util/error.h"

namespace infermark::ops {

void argmax(const Context& ctx, const TensorView& logits, std::span<int32_t> out) {
  detail::check_matrix(logits, DType::kF32, ctx);
  IM_CHECK(static_cast<int64_t>(out.size()) == logits.dim(0) && logits.dim(1) >= 1);
  switch (ctx.device) {
    case Device::kCpu:
      detail::cpu_pool(ctx).parallel_for(
          logits.dim(0),
          [&](int64_t b, int64_t e, int) {
            for (int64_t r = b; r < e; ++r) {
              out[static_cast<size_t>(r)] =
                  cpu::argmax(logits.as<const float>() + r * logits.ld(), logits.dim(1));
            }
          },
          logits.dim(1));
      return;
    default:
      detail::no_backend("argmax", ctx.device);
  }
}

void sample(const Context& ctx, const TensorView& logits, std::span<const SamplingParams> params,
            std::span<const float> u, std::span<int32_t> out) {
  detail::check_matrix(logits, DType::kF32, ctx);
  const auto rows = static_cast<size_t>(logits.dim(0));
  IM_CHECK(params.size() == rows && u.size() == rows && out.size() == rows);
  IM_CHECK(logits.dim(1) >= 1);
  switch (ctx.device) {
    case Device::kCpu:
      detail::cpu_pool(ctx).parallel_for(
          logits.dim(0),
          [&](int64_t b, int64_t e, int) {
            thread_local cpu::SamplingScratch scratch;  // grows once per thread
            for (int64_t r = b; r < e; ++r) {
              const SamplingParams& p = params[static_cast<size_t>(r)];
              out[static_cast<size_t>(r)] = cpu::sample(
                  logits.as<const float>() + r * logits.ld(), logits.dim(1),
                  {p.temperature, p.top_k, p.top_p}, u[static_cast<size_t>(r)], scratch);
            }
          },
          20 * logits.dim(1));
      return;
    default:
      detail::no_backend("sample", ctx.device);
  }
}

}  // namespace infermark::ops
