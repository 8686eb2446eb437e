// LoadGen's random-number primitives, written out so that every sequence is bit-identical to
// LoadGen built against libstdc++ (GCC >= 11) on any compiler and standard library
// (loadgen-behaviour.md §4): the 32-bit Mersenne Twister, uniform_int_distribution (Lemire's
// method), std::shuffle (two positions per draw when possible), generate_canonical<double, 53>
// and the exponential distribution.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <utility>

namespace infermark::loadgen {

// std::mt19937. Seeding with a 64-bit value keeps only its low 32 bits, as std::mt19937 does.
class Mt19937 {
 public:
  static constexpr uint32_t kDefaultSeed = 5489u;
  explicit Mt19937(uint64_t seed = kDefaultSeed);
  uint32_t operator()();

 private:
  void twist();
  std::array<uint32_t, 624> state_;
  size_t index_ = 624;
};

// uniform_int_distribution<T>{a, b}(g) for a <= b, computed in 64-bit unsigned arithmetic.
uint64_t uniform_int(Mt19937& g, uint64_t a, uint64_t b);

// generate_canonical<double, 53>(g): two draws, in [0, 1).
double generate_canonical(Mt19937& g);

// exponential_distribution<double>(lambda)(g) = -log(1 - u) / lambda.
double exponential(Mt19937& g, double lambda);

// std::shuffle(v.begin(), v.end(), g).
template <typename T>
void shuffle(std::span<T> v, Mt19937& g) {
  const uint64_t n = v.size();
  if (n == 0) return;
  if (0xFFFFFFFFull / n >= n) {
    uint64_t i = 1;
    if (n % 2 == 0) {
      std::swap(v[1], v[uniform_int(g, 0, 1)]);
      i = 2;
    }
    while (i != n) {
      const uint64_t r = i + 1;
      const uint64_t x = uniform_int(g, 0, r * (r + 1) - 1);
      std::swap(v[i], v[x / (r + 1)]);
      std::swap(v[i + 1], v[x % (r + 1)]);
      i += 2;
    }
  } else {
    for (uint64_t i = 1; i < n; ++i) std::swap(v[i], v[uniform_int(g, 0, i)]);
  }
}

// duration_cast<nanoseconds>(duration<double>(seconds)): truncation toward zero.
inline int64_t seconds_to_ns(double seconds) { return static_cast<int64_t>(seconds * 1e9); }

}  // namespace infermark::loadgen
