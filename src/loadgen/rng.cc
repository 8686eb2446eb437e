#include "loadgen/rng.h"

#include <cmath>
#include <limits>

namespace infermark::loadgen {

Mt19937::Mt19937(uint64_t seed) {
  state_[0] = static_cast<uint32_t>(seed);
  for (uint32_t i = 1; i < 624; ++i) {
    const uint32_t prev = state_[i - 1];
    state_[i] = 1812433253u * (prev ^ (prev >> 30)) + i;
  }
}

void Mt19937::twist() {
  constexpr uint32_t kUpper = 0x80000000u, kLower = 0x7fffffffu, kMatrixA = 0x9908b0dfu;
  for (size_t k = 0; k < 624; ++k) {
    const uint32_t y = (state_[k] & kUpper) | (state_[(k + 1) % 624] & kLower);
    state_[k] = state_[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
  }
  index_ = 0;
}

uint32_t Mt19937::operator()() {
  if (index_ >= 624) twist();
  uint32_t z = state_[index_++];
  z ^= z >> 11;
  z ^= (z << 7) & 0x9d2c5680u;
  z ^= (z << 15) & 0xefc60000u;
  z ^= z >> 18;
  return z;
}

namespace {

// Lemire's nearly-divisionless draw of a value in [0, range), range in [1, 2^32).
uint32_t lemire(Mt19937& g, uint32_t range) {
  uint64_t product = uint64_t{g()} * range;
  uint32_t low = static_cast<uint32_t>(product);
  if (low < range) {
    const uint32_t threshold = static_cast<uint32_t>(-range) % range;
    while (low < threshold) {
      product = uint64_t{g()} * range;
      low = static_cast<uint32_t>(product);
    }
  }
  return static_cast<uint32_t>(product >> 32);
}

}  // namespace

uint64_t uniform_int(Mt19937& g, uint64_t a, uint64_t b) {
  const uint64_t urange = b - a;
  constexpr uint64_t kUrngRange = 0xFFFFFFFFull;
  if (urange < kUrngRange) return a + lemire(g, static_cast<uint32_t>(urange + 1));
  if (urange == kUrngRange) return a + g();
  uint64_t ret, tmp;
  do {
    tmp = (kUrngRange + 1) * uniform_int(g, 0, urange / (kUrngRange + 1));
    ret = tmp + g();
  } while (ret > urange || ret < tmp);
  return a + ret;
}

double generate_canonical(Mt19937& g) {
  const double lo = static_cast<double>(g());
  const double hi = static_cast<double>(g());
  double u = (lo + hi * 4294967296.0) / 18446744073709551616.0;
  if (u >= 1.0) u = std::nextafter(1.0, 0.0);
  return u;
}

double exponential(Mt19937& g, double lambda) {
  return -std::log(1.0 - generate_canonical(g)) / lambda;
}

}  // namespace infermark::loadgen
