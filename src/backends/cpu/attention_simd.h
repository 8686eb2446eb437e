// The ISA-independent parts of the SIMD attention kernels (attention_avx2.cc,
// attention_avx512.cc): splitting a work item's query vectors into passes, and walking a pass's
// visible keys block by block in chunks, prefetching the next block. Include only from those
// files: every function is a `static` template (internal linkage in each includer, compiled with
// its flags).
#pragma once

#include <xmmintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "backends/cpu/attention.h"

namespace infermark::cpu::attention_simd {

// For each group of at most kMaxQ of the item's query vectors (row-major over rows × the group's
// heads): fills ps.qs (scaled by t.scale, stride kMaxHd), zeroes ps.o, sets the online-softmax
// state (m = -inf, l = 0), each query's last visible position and output row, then calls
// run(ps, nq).
template <int kMaxQ, int kMaxHd, typename Pass, typename Run>
static inline void for_each_pass(const AttnTile& t, Pass& ps, Run&& run) {
  const int hd = t.kv.head_dim;
  const int total = t.n_rows * t.group;
  for (int first = 0; first < total; first += kMaxQ) {
    const int nq = total - first < kMaxQ ? total - first : kMaxQ;
    for (int i = 0; i < nq; ++i) {
      const int r = (first + i) / t.group;
      const int h = t.kv_head * t.group + (first + i) % t.group;
      const float* q = t.q + r * t.ldq + int64_t{h} * hd;
      for (int d = 0; d < hd; ++d) {
        ps.qs[i * kMaxHd + d] = q[d] * t.scale;
        ps.o[i * kMaxHd + d] = 0.0f;
      }
      ps.m[i] = -INFINITY;
      ps.l[i] = 0;
      ps.limit[i] = t.first_pos + r;
      ps.out[i] = t.out + r * t.ldo + int64_t{h} * hd;
    }
    run(ps, nq);
  }
}

// Calls chunk(pos0, nk, kp, vp) for positions 0 .. n_keys - 1 of kv head t.kv_head in chunks of
// at most kChunk keys that do not cross a cache block: keys pos0 .. pos0 + nk - 1, K at kp
// (dimension d of the chunk's keys at kp + d * block_size elements), V at vp (row j at
// vp + j * head_dim elements). Before each block, the next block's K and V slices (up to 16 KiB
// each) are prefetched: blocks are scattered, beyond the hardware prefetcher's reach.
template <int kChunk, typename Chunk>
static inline void for_each_key_chunk(const AttnTile& t, int64_t n_keys, Chunk&& chunk) {
  const PagedKv& kv = t.kv;
  const int hd = kv.head_dim, bs = kv.block_size;
  const size_t esize = float_type_size(kv.type);
  const size_t slice_bytes = static_cast<size_t>(bs) * static_cast<size_t>(hd) * esize;
  auto slice_offset = [&](int64_t block) {  // bytes to this head's slots in `block`
    return static_cast<size_t>((block * kv.n_kv_heads + t.kv_head) * bs) * static_cast<size_t>(hd) *
           esize;
  };
  for (int64_t blk = 0; blk * bs < n_keys; ++blk) {
    const size_t head_off = slice_offset(t.block_table[blk]) / esize;
    if ((blk + 1) * bs < n_keys) {
      const size_t next = slice_offset(t.block_table[blk + 1]);
      const size_t bytes = slice_bytes < (16u << 10) ? slice_bytes : (16u << 10);
      for (size_t b = 0; b < bytes; b += 64) {
        _mm_prefetch(static_cast<const char*>(kv.k) + next + b, _MM_HINT_T0);
        _mm_prefetch(static_cast<const char*>(kv.v) + next + b, _MM_HINT_T0);
      }
    }
    for (int c0 = 0; c0 < bs && blk * bs + c0 < n_keys; c0 += kChunk) {
      const int64_t pos0 = blk * bs + c0;
      int nk = bs - c0 < kChunk ? bs - c0 : kChunk;
      if (n_keys - pos0 < nk) nk = static_cast<int>(n_keys - pos0);
      // K is [hd][bs] per head and block (chunk start at column c0), V is [bs][hd].
      const char* kp = static_cast<const char*>(kv.k) + (head_off + c0) * esize;
      const char* vp = static_cast<const char*>(kv.v) +
                       (head_off + static_cast<size_t>(c0) * static_cast<size_t>(hd)) * esize;
      chunk(pos0, nk, kp, vp);
    }
  }
}

// One past the last position any of the pass's nq queries sees.
template <typename Pass>
static inline int64_t pass_keys(const Pass& ps, int nq) {
  int32_t max_limit = 0;
  for (int i = 0; i < nq; ++i) max_limit = ps.limit[i] > max_limit ? ps.limit[i] : max_limit;
  return int64_t{max_limit} + 1;
}

}  // namespace infermark::cpu::attention_simd
