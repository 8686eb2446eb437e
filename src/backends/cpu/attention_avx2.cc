// AVX2/FMA attention work item (see attention.h), for head_dim a multiple of 8 up to 256 (others
// go to the generic kernel).
//
// The item's query vectors (rows × the group's heads, at most kMaxQ per pass, pre-scaled) are
// processed together against chunks of up to 16 keys of one block. Keys are stored
// dimension-major in the cache, so a chunk is 16 consecutive values per dimension and scores for
// 4 queries at a time are broadcast-FMAs producing 16 scores per query in two vectors (no
// transposes, no horizontal sums); the online softmax update is vectorised over the 16 keys,
// with causal / absent keys masked to probability exactly 0; then O += P V with 2 queries × 32
// dims of accumulators. With many queries (prefill) bf16 / f16 keys are widened to f32 once per
// chunk; for decode (<= 4 queries) they are widened in the score loop. The walk over blocks and
// chunks (with the next block prefetched) is attention_simd.h's.
#include <immintrin.h>
#include <math.h>

#include <cstdint>

#include "backends/cpu/attention.h"
#include "backends/cpu/attention_simd.h"
#include "backends/cpu/simd_avx2.h"

namespace infermark::cpu::avx2 {
namespace {

constexpr int kChunk = 16;  // keys per chunk
constexpr int kMaxQ = 32;   // query vectors per pass
constexpr int kMaxHd = 256;

// Loads 8 consecutive elements (f32, bf16 or f16) as floats.
inline __m256 load8(const void* p, FloatType t, int64_t index) {
  switch (t) {
    case FloatType::kBF16:
      return load8_bf16(static_cast<const uint16_t*>(p) + index);
    case FloatType::kF16:
      return load8_f16(static_cast<const uint16_t*>(p) + index);
    default:
      return _mm256_loadu_ps(static_cast<const float*>(p) + index);
  }
}

// Loaders of 16 consecutive key values (one dimension of a chunk) as floats: lo = keys 0-7,
// hi = keys 8-15.
struct KF32 {
  using T = float;
  static inline void load(const T* p, __m256& lo, __m256& hi) {
    lo = _mm256_loadu_ps(p);
    hi = _mm256_loadu_ps(p + 8);
  }
};
struct KBf16 {
  using T = uint16_t;
  static inline void load(const T* p, __m256& lo, __m256& hi) {
    lo = load8_bf16(p);
    hi = load8_bf16(p + 8);
  }
};
struct KF16 {
  using T = uint16_t;
  static inline void load(const T* p, __m256& lo, __m256& hi) {
    lo = load8_f16(p);
    hi = load8_f16(p + 8);
  }
};

// kt[d * 16 + j] = k[d * stride + j] as float for j < nk, 0 for nk <= j < 16.
inline void widen_keys(const void* k, FloatType t, int64_t stride, int hd, int nk, float* kt) {
  if (nk == kChunk) {
    for (int d = 0; d < hd; ++d) {
      const int64_t i = d * stride;
      _mm256_store_ps(kt + d * kChunk, load8(k, t, i));
      _mm256_store_ps(kt + d * kChunk + 8, load8(k, t, i + 8));
    }
    return;
  }
  for (int d = 0; d < hd; ++d) {
    alignas(32) float row[kChunk] = {};
    for (int j = 0; j < nk; ++j) {
      const int64_t i = d * stride + j;
      switch (t) {
        case FloatType::kBF16:
          row[j] = _mm_cvtss_f32(_mm_castsi128_ps(
              _mm_cvtsi32_si128(static_cast<int>(static_cast<const uint16_t*>(k)[i]) << 16)));
          break;
        case FloatType::kF16:
          row[j] =
              _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<const uint16_t*>(k)[i])));
          break;
        default:
          row[j] = static_cast<const float*>(k)[i];
      }
    }
    _mm256_store_ps(kt + d * kChunk, _mm256_load_ps(row));
    _mm256_store_ps(kt + d * kChunk + 8, _mm256_load_ps(row + 8));
  }
}

