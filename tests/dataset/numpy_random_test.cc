// NumPy's SeedSequence / PCG64 / Generator.permutation reimplementation against values NumPy
// 1.24 printed (np.random.SeedSequence(e).pool, .generate_state(4, np.uint64),
// np.random.PCG64(s).random_raw(k), np.random.default_rng(s).permutation(n)), plus the
// properties the algorithm defines. numpy_random_peer_test runs NumPy itself over more sizes.
#include "dataset/numpy_random.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace infermark::dataset {
namespace {

using ::testing::ElementsAre;

TEST(NumpyRandomTest, SeedSequencePoolAndState) {
  SeedSequence s42(42);
  EXPECT_THAT(s42.pool(), ElementsAre(0x631d3606u, 0x07ae90aeu, 0x6fc4be28u, 0x2ced5c75u));
  EXPECT_THAT(s42.generate_state_u64x4(),
              ElementsAre(0x9f1e2e6dcd540ab7ull, 0xd57873dc79fb94b6ull, 0x7d282a1b64d420b7ull,
                          0x336579714692d5ffull));
  // 0 is one zero word; 2^32 is two words (0, 1); a full 64-bit seed is two words.
  EXPECT_THAT(SeedSequence(0).pool(),
              ElementsAre(0xfe40eb07u, 0x4f363a36u, 0x4eb2009du, 0xc89a7aa7u));
  EXPECT_THAT(SeedSequence(uint64_t{1} << 32).pool(),
              ElementsAre(0xe0f3eff2u, 0xdccd2c4eu, 0x17f18c20u, 0x9b8cb8dbu));
  EXPECT_THAT(SeedSequence(12345678901234567890ull).generate_state_u64x4(),
              ElementsAre(0x3adce17e346514acull, 0x59e9bcc388fa7613ull, 0xf848c11a70fd2314ull,
                          0x2fce4134a50badc2ull));
}

TEST(NumpyRandomTest, Pcg64RawOutputs) {
  Pcg64 a(42);
  EXPECT_EQ(a.next64(), 14276969152011380360ull);
  EXPECT_EQ(a.next64(), 8095878257575067585ull);
  EXPECT_EQ(a.next64(), 15838336090824644132ull);
  Pcg64 b((uint64_t{1} << 40) + 7);
  EXPECT_EQ(b.next64(), 15307346044642009514ull);
  EXPECT_EQ(b.next64(), 4709548916763817589ull);
}

TEST(NumpyRandomTest, Next32UsesLowThenBufferedHighHalf) {
  Pcg64 wide(42), narrow(42);
  const uint64_t first = wide.next64();
  EXPECT_EQ(narrow.next32(), static_cast<uint32_t>(first));
  EXPECT_EQ(narrow.next32(), static_cast<uint32_t>(first >> 32));
  EXPECT_EQ(narrow.next32(), static_cast<uint32_t>(wide.next64()));
}

TEST(NumpyRandomTest, RandomIntervalRejectsAboveMaxUnderTheMask) {
  Pcg64 rng(7), mirror(7);
  EXPECT_EQ(random_interval(rng, 0), 0u);  // draws nothing
  // max = 5: mask 7, 32-bit draws; values 6 and 7 are drawn again.
  for (int i = 0; i < 200; ++i) {
    const uint64_t v = random_interval(rng, 5);
    uint64_t expected;
    while ((expected = mirror.next32() & 7u) > 5) {
    }
    ASSERT_EQ(v, expected) << i;
  }
  // Above 2^32 - 1 the draws are 64-bit.
  const uint64_t max = (uint64_t{1} << 33) + 3;
  const uint64_t mask = (uint64_t{1} << 34) - 1;
  Pcg64 rng64(9), mirror64(9);
  for (int i = 0; i < 200; ++i) {
    const uint64_t v = random_interval(rng64, max);
    uint64_t expected;
    while ((expected = mirror64.next64() & mask) > max) {
    }
    ASSERT_EQ(v, expected) << i;
  }
}

TEST(NumpyRandomTest, PermutationMatchesNumpy) {
  EXPECT_THAT(numpy_permutation(10, 42), ElementsAre(5, 6, 0, 7, 3, 2, 4, 9, 1, 8));
  EXPECT_THAT(numpy_permutation(6, 42), ElementsAre(3, 2, 5, 4, 1, 0));
  EXPECT_THAT(numpy_permutation(20, 12345678901234567890ull),
              ElementsAre(9, 19, 14, 0, 4, 16, 15, 10, 6, 3, 1, 18, 5, 13, 17, 11, 2, 12, 7, 8));
  EXPECT_THAT(numpy_permutation(1, 0), ElementsAre(0));
  EXPECT_TRUE(numpy_permutation(0, 0).empty());
  // The edge set's first indices: default_rng(42).permutation(13368)[:10].
  const std::vector<uint64_t> edge = numpy_permutation(13368, 42);
  EXPECT_THAT(std::vector<uint64_t>(edge.begin(), edge.begin() + 10),
              ElementsAre(1517, 10554, 910, 12519, 158, 8562, 9769, 8270, 7815, 4273));
  std::vector<uint64_t> sorted = edge;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint64_t> identity(13368);
  std::iota(identity.begin(), identity.end(), uint64_t{0});
  EXPECT_EQ(sorted, identity);
}

}  // namespace
}  // namespace infermark::dataset
