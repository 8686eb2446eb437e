// Test helpers that run model::Llama: random prompts, a Runner owning a backend, workspace and
// paged KV cache for one model, and small comparisons of logit rows.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

#include "model/llama.h"
#include "model/llama_reference.h"
#include "ops/cpu_backend.h"

namespace infermark::model::testing {

inline std::vector<int32_t> random_tokens(size_t n, int64_t vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> d(0, static_cast<int32_t>(vocab - 1));
  std::vector<int32_t> v(n);
  for (int32_t& t : v) t = d(rng);
  return v;
}

// Max |a - b| over a row, and the reference's largest magnitude.
inline std::pair<double, double> row_error(const float* a, const std::vector<double>& b) {
  double err = 0, scale = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    err = std::max(err, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return {err, scale};
}

// One model, one workspace, one cache with a block table per sequence (blocks assigned in
// order: sequence s owns blocks [s * per_seq, (s + 1) * per_seq)).
class Runner {
 public:
  Runner(const Llama& model, int block_size, int max_seqs = 4, int64_t max_ctx = 256,
         ops::DType kv_dtype = ops::DType::kF32)
      : model_(model),
        backend_(2),
        ws_(model.config(), backend_, max_ctx, max_ctx),
        per_seq_((max_ctx + block_size - 1) / block_size),
        kv_(model.config(), per_seq_ * max_seqs, block_size, kv_dtype),
        tables_(static_cast<size_t>(per_seq_ * max_seqs)) {
    std::iota(tables_.begin(), tables_.end(), 0);
  }

  // One step: sequence `seqs[i]` gets chunks[i] at position p0[i]; logits of every row if
  // all_rows, else of each chunk's last row. Returns the logits rows.
  std::vector<std::vector<float>> step(const std::vector<int>& seqs,
                                       const std::vector<std::vector<int32_t>>& chunks,
                                       const std::vector<int32_t>& p0, bool all_rows,
                                       ForwardDump* dump = nullptr) {
    std::vector<int32_t> tokens, q_start{0}, rows, tables;
    for (size_t i = 0; i < chunks.size(); ++i) {
      tokens.insert(tokens.end(), chunks[i].begin(), chunks[i].end());
      q_start.push_back(static_cast<int32_t>(tokens.size()));
      for (int32_t r = all_rows ? q_start[i] : q_start[i + 1] - 1; r < q_start[i + 1]; ++r)
        rows.push_back(r);
      tables.insert(tables.end(), tables_.begin() + seqs[i] * per_seq_,
                    tables_.begin() + (seqs[i] + 1) * per_seq_);
    }
    ForwardBatch b;
    b.tokens = tokens, b.logit_rows = rows;
    b.seqs.q_start = q_start, b.seqs.p0 = p0;
    b.seqs.block_tables = tables.data(), b.seqs.block_table_stride = per_seq_;
    model_.forward(backend_, b, kv_.layers(), ws_, dump);
    const ops::TensorView l = ws_.logits(static_cast<int64_t>(rows.size()));
    std::vector<std::vector<float>> out;
    for (size_t r = 0; r < rows.size(); ++r)
      out.emplace_back(l.as<float>() + r * l.ld(), l.as<float>() + r * l.ld() + l.dim(1));
    return out;
  }

 private:
  const Llama& model_;
  ops::CpuBackend backend_;
  LlamaWorkspace ws_;
  int64_t per_seq_;
  TestKvCache kv_;
  std::vector<int32_t> tables_;
};

inline int32_t argmax(const std::vector<float>& v) {
  return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

inline std::unique_ptr<Llama> load(const std::filesystem::path& dir,
                                   const LoadOptions& options = {}) {
  ops::CpuBackend backend(2);
  return Llama::load(dir, backend, options);
}


}  // namespace infermark::model::testing