// s[i][0:16] = qs[i] · keys for kQ queries starting at qs (stride kMaxHd); dimension d of the
// 16 keys at kt + d * stride.
template <int kQ, typename L>
inline void scores(const float* qs, const typename L::T* kt, int64_t stride, int hd, float* s) {
  __m256 acc[kQ][2];
  for (int i = 0; i < kQ; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int d = 0; d < hd; ++d) {
    __m256 k0, k1;
    L::load(kt + d * stride, k0, k1);
#pragma GCC unroll 4
    for (int i = 0; i < kQ; ++i) {
      const __m256 b = _mm256_broadcast_ss(qs + i * kMaxHd + d);
      acc[i][0] = _mm256_fmadd_ps(b, k0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(b, k1, acc[i][1]);
    }
  }
  for (int i = 0; i < kQ; ++i) {
    _mm256_store_ps(s + i * kChunk, acc[i][0]);
    _mm256_store_ps(s + i * kChunk + 8, acc[i][1]);
  }
}

// o[i] = o[i] * corr[i] + sum_j p[i][j] v[j] for kQ queries; v rows at stride hd.
template <int kQ>
inline void accumulate_pv(const float* p, const float* corr, const float* v, int hd, int nk,
                          float* o) {
  int d0 = 0;
  for (; d0 + 32 <= hd; d0 += 32) {
    __m256 acc[kQ][4];
    for (int i = 0; i < kQ; ++i) {
      const __m256 c = _mm256_broadcast_ss(corr + i);
      for (int w = 0; w < 4; ++w)
        acc[i][w] = _mm256_mul_ps(_mm256_load_ps(o + i * kMaxHd + d0 + 8 * w), c);
    }
    for (int j = 0; j < nk; ++j) {
      const float* vj = v + int64_t{j} * hd + d0;
      const __m256 v0 = _mm256_loadu_ps(vj), v1 = _mm256_loadu_ps(vj + 8);
      const __m256 v2 = _mm256_loadu_ps(vj + 16), v3 = _mm256_loadu_ps(vj + 24);
      for (int i = 0; i < kQ; ++i) {
        const __m256 b = _mm256_broadcast_ss(p + i * kChunk + j);
        acc[i][0] = _mm256_fmadd_ps(b, v0, acc[i][0]);
        acc[i][1] = _mm256_fmadd_ps(b, v1, acc[i][1]);
        acc[i][2] = _mm256_fmadd_ps(b, v2, acc[i][2]);
        acc[i][3] = _mm256_fmadd_ps(b, v3, acc[i][3]);
      }
    }
    for (int i = 0; i < kQ; ++i) {
      for (int w = 0; w < 4; ++w) _mm256_store_ps(o + i * kMaxHd + d0 + 8 * w, acc[i][w]);
    }
  }
  for (; d0 < hd; d0 += 8) {
    __m256 acc[kQ];
    for (int i = 0; i < kQ; ++i) {
      acc[i] = _mm256_mul_ps(_mm256_load_ps(o + i * kMaxHd + d0), _mm256_broadcast_ss(corr + i));
    }
    for (int j = 0; j < nk; ++j) {
      const __m256 vj = _mm256_loadu_ps(v + int64_t{j} * hd + d0);
      for (int i = 0; i < kQ; ++i) {
        acc[i] = _mm256_fmadd_ps(_mm256_broadcast_ss(p + i * kChunk + j), vj, acc[i]);
      }
    }
    for (int i = 0; i < kQ; ++i) _mm256_store_ps(o + i * kMaxHd + d0, acc[i]);
  }
}

// Scratch of one pass: pre-scaled queries, output accumulators, softmax state.
struct Pass {
  alignas(32) float qs[kMaxQ * kMaxHd];
  alignas(32) float o[kMaxQ * kMaxHd];
  alignas(32) float s[kMaxQ * kChunk];  // scores, then probabilities
  alignas(32) float kt[kMaxHd * kChunk];
  alignas(32) float vf[kChunk * kMaxHd];
  float m[kMaxQ], l[kMaxQ], corr[kMaxQ];
  int32_t limit[kMaxQ];  // last visible position of each query
  float* out[kMaxQ];
};

// Online-softmax update of query i with the chunk's scores; keys at positions pos0 + j, j < nk.
inline void softmax_update(Pass& ps, int i, int32_t pos0, int nk) {
  const __m256i lane0 = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i lane1 = _mm256_add_epi32(lane0, _mm256_set1_epi32(8));
  // Visible: j < nk and pos0 + j <= limit, i.e. j < min(nk, limit - pos0 + 1).
  const int32_t vis = nk < ps.limit[i] - pos0 + 1 ? nk : ps.limit[i] - pos0 + 1;
  const __m256i n = _mm256_set1_epi32(vis);
  const __m256 ok0 = _mm256_castsi256_ps(_mm256_cmpgt_epi32(n, lane0));
  const __m256 ok1 = _mm256_castsi256_ps(_mm256_cmpgt_epi32(n, lane1));
  float* s = ps.s + i * kChunk;
  if (vis <= 0) {  // nothing visible in this chunk for this query
    _mm256_store_ps(s, _mm256_setzero_ps());
    _mm256_store_ps(s + 8, _mm256_setzero_ps());
    ps.corr[i] = 1.0f;
    return;
  }
  const __m256 ninf = _mm256_set1_ps(-INFINITY);
  const __m256 s0 = _mm256_blendv_ps(ninf, _mm256_load_ps(s), ok0);
  const __m256 s1 = _mm256_blendv_ps(ninf, _mm256_load_ps(s + 8), ok1);
  const float m_new = fmaxf(ps.m[i], hmax(_mm256_max_ps(s0, s1)));
  const __m256 mv = _mm256_set1_ps(m_new);
  const __m256 p0 = _mm256_and_ps(exp(_mm256_sub_ps(s0, mv)), ok0);
  const __m256 p1 = _mm256_and_ps(exp(_mm256_sub_ps(s1, mv)), ok1);
  _mm256_store_ps(s, p0);
  _mm256_store_ps(s + 8, p1);
  const float corr = expf(ps.m[i] - m_new);  // 0 on the first visible chunk (m = -inf)
  ps.corr[i] = corr;
  ps.l[i] = ps.l[i] * corr + hsum(_mm256_add_ps(p0, p1));
  ps.m[i] = m_new;
}

// Scores of all nq queries of the pass against one chunk.
template <typename L>
inline void all_scores(Pass& ps, int nq, const typename L::T* kt, int64_t stride, int hd) {
  int i = 0;
  for (; i + 4 <= nq; i += 4) scores<4, L>(ps.qs + i * kMaxHd, kt, stride, hd, ps.s + i * kChunk);
  for (; i < nq; ++i) scores<1, L>(ps.qs + i * kMaxHd, kt, stride, hd, ps.s + i * kChunk);
}

void run_pass(const AttnTile& t, Pass& ps, int nq) {
  const PagedKv& kv = t.kv;
  const int hd = kv.head_dim, bs = kv.block_size;
  const int64_t n_keys = attention_simd::pass_keys(ps, nq);
  attention_simd::for_each_key_chunk<kChunk>(
      t, n_keys, [&](int64_t pos0, int nk, const char* kp, const char* vp) {
        const float* v = reinterpret_cast<const float*>(vp);
        if (kv.type != FloatType::kF32) {
          for (int j = 0; j < nk; ++j) {
            for (int d = 0; d < hd; d += 8) {
              _mm256_store_ps(ps.vf + j * hd + d, load8(vp, kv.type, int64_t{j} * hd + d));
            }
          }
          v = ps.vf;
        }
        if (nk == kChunk && (kv.type == FloatType::kF32 || nq <= 4)) {
          switch (kv.type) {
            case FloatType::kF32:
              all_scores<KF32>(ps, nq, reinterpret_cast<const float*>(kp), bs, hd);
              break;
            case FloatType::kBF16:
              all_scores<KBf16>(ps, nq, reinterpret_cast<const uint16_t*>(kp), bs, hd);
              break;
            case FloatType::kF16:
              all_scores<KF16>(ps, nq, reinterpret_cast<const uint16_t*>(kp), bs, hd);
              break;
          }
        } else {
          widen_keys(kp, kv.type, bs, hd, nk, ps.kt);
          all_scores<KF32>(ps, nq, ps.kt, kChunk, hd);
        }
        int i = 0;
        for (; i < nq; ++i) softmax_update(ps, i, static_cast<int32_t>(pos0), nk);
        for (i = 0; i + 2 <= nq; i += 2) {
          accumulate_pv<2>(ps.s + i * kChunk, ps.corr + i, v, hd, nk, ps.o + i * kMaxHd);
        }
        if (i < nq) accumulate_pv<1>(ps.s + i * kChunk, ps.corr + i, v, hd, nk, ps.o + i * kMaxHd);
      });
  for (int i = 0; i < nq; ++i) {
    const __m256 inv = _mm256_set1_ps(1.0f / ps.l[i]);
    for (int d = 0; d < hd; d += 8) {
      _mm256_storeu_ps(ps.out[i] + d, _mm256_mul_ps(_mm256_load_ps(ps.o + i * kMaxHd + d), inv));
    }
  }
}

}  // namespace

void attend(const AttnTile& t) {
  const int hd = t.kv.head_dim;
  if (hd % 8 != 0 || hd > kMaxHd || t.kv.block_size > 1024) return generic::attend(t);
  Pass ps;  // ~100 KiB of stack, uninitialised
  attention_simd::for_each_pass<kMaxQ, kMaxHd>(t, ps, [&](Pass& p, int nq) { run_pass(t, p, nq); });
}

}  // namespace infermark::cpu::avx2
