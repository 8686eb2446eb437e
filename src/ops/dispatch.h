// Helpers shared by the ops' dispatch code (internal to src/ops): mapping ops types to backend
// types and failing cleanly on a device with no kernel. Not for callers of ops.
#pragma once

#include "backends/cpu/float_type.h"
#include "backends/cpu/thread_pool.h"
#include "ops/context.h"
#include "ops/tensor.h"

namespace infermark::ops::detail {

// The CPU element type of a float dtype (f32, bf16, f16); aborts on others.
cpu::FloatType cpu_float_type(DType dtype);

// The context's pool; aborts if the context is not a CPU context with a pool.
cpu::ThreadPool& cpu_pool(const Context& ctx);

// Aborts: `op` has no kernel for the context's device (a build without that backend).
[[noreturn]] void no_backend(const char* op, Device device);

// Checks that v is a matrix (see TensorView::is_matrix) of dtype on the context's device.
void check_matrix(const TensorView& v, DType dtype, const Context& ctx);

}  // namespace infermark::ops::detail
