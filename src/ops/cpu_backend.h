// The CPU backend: host memory (zeroed, 64-byte aligned; 2 MiB pages for large blocks), a thread
// pool that the kernels split their work over, and the kernels of backends/cpu (a generic version
// of each, plus AVX2 and AVX-512 variants chosen at run time by cpu::active_isa()). Weights are
// packed into cpu::PackedWeights (panels of 16 rows, source dtype kept), quantized weights into
// cpu::QuantizedWeights (panels of 16 rows with their scales); resident weights that need no
// conversion are used in place, in the caller's host memory.
//
// Made by create_backend for Device::kCpu (make_cpu_backend); tests and benchmarks of CPU kernels
// may make one directly. Thread safety as Backend: one op at a time.
#pragma once

#include <memory>

#include "backends/cpu/thread_pool.h"
#include "ops/backend.h"

namespace infermark::ops {

class CpuBackend final : public Backend {
 public:
  // threads <= 0: one per physical core.
  explicit CpuBackend(int threads = 0);

  // The pool the kernels run on, for tools that measure the machine with the same threads (the
  // ceiling probes of benchmarks). Not while an op runs.
  cpu::ThreadPool& pool() { return pool_; }

  Device device() const override { return Device::kCpu; }
  int threads() const override { return pool_.size(); }

  Buffer allocate(size_t bytes) override;
  Tensor upload(const TensorView& host, DType dtype) override;
  PackedMatrix pack(std::span<const TensorView> parts) override;
  PackedMatrix pack_quantized(std::span<const QuantizedWeight> parts) override;
  void to_host(const TensorView& src, std::span<float> dst) override;

  void matmul(const TensorView& x, const PackedMatrix& w, const TensorView& y,
              bool accumulate) override;
  void rms_norm(const TensorView& x, const TensorView& weight, float eps,
                const TensorView& out) override;
  void rope(const RopeTable& table, std::span<const int32_t> positions,
            const TensorView& x) override;
  void swiglu(const TensorView& gate, const TensorView& up, const TensorView& out) override;
  void embedding(const TensorView& table, std::span<const int32_t> ids,
                 const TensorView& out) override;
  void convert(const TensorView& src, const TensorView& dst) override;
  void compact_rows(const TensorView& x, std::span<const int32_t> rows) override;
  void kv_write(const PagedKvLayer& cache, const AttentionBatch& batch, const TensorView& k,
                const TensorView& v) override;
  void attention(const PagedKvLayer& cache, const AttentionBatch& batch, const TensorView& q,
                 int n_heads, float scale, const TensorView& out) override;
  void suppress_tokens(const TensorView& logits, std::span<const int32_t> ids) override;
  void argmax(const TensorView& logits, std::span<int32_t> out) override;
  void sample(const TensorView& logits, std::span<const SamplingParams> params,
              std::span<const float> u, std::span<int32_t> out) override;

 private:
  cpu::ThreadPool pool_;
};

// A CpuBackend with options.threads threads: the registry's entry for Device::kCpu.
std::unique_ptr<Backend> make_cpu_backend(const BackendOptions& options);

}  // namespace infermark::ops
