#include "ops/dispatch.h"

#include <string>

#include "util/error.h"

namespace infermark::ops::detail {

cpu::FloatType cpu_float_type(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return cpu::FloatType::kF32;
    case DType::kBF16:
      return cpu::FloatType::kBF16;
    case DType::kF16:
      return cpu::FloatType::kF16;
    case DType::kI32:
      break;
  }
  IM_CHECK_MSG(false, "not a float dtype");
  return cpu::FloatType::kF32;
}

cpu::ThreadPool& cpu_pool(const Context& ctx) {
  IM_CHECK(ctx.device == Device::kCpu && ctx.pool != nullptr);
  return *ctx.pool;
}

void no_backend(const char* op, Device device) {
  const std::string msg = std::string(op) + ": no kernel for device " +
                          std::string(device_name(device)) + " in this build";
  infermark::detail::check_failed("backend available", __FILE__, __LINE__, msg.c_str());
}

void check_matrix(const TensorView& v, DType dtype, const Context& ctx) {
  IM_CHECK(v.is_matrix());
  IM_CHECK(v.dtype == dtype);
  IM_CHECK(v.device == ctx.device);
}

}  // namespace infermark::ops::detail
