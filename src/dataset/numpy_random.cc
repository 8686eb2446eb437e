#include "dataset/numpy_random.h"

#include <cstddef>
#include <numeric>
#include <utility>

namespace infermark::dataset {
namespace {

// bit_generator.pyx's hashing constants.
constexpr uint32_t kInitA = 0x43b0d7e5;
constexpr uint32_t kMultA = 0x931e8875;
constexpr uint32_t kInitB = 0x8b51f9dd;
constexpr uint32_t kMultB = 0x58f38ded;
constexpr uint32_t kMixMultL = 0xca01f9dd;
constexpr uint32_t kMixMultR = 0x4973f715;
constexpr int kXShift = 16;

uint32_t hashmix(uint32_t value, uint32_t& hash_const) {
  value ^= hash_const;
  hash_const *= kMultA;
  value *= hash_const;
  value ^= value >> kXShift;
  return value;
}

uint32_t mix(uint32_t x, uint32_t y) {
  uint32_t result = kMixMultL * x - kMixMultR * y;
  result ^= result >> kXShift;
  return result;
}

// PCG_DEFAULT_MULTIPLIER_128.
constexpr Uint128 kPcgMultiplier =
    (static_cast<Uint128>(2549297995355413924ULL) << 64) | 4865540595714422341ULL;

}  // namespace

SeedSequence::SeedSequence(uint64_t entropy) {
  // _int_to_uint32_array: 32-bit words, lowest first; 0 is one zero word.
  uint32_t words[2] = {static_cast<uint32_t>(entropy), static_cast<uint32_t>(entropy >> 32)};
  const size_t n_words = (entropy >> 32) != 0 ? 2 : 1;

  // mix_entropy with a pool larger than the entropy: no "remaining entropy" pass.
  uint32_t hash_const = kInitA;
  for (size_t i = 0; i < pool_.size(); ++i) {
    pool_[i] = hashmix(i < n_words ? words[i] : 0, hash_const);
  }
  for (size_t src = 0; src < pool_.size(); ++src) {
    for (size_t dst = 0; dst < pool_.size(); ++dst) {
      if (src != dst) pool_[dst] = mix(pool_[dst], hashmix(pool_[src], hash_const));
    }
  }
}

std::array<uint64_t, 4> SeedSequence::generate_state_u64x4() const {
  // generate_state(8 uint32 words), then viewed as little-endian uint64 pairs.
  uint32_t hash_const = kInitB;
  uint32_t words[8];
  for (size_t i = 0; i < 8; ++i) {
    uint32_t v = pool_[i % pool_.size()];
    v ^= hash_const;
    hash_const *= kMultB;
    v *= hash_const;
    v ^= v >> kXShift;
    words[i] = v;
  }
  std::array<uint64_t, 4> out;
  for (size_t i = 0; i < 4; ++i) {
    out[i] = words[2 * i] | (static_cast<uint64_t>(words[2 * i + 1]) << 32);
  }
  return out;
}

Pcg64::Pcg64(const SeedSequence& seed) {
  // pcg64_set_seed(state, &val[0], &val[2]) -> pcg_setseq_128_srandom_r(initstate, initseq).
  const std::array<uint64_t, 4> val = seed.generate_state_u64x4();
  const Uint128 initstate = (static_cast<Uint128>(val[0]) << 64) | val[1];
  const Uint128 initseq = (static_cast<Uint128>(val[2]) << 64) | val[3];
  state_ = 0;
  inc_ = (initseq << 1) | 1;
  state_ = state_ * kPcgMultiplier + inc_;
  state_ += initstate;
  state_ = state_ * kPcgMultiplier + inc_;
}

uint64_t Pcg64::next64() {
  state_ = state_ * kPcgMultiplier + inc_;
  const auto hi = static_cast<uint64_t>(state_ >> 64);
  const auto lo = static_cast<uint64_t>(state_);
  const unsigned rot = static_cast<unsigned>(state_ >> 122);
  const uint64_t x = hi ^ lo;
  return (x >> rot) | (x << ((64 - rot) & 63));
}

uint32_t Pcg64::next32() {
  if (has_uint32_) {
    has_uint32_ = false;
    return uinteger_;
  }
  const uint64_t next = next64();
  has_uint32_ = true;
  uinteger_ = static_cast<uint32_t>(next >> 32);
  return static_cast<uint32_t>(next);
}

uint64_t random_interval(Pcg64& rng, uint64_t max) {
  if (max == 0) return 0;
  uint64_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  mask |= mask >> 32;
  uint64_t value;
  if (max <= 0xffffffffULL) {
    while ((value = (rng.next32() & mask)) > max) {
    }
  } else {
    while ((value = (rng.next64() & mask)) > max) {
    }
  }
  return value;
}

std::vector<uint64_t> numpy_permutation(uint64_t n, uint64_t seed) {
  std::vector<uint64_t> out(n);
  std::iota(out.begin(), out.end(), uint64_t{0});
  Pcg64 rng(seed);
  for (uint64_t i = n; i-- > 1;) {
    std::swap(out[i], out[random_interval(rng, i)]);
  }
  return out;
}

}  // namespace infermark::dataset
