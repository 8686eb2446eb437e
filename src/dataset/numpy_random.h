// NumPy's `np.random.default_rng(seed).permutation(n)`, reimplemented bit for bit: the generator
// behind Hugging Face datasets' `Dataset.shuffle(seed=...)`, and so behind MLPerf's 5,000-sample
// edge set (`dataset.shuffle(seed=42).flatten_indices().take(5000)`, mlperf-llama31-8b.md §1.2).
//
// The pieces, as NumPy >= 1.17 has them (numpy/random/bit_generator.pyx, _pcg64.pyx,
// src/pcg64/pcg64.h, _generator.pyx, src/distributions/distributions.c):
//   - SeedSequence(entropy): the integer split into 32-bit words (lowest first), hashed into a
//     4-word pool; generate_state() hashes the pool out again.
//   - PCG64: a 128-bit LCG seeded with pcg_setseq_128_srandom_r from generate_state(4, uint64),
//     each output the XSL-RR of the stepped state. 32-bit draws use the low half of a 64-bit
//     output and buffer the high half for the next 32-bit draw.
//   - Generator.shuffle (the 1-d fast path that permutation(int) takes): Fisher-Yates from the last
//     index down, each j from random_interval(i): rejection sampling with the smallest all-ones
//     mask >= i, drawing 32 bits while i < 2^32 and 64 bits above. (NumPy's Lemire
//     bounded-integer routine serves choice/integers, not shuffle.)
//
// Everything here is deterministic, allocation-free except permutation()'s result, and
// thread-compatible (one generator per thread). Cost: one 128-bit multiply per 64-bit output.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace infermark::dataset {

// The 128-bit integer PCG64's state lives in (a GCC/Clang extension, as in NumPy's own build).
__extension__ typedef unsigned __int128 Uint128;

// numpy.random.SeedSequence(entropy) for a non-negative integer entropy below 2^64, with no
// spawn key and the default pool size of 4.
class SeedSequence {
 public:
  explicit SeedSequence(uint64_t entropy);
  // generate_state(4, np.uint64): the words PCG64 is seeded from.
  std::array<uint64_t, 4> generate_state_u64x4() const;
  const std::array<uint32_t, 4>& pool() const { return pool_; }

 private:
  std::array<uint32_t, 4> pool_{};
};

// numpy.random.PCG64 (not PCG64DXSM), seeded as PCG64(seed) is.
class Pcg64 {
 public:
  explicit Pcg64(uint64_t seed) : Pcg64(SeedSequence(seed)) {}
  explicit Pcg64(const SeedSequence& seed);

  // The bit generator's next_uint64 / next_uint32.
  uint64_t next64();
  uint32_t next32();

 private:
  Uint128 state_ = 0;
  Uint128 inc_ = 0;
  bool has_uint32_ = false;
  uint32_t uinteger_ = 0;
};

// distributions.c random_interval: a uniform integer in [0, max].
uint64_t random_interval(Pcg64& rng, uint64_t max);

// np.random.default_rng(seed).permutation(n): the shuffled indices 0..n-1.
std::vector<uint64_t> numpy_permutation(uint64_t n, uint64_t seed);

}  // namespace infermark::dataset
