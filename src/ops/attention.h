// Attention over a paged KV cache for a flat batch: each sequence contributes a contiguous run
// of query rows (a prefill chunk, or one decode token) starting at position p0, causal within
// the run and over the p0 tokens already cached; grouped-query heads (n_heads query heads share
// n_kv_heads key/value heads); scale 1/sqrt(head_dim) unless given.
//
// The engine owns the cache memory (allocated from its backend) and the block allocator; these
// ops only read and write the blocks they are pointed at. One layer is two arrays (K, V) of
// n_blocks blocks of block_size tokens × n_kv_heads × head_dim elements of `dtype` (f32, bf16 or
// f16; block_bytes() each); position p of a sequence lives in block block_table[p / block_size],
// slot p % block_size. The arrangement inside a block is the backend's (CPU:
// backends/cpu/attention.h), so only kv_write and attention touch the blocks' contents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "ops/backend.h"
#include "ops/tensor.h"

namespace infermark::ops {

// One layer's K and V block arrays. Not owned.
struct PagedKvLayer {
  void* k = nullptr;
  void* v = nullptr;
  DType dtype = DType::kF32;
  Device device = Device::kCpu;
  int64_t n_blocks = 0;
  int block_size = 16;
  int n_kv_heads = 0;
  int head_dim = 0;

  // Bytes of one block of K (and of V).
  size_t block_bytes() const {
    return static_cast<size_t>(block_size) * static_cast<size_t>(n_kv_heads) *
           static_cast<size_t>(head_dim) * dtype_size(dtype);
  }
};

// The sequences of one step. Not owned; valid for the duration of the call.
struct AttentionBatch {
  // [n_seqs + 1]: sequence s owns rows [q_start[s], q_start[s+1]) of q / k / v / out;
  // q_start[0] = 0, non-decreasing.
  std::span<const int32_t> q_start;
  // [n_seqs]: tokens of sequence s cached before this step = position of its first row.
  std::span<const int32_t> p0;
  // [n_seqs][block_table_stride] block ids; row s must cover positions < p0[s] + rows of s.
  const int32_t* block_tables = nullptr;
  int64_t block_table_stride = 0;
};

// Stores the step's keys and values: row r of k and v (f32 [rows, n_kv_heads * head_dim], e.g.
// column ranges of the fused q/k/v output after rope) at its sequence position in the cache.
void kv_write(Backend& backend, const PagedKvLayer& cache, const AttentionBatch& batch,
              const TensorView& k, const TensorView& v);

// out[r, h*hd:(h+1)*hd] = softmax(q_h k^T * scale) v over the positions row r sees (kv_write of
// this step first). q, out: f32 [rows, n_heads * head_dim], not overlapping. scale <= 0 means
// 1/sqrt(head_dim).
void attention(Backend& backend, const PagedKvLayer& cache, const AttentionBatch& batch,
               const TensorView& q, int n_heads, const TensorView& out, float scale = 0);

}  // namespace infermark::ops
