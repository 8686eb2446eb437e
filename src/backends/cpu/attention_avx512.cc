// AVX-512 attention work item (see attention.h), for head_dim a multiple of 16 up to 256 (others
// go to the AVX2 kernel). Compiled with -mavx512f -mavx512bw -mavx512vl -mavx2 -mfma -mf16c and
// called only when the CPU has them; same rules as the *_avx2.cc files (internal linkage only).
//
// The shape of the AVX2 kernel with one 16-lane vector where it has two: the item's query
// vectors (rows × the group's heads, at most kMaxQ per pass, pre-scaled) run against chunks of
// 16 keys of one block. K is dimension-major in the cache, so dimension d of a chunk is one
// vector of 16 keys: scores for up to 8 queries at a time are broadcast-FMAs giving 16 scores
// per query in one register. Partial chunks are read with masked loads (absent keys read as 0
// and get probability exactly 0, like causally hidden ones). The online softmax update is one
// vector per query; then O += P V with up to 4 queries × 64 dims of accumulators. With many
// queries (prefill) bf16 / f16 keys are widened to f32 once per chunk; for decode (<= 4
// queries) they are widened in the score loop. The walk over blocks and chunks (with the next
// block prefetched) is attention_simd.h's.
#include <immintrin.h>
#include <math.h>

#include <cstdint>

#include "backends/cpu/attention.h"
#include "backends/cpu/attention_simd.h"
#include "backends/cpu/simd_avx512.h"

// GCC 12's AVX-512 intrinsics (max, min, conversions, reductions) start from an "undefined"
// vector that -W(maybe-)uninitialized reports once they are inlined: a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace infermark::cpu::avx512 {
namespace {

constexpr int kChunk = 16;  // keys per chunk = lanes per vector
constexpr int kMaxQ = 32;   // query vectors per pass
constexpr int kMaxHd = 256;

// 16 consecutive values (f32, bf16 or f16) as floats, lanes outside `mask` zero.
struct KF32 {
  using T = float;
  static inline __m512 load(const T* p, __mmask16 mask) { return _mm512_maskz_loadu_ps(mask, p); }
};
struct KBf16 {
  using T = uint16_t;
  static inline __m512 load(const T* p, __mmask16 mask) {
    const __m512i v = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask, p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
  }
};
struct KF16 {
  using T = uint16_t;
  static inline __m512 load(const T* p, __mmask16 mask) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask, p));
  }
};

// kt[d * 16 + j] = k[d * stride + j] as float for j in `mask`, 0 elsewhere.
template <typename L>
inline void widen_keys(const typename L::T* k, int64_t stride, int hd, __mmask16 mask, float* kt) {
  for (int d = 0; d < hd; ++d) _mm512_store_ps(kt + d * kChunk, L::load(k + d * stride, mask));
}

// s[i][0:16] = qs[i] · keys for kQ queries starting at qs (stride kMaxHd); dimension d of the
// 16 keys at kt + d * stride.
template <int kQ, typename L>
inline void scores(const float* qs, const typename L::T* kt, int64_t stride, int hd, __mmask16 mask,
                   float* s) {
  __m512 acc[kQ];
  for (int i = 0; i < kQ; ++i) acc[i] = _mm512_setzero_ps();
  for (int d = 0; d < hd; ++d) {
    const __m512 kd = L::load(kt + d * stride, mask);
#pragma GCC unroll 8
    for (int i = 0; i < kQ; ++i) {
      acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(qs[i * kMaxHd + d]), kd, acc[i]);
    }
  }
  for (int i = 0; i < kQ; ++i) _mm512_store_ps(s + i * kChunk, acc[i]);
}

