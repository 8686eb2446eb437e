#include "ops/cpu_backend.h"

#include <cstring>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "backends/cpu/activation.h"
#include "backends/cpu/aligned_buffer.h"
#include "backends/cpu/attention.h"
#include "backends/cpu/convert.h"
#include "backends/cpu/matmul.h"
#include "backends/cpu/norm.h"
#include "backends/cpu/packed_weights.h"
#include "backends/cpu/quantized_matmul.h"
#include "backends/cpu/quantized_weights.h"
#include "backends/cpu/rope.h"
#include "backends/cpu/sampling.h"
#include "ops/attention.h"
#include "ops/matmul.h"
#include "ops/quantized.h"
#include "ops/rope.h"
#include "ops/sampling.h"
#include "util/error.h"

namespace infermark::ops {
namespace {

cpu::FloatType float_type(DType dtype) {
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

// The CPU kind of PackedMatrix::Data: panels of the source dtype.
struct CpuPackedWeights final : PackedMatrix::Data {
  explicit CpuPackedWeights(cpu::PackedWeights w) : weights(std::move(w)) {}
  size_t bytes() const override { return weights.bytes(); }
  cpu::PackedWeights weights;
};

// The CPU kind of PackedMatrix::Data for quantized weights.
struct CpuQuantizedWeights final : PackedMatrix::Data {
  explicit CpuQuantizedWeights(cpu::QuantizedWeights w) : weights(std::move(w)) {}
  size_t bytes() const override { return weights.bytes(); }
  cpu::QuantizedWeights weights;
};

cpu::QuantFormat quant_format(WeightFormat f) {
  switch (f) {
    case WeightFormat::kInt8:
      return cpu::QuantFormat::kInt8;
    case WeightFormat::kInt4:
      return cpu::QuantFormat::kInt4;
    case WeightFormat::kFp8E4M3:
      return cpu::QuantFormat::kFp8E4M3;
    case WeightFormat::kFloat:
      break;
  }
  IM_CHECK_MSG(false, "not a quantized weight format");
  return cpu::QuantFormat::kInt8;
}

cpu::PagedKv cpu_cache(const PagedKvLayer& c) {
  cpu::PagedKv kv;
  kv.k = c.k;
  kv.v = c.v;
  kv.type = float_type(c.dtype);
  kv.n_blocks = c.n_blocks;
  kv.block_size = c.block_size;
  kv.n_kv_heads = c.n_kv_heads;
  kv.head_dim = c.head_dim;
  return kv;
}

cpu::SeqBatch cpu_batch(const AttentionBatch& b) {
  cpu::SeqBatch s;
  s.n_seqs = static_cast<int>(b.p0.size());
  s.q_start = b.q_start.data();
  s.p0 = b.p0.data();
  s.block_tables = b.block_tables;
  s.block_table_stride = b.block_table_stride;
  return s;
}

// Start of row r of a matrix view, in bytes.
char* row_bytes(const TensorView& v, int64_t r) {
  return static_cast<char*>(v.data) + static_cast<size_t>(r * v.ld()) * dtype_size(v.dtype);
}

}  // namespace

CpuBackend::CpuBackend(int threads) : pool_(threads) {}

std::unique_ptr<Backend> make_cpu_backend(const BackendOptions& options) {
  return std::make_unique<CpuBackend>(options.threads);
}

Buffer CpuBackend::allocate(size_t bytes) {
  return Buffer(cpu::allocate_aligned(bytes), bytes, Device::kCpu,
                [](void* data, size_t) { cpu::free_aligned(data); });
}

Tensor CpuBackend::upload(const TensorView& host, DType dtype) {
  const size_t size = dtype_size(dtype);
  if (host.dtype == dtype && reinterpret_cast<uintptr_t>(host.data) % size == 0) {
    return Tensor(host, Buffer());  // computed on in place
  }
  Buffer storage = allocate(static_cast<size_t>(host.numel()) * size);
  const TensorView dst = storage.view(0, dtype, {host.dim(0), host.dim(1)});
  if (host.dtype == dtype) {
    for (int64_t r = 0; r < host.dim(0); ++r) {
      std::memcpy(row_bytes(dst, r), row_bytes(host, r), static_cast<size_t>(host.dim(1)) * size);
    }
  } else {
    convert(host, dst);
  }
  return Tensor(dst, std::move(storage));
}

PackedMatrix CpuBackend::pack(std::span<const TensorView> parts) {
  const TensorView& first = parts[0];
  std::vector<cpu::WeightPart> sources;
  int64_t rows = 0;
  for (const TensorView& p : parts) {
    sources.push_back({p.data, p.dim(0), p.ld()});
    rows += p.dim(0);
  }
  auto data = std::make_unique<CpuPackedWeights>(
      cpu::PackedWeights(float_type(first.dtype), sources, first.dim(1), &pool_));
  return PackedMatrix(Device::kCpu, first.dtype, rows, first.dim(1), std::move(data));
}

PackedMatrix CpuBackend::pack_quantized(std::span<const QuantizedWeight> parts) {
  const QuantizedWeight& first = parts[0];
  std::vector<cpu::QuantizedPart> sources;
  int64_t rows = 0;
  for (const QuantizedWeight& p : parts) {
    sources.push_back({p.values.data(), p.rows, p.scales.data(), p.scales.size(),
                       p.zero_points.empty() ? nullptr : p.zero_points.data()});
    rows += p.rows;
  }
  const cpu::QuantLayout layout = first.activations == ActivationFormat::kInt8PerToken
                                      ? cpu::QuantLayout::kQuads
                                      : cpu::QuantLayout::kRowLanes;
  auto data = std::make_unique<CpuQuantizedWeights>(cpu::QuantizedWeights(
      quant_format(first.format), layout, sources, first.cols, first.group_size, &pool_));
  return PackedMatrix(Device::kCpu, first.format, first.activations, rows, first.cols,
                      std::move(data));
}

void CpuBackend::to_host(const TensorView& src, std::span<float> dst) {
  const auto cols = static_cast<size_t>(src.dim(1));
  for (int64_t r = 0; r < src.dim(0); ++r) {
    std::memcpy(dst.data() + static_cast<size_t>(r) * cols, row_bytes(src, r),
                cols * sizeof(float));
  }
}

void CpuBackend::matmul(const TensorView& x, const PackedMatrix& w, const TensorView& y,
                        bool accumulate) {
  if (const auto* f = dynamic_cast<const CpuPackedWeights*>(&w.data())) {
    cpu::matmul(pool_, x.as<const float>(), x.dim(0), x.ld(), f->weights, y.as<float>(), y.ld(),
                accumulate);
  } else if (const auto* q = dynamic_cast<const CpuQuantizedWeights*>(&w.data())) {
    cpu::quantized_matmul(pool_, x.as<const float>(), x.dim(0), x.ld(), q->weights, y.as<float>(),
                          y.ld(), accumulate);
  } else {
    IM_CHECK_MSG(false, "matmul: weights were not packed by the CPU backend");
  }
}

void CpuBackend::rms_norm(const TensorView& x, const TensorView& weight, float eps,
                          const TensorView& out) {
  cpu::rms_norm(pool_, x.as<const float>(), x.ld(), weight.as<const float>(), eps, x.dim(0),
                x.dim(1), out.as<float>(), out.ld());
}

void CpuBackend::rope(const RopeTable& table, std::span<const int32_t> positions,
                      const TensorView& x) {
  const int n_heads = static_cast<int>(x.dim(1) / table.head_dim());
  cpu::rope(pool_, x.as<float>(), x.ld(), x.dim(0), n_heads, table.head_dim(), positions.data(),
            table.inv_freq().data());
}

void CpuBackend::swiglu(const TensorView& gate, const TensorView& up, const TensorView& out) {
  cpu::swiglu(pool_, gate.as<const float>(), gate.ld(), up.as<const float>(), up.ld(), gate.dim(0),
              gate.dim(1), out.as<float>(), out.ld());
}

void CpuBackend::embedding(const TensorView& table, std::span<const int32_t> ids,
                           const TensorView& out) {
  cpu::embedding(pool_, table.data, float_type(table.dtype), table.ld(), table.dim(1), ids.data(),
                 static_cast<int64_t>(ids.size()), out.as<float>(), out.ld());
}

void CpuBackend::convert(const TensorView& src, const TensorView& dst) {
  const cpu::FloatType st = float_type(src.dtype), dt = float_type(dst.dtype);
  pool_.parallel_for(
      src.dim(0),
      [&](int64_t b, int64_t e, int) {
        for (int64_t r = b; r < e; ++r) {
          if (src.dtype == DType::kF32) {
            cpu::from_f32(reinterpret_cast<const float*>(row_bytes(src, r)), src.dim(1), dt,
                          row_bytes(dst, r));
          } else {
            cpu::to_f32(row_bytes(src, r), st, src.dim(1),
                        reinterpret_cast<float*>(row_bytes(dst, r)));
          }
        }
      },
      2 * src.dim(1));
}

void CpuBackend::compact_rows(const TensorView& x, std::span<const int32_t> rows) {
  const size_t row = static_cast<size_t>(x.dim(1)) * dtype_size(x.dtype);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto from = static_cast<int64_t>(rows[i]), to = static_cast<int64_t>(i);
    if (from != to) std::memcpy(row_bytes(x, to), row_bytes(x, from), row);
  }
}

void CpuBackend::kv_write(const PagedKvLayer& cache, const AttentionBatch& batch,
                          const TensorView& k, const TensorView& v) {
  cpu::kv_write(pool_, cpu_cache(cache), cpu_batch(batch), k.as<const float>(), k.ld(),
                v.as<const float>(), v.ld());
}

void CpuBackend::attention(const PagedKvLayer& cache, const AttentionBatch& batch,
                           const TensorView& q, int n_heads, float scale, const TensorView& out) {
  cpu::attention(pool_, cpu_cache(cache), cpu_batch(batch), q.as<const float>(), q.ld(), n_heads,
                 scale, out.as<float>(), out.ld());
}

void CpuBackend::suppress_tokens(const TensorView& logits, std::span<const int32_t> ids) {
  for (int64_t r = 0; r < logits.dim(0); ++r) {
    float* row = logits.as<float>() + r * logits.ld();
    for (int32_t id : ids) {
      if (id >= 0 && id < logits.dim(1)) row[id] = -std::numeric_limits<float>::infinity();
    }
  }
}

void CpuBackend::argmax(const TensorView& logits, std::span<int32_t> out) {
  pool_.parallel_for(
      logits.dim(0),
      [&](int64_t b, int64_t e, int) {
        for (int64_t r = b; r < e; ++r) {
          out[static_cast<size_t>(r)] =
              cpu::argmax(logits.as<const float>() + r * logits.ld(), logits.dim(1));
        }
      },
      logits.dim(1));
}

void CpuBackend::sample(const TensorView& logits, std::span<const SamplingParams> params,
                        std::span<const float> u, std::span<int32_t> out) {
  pool_.parallel_for(
      logits.dim(0),
      [&](int64_t b, int64_t e, int) {
        thread_local cpu::SamplingScratch scratch;  // grows once per thread
        for (int64_t r = b; r < e; ++r) {
          const SamplingParams& p = params[static_cast<size_t>(r)];
          out[static_cast<size_t>(r)] =
              cpu::sample(logits.as<const float>() + r * logits.ld(), logits.dim(1),
                          {p.temperature, p.top_k, p.top_p}, u[static_cast<size_t>(r)], scratch);
        }
      },
      20 * logits.dim(1));
}

}  // namespace infermark::ops
