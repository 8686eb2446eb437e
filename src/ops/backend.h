// A backend is one device's half of the ops: it owns the device's memory and execution resources
// (the CPU backend: a thread pool) and implements every op's kernel there. Everything above ops
// reaches a device only through a Backend: the model packs its weights and keeps its resident
// tensors with one, the engine allocates its KV blocks and step workspace from one and runs every
// step on it. Nothing above ops names a device's types.
//
//   std::unique_ptr<ops::Backend> b = ops::create_backend({ops::Device::kCpu, /*threads=*/2});
//   ops::Buffer kv = b->allocate(bytes);                     // device memory, zeroed
//   ops::PackedMatrix w = ops::pack(*b, host_weight);        // in the device's matmul layout
//   ops::matmul(*b, x, w, y);                                // validated, then b->matmul(...)
//
// The op functions declared in ops/*.h are the interface: they validate their arguments (shapes,
// dtypes, devices; IM_CHECK, as these are internal invariants) and then call the kernel of the
// same name below, so a backend may assume valid arguments. Tensors an op reads or writes are on
// the backend's device; index arrays, parameters and results passed as spans (token ids,
// positions, block tables, sampled ids) are host memory, uploaded by the backend as it needs.
//
// Adding a device: implement this interface (new files) and add one line to the table in
// backend_registry.cc; see docs/architecture.md, "Adding a backend".
//
// Thread safety: a backend runs one op at a time (the engine thread drives it); its memory may be
// used from any thread. Buffers and packed matrices it made stay valid after it is destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "ops/memory.h"
#include "ops/tensor.h"

namespace infermark::ops {

class PackedMatrix;
class RopeTable;
struct QuantizedWeight;
struct AttentionBatch;
struct PagedKvLayer;
struct SamplingParams;

// What to create a backend for (engine parameters: chosen at start, fixed after).
struct BackendOptions {
  Device device = Device::kCpu;
  // Host threads the backend computes with, the calling thread included (the CPU backend's pool
  // size); 0 = one per physical core.
  int threads = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  virtual Device device() const = 0;
  // Host threads computing for this backend, the caller included (what CPU-time shares are
  // relative to).
  virtual int threads() const = 0;

  // --- Memory ---
  // `bytes` of zero-initialised device memory, aligned for the device's vector loads (64 bytes at
  // least). Throws std::bad_alloc when the device has not that much.
  virtual Buffer allocate(size_t bytes) = 0;
  // Implements ops::upload (memory.h).
  virtual Tensor upload(const TensorView& host, DType dtype) = 0;
  // Implements ops::pack (matmul.h). The packed layout (the PackedMatrix's data kind) is the
  // backend's choice; a new weight format (quantised, say) is a new kind made here.
  virtual PackedMatrix pack(std::span<const TensorView> parts) = 0;
  // Implements ops::pack_quantized (quantized.h): a Data kind of the backend's holding the
  // quantized values and scales, read by the same matmul.
  virtual PackedMatrix pack_quantized(std::span<const QuantizedWeight> parts) = 0;
  // Implements ops::to_host (memory.h).
  virtual void to_host(const TensorView& src, std::span<float> dst) = 0;

  // --- Kernels: the device half of the op of the same name (see its header for the contract),
  // called by that op after it has validated the arguments. Call the ops, not these. ---
  virtual void matmul(const TensorView& x, const PackedMatrix& w, const TensorView& y,
                      bool accumulate) = 0;
  virtual void rms_norm(const TensorView& x, const TensorView& weight, float eps,
                        const TensorView& out) = 0;
  virtual void rope(const RopeTable& table, std::span<const int32_t> positions,
                    const TensorView& x) = 0;
  virtual void swiglu(const TensorView& gate, const TensorView& up, const TensorView& out) = 0;
  virtual void embedding(const TensorView& table, std::span<const int32_t> ids,
                         const TensorView& out) = 0;
  virtual void convert(const TensorView& src, const TensorView& dst) = 0;
  virtual void compact_rows(const TensorView& x, std::span<const int32_t> rows) = 0;
  virtual void kv_write(const PagedKvLayer& cache, const AttentionBatch& batch, const TensorView& k,
                        const TensorView& v) = 0;
  // scale is resolved (> 0).
  virtual void attention(const PagedKvLayer& cache, const AttentionBatch& batch,
                         const TensorView& q, int n_heads, float scale, const TensorView& out) = 0;
  virtual void suppress_tokens(const TensorView& logits, std::span<const int32_t> ids) = 0;
  virtual void argmax(const TensorView& logits, std::span<int32_t> out) = 0;
  virtual void sample(const TensorView& logits, std::span<const SamplingParams> params,
                      std::span<const float> u, std::span<int32_t> out) = 0;

 protected:
  Backend() = default;
};

// A backend for options.device (backend_registry.cc). Throws Error naming the device when this
// build has no backend for it.
std::unique_ptr<Backend> create_backend(const BackendOptions& options);

}  // namespace infermark::ops