// o[i] = o[i] * corr[i] + sum_j p[i][j] v[j] for kQ queries; v rows (f32) at stride hd.
template <int kQ>
inline void accumulate_pv(const float* p, const float* corr, const float* v, int hd, int nk,
                          float* o) {
  int d0 = 0;
  for (; d0 + 64 <= hd; d0 += 64) {
    __m512 acc[kQ][4];
    for (int i = 0; i < kQ; ++i) {
      const __m512 c = _mm512_set1_ps(corr[i]);
      for (int w = 0; w < 4; ++w) {
        acc[i][w] = _mm512_mul_ps(_mm512_load_ps(o + i * kMaxHd + d0 + 16 * w), c);
      }
    }
    for (int j = 0; j < nk; ++j) {
      const float* vj = v + int64_t{j} * hd + d0;
      const __m512 v0 = _mm512_load_ps(vj), v1 = _mm512_load_ps(vj + 16);
      const __m512 v2 = _mm512_load_ps(vj + 32), v3 = _mm512_load_ps(vj + 48);
      for (int i = 0; i < kQ; ++i) {
        const __m512 b = _mm512_set1_ps(p[i * kChunk + j]);
        acc[i][0] = _mm512_fmadd_ps(b, v0, acc[i][0]);
        acc[i][1] = _mm512_fmadd_ps(b, v1, acc[i][1]);
        acc[i][2] = _mm512_fmadd_ps(b, v2, acc[i][2]);
        acc[i][3] = _mm512_fmadd_ps(b, v3, acc[i][3]);
      }
    }
    for (int i = 0; i < kQ; ++i) {
      for (int w = 0; w < 4; ++w) _mm512_store_ps(o + i * kMaxHd + d0 + 16 * w, acc[i][w]);
    }
  }
  for (; d0 < hd; d0 += 16) {
    __m512 acc[kQ];
    for (int i = 0; i < kQ; ++i) {
      acc[i] = _mm512_mul_ps(_mm512_load_ps(o + i * kMaxHd + d0), _mm512_set1_ps(corr[i]));
    }
    for (int j = 0; j < nk; ++j) {
      const __m512 vj = _mm512_load_ps(v + int64_t{j} * hd + d0);
      for (int i = 0; i < kQ; ++i) {
        acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(p[i * kChunk + j]), vj, acc[i]);
      }
    }
    for (int i = 0; i < kQ; ++i) _mm512_store_ps(o + i * kMaxHd + d0, acc[i]);
  }
}

// Scratch of one pass: pre-scaled queries, output accumulators, softmax state.
struct Pass {
  alignas(64) float qs[kMaxQ * kMaxHd];
  alignas(64) float o[kMaxQ * kMaxHd];
  alignas(64) float s[kMaxQ * kChunk];  // scores, then probabilities
  alignas(64) float kt[kMaxHd * kChunk];
  alignas(64) float vf[kChunk * kMaxHd];
  float m[kMaxQ], l[kMaxQ], corr[kMaxQ];
  int32_t limit[kMaxQ];  // last visible position of each query
  float* out[kMaxQ];
};

// Online-softmax update of query i with the chunk's scores; keys at positions pos0 + j, j < nk.
inline void softmax_update(Pass& ps, int i, int32_t pos0, int nk) {
  // Visible: j < nk and pos0 + j <= limit, i.e. j < min(nk, limit - pos0 + 1).
  const int32_t vis = nk < ps.limit[i] - pos0 + 1 ? nk : ps.limit[i] - pos0 + 1;
  float* s = ps.s + i * kChunk;
  if (vis <= 0) {  // nothing visible in this chunk for this query
    _mm512_store_ps(s, _mm512_setzero_ps());
    ps.corr[i] = 1.0f;
    return;
  }
  const auto ok = static_cast<__mmask16>((1u << vis) - 1u);
  const __m512 sv = _mm512_load_ps(s);
  const float m_new = fmaxf(ps.m[i], _mm512_mask_reduce_max_ps(ok, sv));
  const __m512 p = _mm512_maskz_mov_ps(ok, exp16(_mm512_sub_ps(sv, _mm512_set1_ps(m_new))));
  _mm512_store_ps(s, p);
  const float corr = expf(ps.m[i] - m_new);  // 0 on the first visible chunk (m = -inf)
  ps.corr[i] = corr;
  ps.l[i] = ps.l[i] * corr + _mm512_reduce_add_ps(p);
  ps.m[i] = m_new;
}

// Scores of all nq queries of the pass against one chunk.
template <typename L>
inline void all_scores(Pass& ps, int nq, const typename L::T* kt, int64_t stride, int hd,
                       __mmask16 mask) {
  int i = 0;
  for (; i + 8 <= nq; i += 8) {
    scores<8, L>(ps.qs + i * kMaxHd, kt, stride, hd, mask, ps.s + i * kChunk);
  }
  for (; i + 4 <= nq; i += 4) {
    scores<4, L>(ps.qs + i * kMaxHd, kt, stride, hd, mask, ps.s + i * kChunk);
  }
  for (; i < nq; ++i) scores<1, L>(ps.qs + i * kMaxHd, kt, stride, hd, mask, ps.s + i * kChunk);
}

