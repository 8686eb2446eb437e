#include "backends/cpu/attention.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "backends/cpu/convert.h"
#include "backends/cpu/cpu_features.h"
#include "util/error.h"

namespace infermark::cpu {
namespace {

constexpr int kTileRows = 8;  // query rows per work item
constexpr int kMaxHeadDim = 512;
constexpr int kMaxBlockSize = 1024;

inline char* elem_ptr(void* base, const PagedKv& kv, size_t offset) {
  return static_cast<char*>(base) + offset * float_type_size(kv.type);
}

// Element index of V (block, g, slot, 0); V rows are contiguous.
inline size_t v_offset(const PagedKv& kv, int64_t block, int g, int slot) {
  return static_cast<size_t>(((block * kv.n_kv_heads + g) * kv.block_size + slot)) *
         static_cast<size_t>(kv.head_dim);
}

// Element index of K (block, g, slot, d = 0); dimension d is block_size elements further.
inline size_t k_offset(const PagedKv& kv, int64_t block, int g, int slot) {
  return static_cast<size_t>((block * kv.n_kv_heads + g) * kv.head_dim) *
             static_cast<size_t>(kv.block_size) +
         static_cast<size_t>(slot);
}

// Writes head_dim floats to a strided run of K elements (stride block_size), converting.
void store_key(const float* src, const PagedKv& kv, size_t offset) {
  for (int d = 0; d < kv.head_dim; ++d) {
    const size_t i = offset + static_cast<size_t>(d) * static_cast<size_t>(kv.block_size);
    from_f32(src + d, 1, kv.type, elem_ptr(kv.k, kv, i));
  }
}

}  // namespace

void kv_write(ThreadPool& pool, const PagedKv& kv, const SeqBatch& batch, const float* k,
              int64_t ldk, const float* v, int64_t ldv) {
  const int64_t rows = batch.q_start[batch.n_seqs];
  pool.parallel_for(
      rows,
      [&](int64_t b, int64_t e, int) {
        for (int64_t r = b; r < e; ++r) {
          const int s = static_cast<int>(
              std::upper_bound(batch.q_start, batch.q_start + batch.n_seqs + 1, r) - batch.q_start -
              1);
          const int64_t pos = batch.p0[s] + (r - batch.q_start[s]);
          const int32_t block =
              batch.block_tables[s * batch.block_table_stride + pos / kv.block_size];
          IM_CHECK(block >= 0 && block < kv.n_blocks);
          const int slot = static_cast<int>(pos % kv.block_size);
          for (int g = 0; g < kv.n_kv_heads; ++g) {
            store_key(k + r * ldk + g * kv.head_dim, kv, k_offset(kv, block, g, slot));
            from_f32(v + r * ldv + g * kv.head_dim, kv.head_dim, kv.type,
                     elem_ptr(kv.v, kv, v_offset(kv, block, g, slot)));
          }
        }
      },
      4 * int64_t{kv.n_kv_heads} * kv.head_dim);
}

void attention(ThreadPool& pool, const PagedKv& kv, const SeqBatch& batch, const float* q,
               int64_t ldq, int n_heads, float scale, float* out, int64_t ldo) {
  IM_CHECK(kv.n_kv_heads > 0 && n_heads % kv.n_kv_heads == 0);
  IM_CHECK(kv.head_dim > 0 && kv.head_dim <= kMaxHeadDim);
  IM_CHECK(kv.block_size > 0 && kv.block_size <= kMaxBlockSize);
  const int group = n_heads / kv.n_kv_heads;
  // Items: for each sequence, its row tiles (last, most expensive, first) × kv heads.
  int64_t n_items = 0;
  for (int s = 0; s < batch.n_seqs; ++s) {
    const int64_t n_rows = batch.q_start[s + 1] - batch.q_start[s];
    n_items += (n_rows + kTileRows - 1) / kTileRows * kv.n_kv_heads;
  }
  const Isa isa = active_isa();
  std::atomic<int64_t> next{0};
  pool.run([&](int, int) {
    int s = 0;
    int64_t seq_first_item = 0;  // index of sequence s's first item
    for (int64_t item = next.fetch_add(1, std::memory_order_relaxed); item < n_items;
         item = next.fetch_add(1, std::memory_order_relaxed)) {
      int64_t n_rows = batch.q_start[s + 1] - batch.q_start[s];
      int64_t n_tiles = (n_rows + kTileRows - 1) / kTileRows;
      while (item >= seq_first_item + n_tiles * kv.n_kv_heads) {
        seq_first_item += n_tiles * kv.n_kv_heads;
        ++s;
        n_rows = batch.q_start[s + 1] - batch.q_start[s];
        n_tiles = (n_rows + kTileRows - 1) / kTileRows;
      }
      const int64_t local = item - seq_first_item;
      const int64_t tile = n_tiles - 1 - local / kv.n_kv_heads;
      const int g = static_cast<int>(local % kv.n_kv_heads);
      const int64_t row0 = batch.q_start[s] + tile * kTileRows;
      AttnTile t;
      t.kv = kv;
      t.block_table = batch.block_tables + s * batch.block_table_stride;
      t.kv_head = g;
      t.group = group;
      t.n_rows = static_cast<int>(std::min<int64_t>(kTileRows, n_rows - tile * kTileRows));
      t.first_pos = static_cast<int32_t>(batch.p0[s] + tile * kTileRows);
      t.q = q + row0 * ldq;
      t.ldq = ldq;
      t.out = out + row0 * ldo;
      t.ldo = ldo;
      t.scale = scale;
      if (isa >= Isa::kAvx512) {
        avx512::attend(t);
      } else if (isa >= Isa::kAvx2) {
        avx2::attend(t);
      } else {
        generic::attend(t);
      }
    }
  });
}

namespace generic {

void attend(const AttnTile& t) {
  const PagedKv& kv = t.kv;
  const int hd = kv.head_dim, bs = kv.block_size;
  float acc[kMaxHeadDim], val[kMaxHeadDim], krow[kMaxBlockSize];
  for (int r = 0; r < t.n_rows; ++r) {
    const int64_t n_keys = int64_t{t.first_pos} + r + 1;
    for (int hh = 0; hh < t.group; ++hh) {
      const int h = t.kv_head * t.group + hh;
      const float* qv = t.q + r * t.ldq + static_cast<int64_t>(h) * hd;
      float m = -std::numeric_limits<float>::infinity(), l = 0;
      std::fill(acc, acc + hd, 0.0f);
      for (int64_t j0 = 0; j0 < n_keys; j0 += bs) {
        const int32_t block = t.block_table[j0 / bs];
        const int nk = static_cast<int>(std::min<int64_t>(bs, n_keys - j0));
        // K is dimension-major: row d holds the block's keys' element d.
        float scores[kMaxBlockSize] = {};
        const size_t k0 = k_offset(kv, block, t.kv_head, 0);
        for (int d = 0; d < hd; ++d) {
          to_f32(elem_ptr(kv.k, kv, k0 + static_cast<size_t>(d) * static_cast<size_t>(bs)), kv.type,
                 nk, krow);
          for (int j = 0; j < nk; ++j) scores[j] += qv[d] * krow[j];
        }
        float bmax = m;
        for (int j = 0; j < nk; ++j) {
          scores[j] *= t.scale;
          bmax = std::max(bmax, scores[j]);
        }
        const float corr = std::exp(m - bmax);  // 0 on the first block (m = -inf)
        l *= corr;
        for (int d = 0; d < hd; ++d) acc[d] *= corr;
        for (int j = 0; j < nk; ++j) {
          const float p = std::exp(scores[j] - bmax);
          l += p;
          to_f32(elem_ptr(kv.v, kv, v_offset(kv, block, t.kv_head, j)), kv.type, hd, val);
          for (int d = 0; d < hd; ++d) acc[d] += p * val[d];
        }
        m = bmax;
      }
      float* o = t.out + r * t.ldo + static_cast<int64_t>(h) * hd;
      for (int d = 0; d < hd; ++d) o[d] = acc[d] / l;
    }
  }
}

}  // namespace generic
}  // namespace infermark::cpu
