// ops::kv_write + ops::attention against a float64 dense causal attention, per ISA variant:
// mixed batches of prefill chunks (p0 = 0 and p0 > 0) and decode tokens, GQA groups 1/4/8,
// head dims 6..128 (several query passes per item), block sizes 1..32, shuffled block tables,
// f32/bf16/f16 caches.
#include "ops/attention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "ops/op_test_util.h"

namespace infermark::ops {
namespace {

using testing::kEpsF32;
using testing::random_floats;

struct Seq {
  int32_t p0;
  int32_t n_q;
};

struct Case {
  int n_heads, n_kv_heads, head_dim, block_size;
  DType dtype;
  std::vector<Seq> seqs;
};

double round_to(DType dt, float v) {
  switch (dt) {
    case DType::kBF16:
      return cpu::bf16_to_f32(cpu::f32_to_bf16(v));
    case DType::kF16:
      return cpu::f16_to_f32(cpu::f32_to_f16(v));
    default:
      return v;
  }
}

void run_case(Backend& backend, const Case& c, uint32_t seed) {
  const int n_seqs = static_cast<int>(c.seqs.size());
  const int64_t kvw = int64_t{c.n_kv_heads} * c.head_dim, qw = int64_t{c.n_heads} * c.head_dim;
  // Block tables over a shuffled pool of blocks.
  int64_t max_blocks = 0, total_blocks = 0;
  for (const Seq& s : c.seqs) {
    const int64_t nb = (s.p0 + s.n_q + c.block_size - 1) / c.block_size;
    max_blocks = std::max(max_blocks, nb);
    total_blocks += nb;
  }
  total_blocks += 3;  // unused blocks too
  std::vector<int32_t> ids(static_cast<size_t>(total_blocks));
  std::iota(ids.begin(), ids.end(), 0);
  std::shuffle(ids.begin(), ids.end(), std::mt19937(seed));
  std::vector<int32_t> tables(static_cast<size_t>(n_seqs * std::max<int64_t>(max_blocks, 1)), -1);
  size_t next = 0;
  for (int s = 0; s < n_seqs; ++s) {
    const int64_t nb = (c.seqs[s].p0 + c.seqs[s].n_q + c.block_size - 1) / c.block_size;
    for (int64_t b = 0; b < nb; ++b) tables[static_cast<size_t>(s * max_blocks + b)] = ids[next++];
  }
  const size_t block_elems = static_cast<size_t>(c.block_size) * static_cast<size_t>(kvw);
  std::vector<float> kbuf(static_cast<size_t>(total_blocks) * block_elems), vbuf(kbuf.size());
  PagedKvLayer cache{kbuf.data(),  vbuf.data(),  c.dtype,      Device::kCpu,
                     total_blocks, c.block_size, c.n_kv_heads, c.head_dim};

  // Per sequence: keys/values of every position, queries of the step's rows.
  std::vector<std::vector<float>> keys(static_cast<size_t>(n_seqs)), vals(keys.size());
  for (int s = 0; s < n_seqs; ++s) {
    const size_t n = static_cast<size_t>((c.seqs[s].p0 + c.seqs[s].n_q) * kvw);
    keys[static_cast<size_t>(s)] = random_floats(n, -1, 1, seed + 10 + static_cast<uint32_t>(s));
    vals[static_cast<size_t>(s)] = random_floats(n, -1, 1, seed + 500 + static_cast<uint32_t>(s));
  }
  // Step 1: the cached history (p0 tokens per sequence) written as one chunk from position 0.
  // Step 2: this step's rows at positions p0.. ; then attention.
  for (int step = 0; step < 2; ++step) {
    std::vector<int32_t> q_start{0}, p0;
    std::vector<float> k_rows, v_rows;
    for (int s = 0; s < n_seqs; ++s) {
      const Seq& sq = c.seqs[static_cast<size_t>(s)];
      const int32_t first = step == 0 ? 0 : sq.p0, count = step == 0 ? sq.p0 : sq.n_q;
      p0.push_back(first);
      q_start.push_back(q_start.back() + count);
      const auto& ks = keys[static_cast<size_t>(s)];
      const auto& vs = vals[static_cast<size_t>(s)];
      k_rows.insert(k_rows.end(), ks.begin() + first * kvw, ks.begin() + (first + count) * kvw);
      v_rows.insert(v_rows.end(), vs.begin() + first * kvw, vs.begin() + (first + count) * kvw);
    }
    const int64_t rows = q_start.back();
    AttentionBatch batch{q_start, p0, tables.data(), max_blocks};
    kv_write(backend, cache, batch, TensorView::of(k_rows.data(), DType::kF32, {rows, kvw}),
             TensorView::of(v_rows.data(), DType::kF32, {rows, kvw}));
    if (step == 0) continue;

    const int64_t ldq = qw + 4;  // strided q rows
    const auto q = random_floats(static_cast<size_t>(rows * ldq), -1, 1, seed + 999);
    std::vector<float> out(static_cast<size_t>(rows * qw), NAN);
    attention(backend, cache, batch,
              TensorView::of(q.data(), DType::kF32, {rows, ldq}).slice(1, 0, qw), c.n_heads,
              TensorView::of(out.data(), DType::kF32, {rows, qw}));

    const int group = c.n_heads / c.n_kv_heads;
    const double scale = 1.0 / std::sqrt(static_cast<double>(c.head_dim));
    for (int s = 0; s < n_seqs; ++s) {
      const auto& ks = keys[static_cast<size_t>(s)];
      const auto& vs = vals[static_cast<size_t>(s)];
      for (int32_t i = 0; i < c.seqs[static_cast<size_t>(s)].n_q; ++i) {
        const int64_t row = q_start[static_cast<size_t>(s)] + i;
        const int64_t pos = c.seqs[static_cast<size_t>(s)].p0 + i;
        for (int h = 0; h < c.n_heads; ++h) {
          const int g = h / group;
          std::vector<double> sc(static_cast<size_t>(pos + 1));
          double mx = -INFINITY, abs_qk = 0;
          for (int64_t j = 0; j <= pos; ++j) {
            double dot = 0;
            for (int d = 0; d < c.head_dim; ++d) {
              const double kd =
                  round_to(c.dtype, ks[static_cast<size_t>(j * kvw + g * c.head_dim + d)]);
              const double qd = q[static_cast<size_t>(row * ldq + h * c.head_dim + d)];
              dot += qd * kd;
              abs_qk = std::max(abs_qk, std::abs(qd * kd));
            }
            sc[static_cast<size_t>(j)] = dot * scale;
            mx = std::max(mx, sc[static_cast<size_t>(j)]);
          }
          double sum = 0;
          for (double& v : sc) sum += (v = std::exp(v - mx));
          // Error budget: score error ~ head_dim * u * sum|q k| * scale, which perturbs the
          // softmax weights relatively by about as much; values are within [-1, 1].
          const double tol = 8.0 * c.head_dim * kEpsF32 * c.head_dim * abs_qk * scale + 1e-5;
          for (int d = 0; d < c.head_dim; ++d) {
            double ref = 0;
            for (int64_t j = 0; j <= pos; ++j) {
              ref += sc[static_cast<size_t>(j)] *
                     round_to(c.dtype, vs[static_cast<size_t>(j * kvw + g * c.head_dim + d)]);
            }
            ref /= sum;
            ASSERT_NEAR(out[static_cast<size_t>(row * qw + h * c.head_dim + d)], ref, tol)
                << "seq " << s << " row " << i << " head " << h << " d " << d;
          }
        }
      }
    }
  }
}

class AttentionTest : public testing::IsaTest {};

TEST_P(AttentionTest, MixedBatchesMatchFloat64) {
  const std::vector<Seq> mixed = {{0, 13}, {5, 1}, {37, 9}, {0, 1}, {16, 16}, {100, 1}};
  const std::vector<Case> cases = {
      {8, 2, 64, 16, DType::kF32, mixed},
      {4, 4, 8, 1, DType::kF32, mixed},
      {8, 1, 16, 5, DType::kF32, mixed},
      {32, 8, 128, 16, DType::kF32, {{0, 20}, {50, 1}, {7, 3}}},
      {8, 2, 64, 32, DType::kBF16, mixed},
      {8, 2, 48, 16, DType::kBF16, mixed},  // AVX-512: head_dim not a multiple of 64
      {8, 2, 64, 16, DType::kF16, mixed},
      {4, 1, 24, 7, DType::kF16, {{3, 2}, {0, 30}}},
      {4, 2, 6, 4, DType::kF32, mixed},  // head_dim not a multiple of 8: generic fallback
  };
  uint32_t seed = 1;
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.n_heads << "/" << c.n_kv_heads << " hd " << c.head_dim
                                      << " bs " << c.block_size << " " << dtype_name(c.dtype));
    run_case(backend_, c, seed += 100);
  }
}