// One chunk's scores for a cache of element type L: straight from the cache for f32 keys or
// few queries, else widened to f32 once and read from there.
template <typename L>
inline void chunk_scores(Pass& ps, int nq, const char* kp, int bs, int hd, __mmask16 mask) {
  const auto* k = reinterpret_cast<const typename L::T*>(kp);
  if (sizeof(typename L::T) == 4 || nq <= 4) {
    all_scores<L>(ps, nq, k, bs, hd, mask);
  } else {
    widen_keys<L>(k, bs, hd, mask, ps.kt);
    all_scores<KF32>(ps, nq, ps.kt, kChunk, hd, 0xffff);
  }
}

// V rows j < nk of a chunk (stride hd elements) widened to f32 in vf.
template <typename L>
inline void widen_values(const char* vp, int hd, int nk, float* vf) {
  const auto* v = reinterpret_cast<const typename L::T*>(vp);
  for (int j = 0; j < nk; ++j) {
    for (int d = 0; d < hd; d += 16) {
      _mm512_store_ps(vf + j * hd + d, L::load(v + int64_t{j} * hd + d, 0xffff));
    }
  }
}

void run_pass(const AttnTile& t, Pass& ps, int nq) {
  const PagedKv& kv = t.kv;
  const int hd = kv.head_dim;
  const int64_t n_keys = attention_simd::pass_keys(ps, nq);
  attention_simd::for_each_key_chunk<kChunk>(
      t, n_keys, [&](int64_t pos0, int nk, const char* kp, const char* vp) {
        const int bs = kv.block_size;
        const auto mask = static_cast<__mmask16>((1u << nk) - 1u);
        switch (kv.type) {
          case FloatType::kF32:
            chunk_scores<KF32>(ps, nq, kp, bs, hd, mask);
            widen_values<KF32>(vp, hd, nk, ps.vf);  // aligned copy for the PV loads
            break;
          case FloatType::kBF16:
            chunk_scores<KBf16>(ps, nq, kp, bs, hd, mask);
            widen_values<KBf16>(vp, hd, nk, ps.vf);
            break;
          case FloatType::kF16:
            chunk_scores<KF16>(ps, nq, kp, bs, hd, mask);
            widen_values<KF16>(vp, hd, nk, ps.vf);
            break;
        }
        for (int i = 0; i < nq; ++i) softmax_update(ps, i, static_cast<int32_t>(pos0), nk);
        int i = 0;
        for (; i + 4 <= nq; i += 4) {
          accumulate_pv<4>(ps.s + i * kChunk, ps.corr + i, ps.vf, hd, nk, ps.o + i * kMaxHd);
        }
        for (; i + 2 <= nq; i += 2) {
          accumulate_pv<2>(ps.s + i * kChunk, ps.corr + i, ps.vf, hd, nk, ps.o + i * kMaxHd);
        }
        if (i < nq)
          accumulate_pv<1>(ps.s + i * kChunk, ps.corr + i, ps.vf, hd, nk, ps.o + i * kMaxHd);
      });
  for (int i = 0; i < nq; ++i) {
    const __m512 inv = _mm512_set1_ps(1.0f / ps.l[i]);
    for (int d = 0; d < hd; d += 16) {
      _mm512_storeu_ps(ps.out[i] + d, _mm512_mul_ps(_mm512_load_ps(ps.o + i * kMaxHd + d), inv));
    }
  }
}

}  // namespace

void attend(const AttnTile& t) {
  const int hd = t.kv.head_dim;
  if (hd % 16 != 0 || hd > kMaxHd || t.kv.block_size > 1024) return avx2::attend(t);
  Pass ps;  // ~100 KiB of stack, uninitialised
  attention_simd::for_each_pass<kMaxQ, kMaxHd>(t, ps, [&](Pass& p, int nq) { run_pass(t, p, nq); });
}

}  // namespace infermark::cpu::avx512
