#include "ops/sampling.h"

#include "ops/checks.h"
#include "util/error.h"

namespace infermark::ops {

void suppress_tokens(Backend& backend, const TensorView& logits, std::span<const int32_t> ids) {
  detail::check_matrix(logits, DType::kF32, backend);
  backend.suppress_tokens(logits, ids);
}

void argmax(Backend& backend, const TensorView& logits, std::span<int32_t> out) {
  detail::check_matrix(logits, DType::kF32, backend);
  IM_CHECK(static_cast<int64_t>(out.size()) == logits.dim(0) && logits.dim(1) >= 1);
  backend.argmax(logits, out);
}

void sample(Backend& backend, const TensorView& logits, std::span<const SamplingParams> params,
            std::span<const float> u, std::span<int32_t> out) {
  detail::check_matrix(logits, DType::kF32, backend);
  const auto rows = static_cast<size_t>(logits.dim(0));
  IM_CHECK(params.size() == rows && u.size() == rows && out.size() == rows);
  IM_CHECK(logits.dim(1) >= 1);
  backend.sample(logits, params, u, out);
}

}  // namespace infermark::ops
