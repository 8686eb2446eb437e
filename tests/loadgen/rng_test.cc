// The RNG primitives against libstdc++'s own std::mt19937 / uniform_int_distribution / shuffle /
// generate_canonical / exponential_distribution (the peer LoadGen is built with), and against the
// fixed values in loadgen-behaviour.md §4.
#include "loadgen/rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace infermark::loadgen {
namespace {

TEST(Mt19937Test, TenThousandthOutputOfDefaultSeed) {
  Mt19937 g;
  uint32_t v = 0;
  for (int i = 0; i < 10000; ++i) v = g();
  EXPECT_EQ(v, 4123659995u);
}

TEST(Mt19937Test, KeepsLowThirtyTwoBitsOfSeed) {
  Mt19937 a(2085463073848966840ull), b(3438689976ull);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a(), b());
}

TEST(Mt19937Test, MatchesStdMt19937ForManySeeds) {
  for (uint64_t seed : {0ull, 1ull, 5489ull, 2747215439041700203ull, 16159082839903944936ull}) {
    Mt19937 ours(seed);
    std::mt19937 theirs(static_cast<std::mt19937::result_type>(seed));
    for (int i = 0; i < 5000; ++i) ASSERT_EQ(ours(), theirs()) << "seed " << seed << " i " << i;
  }
}

TEST(UniformIntTest, MatchesLibstdcxxForSmallAndFullRanges) {
  Mt19937 ours(42);
  std::mt19937 theirs(42);
  const std::vector<std::pair<uint64_t, uint64_t>> ranges = {
      {0, 1}, {0, 2}, {0, 255}, {3, 1000}, {0, 13367}, {0, 4294967294ull}, {0, 4294967295ull},
      {0, 1ull << 40}, {7, (1ull << 33) + 5}};
  for (int round = 0; round < 200; ++round) {
    for (auto [a, b] : ranges) {
      std::uniform_int_distribution<uint64_t> d(a, b);
      ASSERT_EQ(uniform_int(ours, a, b), d(theirs)) << a << ".." << b;
    }
  }
}

TEST(ShuffleTest, MatchesStdShuffleForOddEvenAndLargeSizes) {
  for (size_t n : {0, 1, 2, 3, 4, 255, 256, 1000, 13368, 65535, 65536, 70001}) {
    std::vector<uint64_t> a(n), b(n);
    std::iota(a.begin(), a.end(), 0);
    std::iota(b.begin(), b.end(), 0);
    Mt19937 ours(n + 7);
    std::mt19937 theirs(static_cast<uint32_t>(n + 7));
    shuffle(std::span<uint64_t>(a), ours);
    std::shuffle(b.begin(), b.end(), theirs);
    ASSERT_EQ(a, b) << "n=" << n;
    ASSERT_EQ(ours(), theirs()) << "RNG consumption differs for n=" << n;
  }
}

TEST(CanonicalTest, MatchesGenerateCanonicalAndDistributions) {
  Mt19937 ours(99);
  std::mt19937 theirs(99);
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(generate_canonical(ours), (std::generate_canonical<double, 53>(theirs)));
  }
  std::exponential_distribution<double> exp(1000.0);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(exponential(ours, 1000.0), exp(theirs));
    ASSERT_EQ(generate_canonical(ours), uni(theirs));
  }
}

TEST(SecondsToNsTest, TruncatesTowardZero) {
  EXPECT_EQ(seconds_to_ns(0.0018436549), 1843654);
  EXPECT_EQ(seconds_to_ns(1e-9 * 0.999), 0);
  EXPECT_EQ(seconds_to_ns(2.5), 2500000000);
}

}  // namespace
}  // namespace infermark::loadgen