TEST_P(AttentionTest, LongContextDecode) {
  run_case(backend_, {8, 2, 64, 16, DType::kBF16, {{3000, 1}, {1500, 1}}}, 7);
  run_case(backend_, {8, 2, 64, 16, DType::kF32, {{700, 40}}}, 8);
}

TEST_P(AttentionTest, LargeLogitsAreStable) {
  // Queries and keys with |q·k|·scale in the hundreds: the online max keeps exp finite.
  CpuBackend backend(1);
  const int hd = 16;
  std::vector<float> k(2 * hd, 30.0f), v(2 * hd);
  for (int d = 0; d < hd; ++d) {
    v[static_cast<size_t>(d)] = 1.0f;
    v[static_cast<size_t>(hd + d)] = 3.0f;
    k[static_cast<size_t>(hd + d)] = -30.0f;
  }
  std::vector<float> kc(static_cast<size_t>(4 * hd)), vc(kc.size());
  PagedKvLayer cache{kc.data(), vc.data(), DType::kF32, Device::kCpu, 1, 4, 1, hd};
  const int32_t table[] = {0};
  const int32_t q_start[] = {0, 2}, p0[] = {0};
  AttentionBatch batch{q_start, p0, table, 1};
  kv_write(backend, cache, batch, TensorView::of(k.data(), DType::kF32, {2, hd}),
           TensorView::of(v.data(), DType::kF32, {2, hd}));
  std::vector<float> q(2 * hd, 30.0f), out(2 * hd);
  attention(backend, cache, batch, TensorView::of(q.data(), DType::kF32, {2, hd}), 1,
            TensorView::of(out.data(), DType::kF32, {2, hd}));
  for (int d = 0; d < hd; ++d) {
    EXPECT_FLOAT_EQ(out[static_cast<size_t>(d)], 1.0f);       // row 0 sees key 0 only
    EXPECT_FLOAT_EQ(out[static_cast<size_t>(hd + d)], 1.0f);  // key 1 scores -3600 vs +3600
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, AttentionTest, ::testing::ValuesIn(testing::isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace infermark::ops
