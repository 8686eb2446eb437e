// Causal attention with grouped-query heads over a paged KV cache, for a flat batch of sequences
// (prefill chunks and decode tokens mixed), and the write of a step's new keys/values into the
// cache.
//
// Cache layout (per layer; the engine owns the memory): K and V are two arrays of n_blocks blocks;
// block b holds, for each kv head g, a slice of block_size token slots × head_dim elements, in
// f32, bf16 or f16. A sequence's token at position p lives in block block_table[p / block_size],
// slot p % block_size. V is token-major, K dimension-major (transposed), so that both are read
// as contiguous vectors by the kernel:
//   V (b, g, slot, d) at ((b * n_kv_heads + g) * block_size + slot) * head_dim + d
//   K (b, g, slot, d) at ((b * n_kv_heads + g) * head_dim + d) * block_size + slot
// Each (block, head) slice is contiguous. Only kv_write and attention know this layout.
//
// Batch: sequence s owns rows [q_start[s], q_start[s+1]) of the step's q / k / v / out matrices;
// its first row is at position p0[s] (the number of tokens cached before this step), row i at
// p0[s] + i. Query row i attends to cache positions 0..p0[s]+i inclusive, so `kv_write` of the
// same step must come first. Query head h reads kv head h / (n_heads / n_kv_heads).
// Limits: head_dim <= 512, block_size <= 1024.
// Softmax is computed online over key blocks (running max and sum, FlashAttention style), in f32,
// so no score matrix is materialised whatever the context length.
#pragma once

#include <cstdint>

#include "backends/cpu/float_type.h"
#include "backends/cpu/thread_pool.h"

namespace infermark::cpu {

// One layer of the paged cache. Not owned.
struct PagedKv {
  void* k = nullptr;
  void* v = nullptr;
  FloatType type = FloatType::kF32;
  int64_t n_blocks = 0;
  int block_size = 0;
  int n_kv_heads = 0;
  int head_dim = 0;
};

// The sequences of one step. Not owned.
struct SeqBatch {
  int n_seqs = 0;
  const int32_t* q_start = nullptr;       // [n_seqs + 1], non-decreasing, q_start[0] = 0
  const int32_t* p0 = nullptr;            // [n_seqs]
  const int32_t* block_tables = nullptr;  // [n_seqs][block_table_stride] block ids
  int64_t block_table_stride = 0;
};

// Copies row r of k and v (n_kv_heads * head_dim f32 each, leading dims ldk / ldv) to its cache
// position, converting to the cache type.
void kv_write(ThreadPool& pool, const PagedKv& kv, const SeqBatch& batch, const float* k,
              int64_t ldk, const float* v, int64_t ldv);

// out[r, h*head_dim : (h+1)*head_dim] = softmax(q_h · K^T * scale) · V over the positions row r
// may see. q and out are f32 [rows, n_heads * head_dim] at ldq / ldo; out must not overlap q.
// Work items (sequence × kv head × tile of query rows) are handed to the pool's threads
// dynamically, since causal items differ in cost.
void attention(ThreadPool& pool, const PagedKv& kv, const SeqBatch& batch, const float* q,
               int64_t ldq, int n_heads, float scale, float* out, int64_t ldo);

// One work item: query rows [0, n_rows) of one sequence, the `group` query heads that share kv
// head `kv_head`. Row r is at position first_pos + r. Heads are addressed from the row starts.
struct AttnTile {
  PagedKv kv;
  const int32_t* block_table;
  int kv_head;
  int group;
  int n_rows;
  int32_t first_pos;
  const float* q;  // row r, query head h at q + r * ldq + h * head_dim
  int64_t ldq;
  float* out;  // same addressing as q
  int64_t ldo;
  float scale;
};

namespace generic {
void attend(const AttnTile& tile);
}  // namespace generic
namespace avx2 {
// Falls back to generic::attend when head_dim is not a multiple of 8 or exceeds 256.
void attend(const AttnTile& tile);
}  // namespace avx2
namespace avx512 {
// Falls back to avx2::attend when head_dim is not a multiple of 16 or exceeds 256.
void attend(const AttnTile& tile);
}  // namespace avx512

}  // namespace infermark::cpu
