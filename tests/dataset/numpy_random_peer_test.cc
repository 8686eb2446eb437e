// Peer test: numpy_permutation(n, seed) equals NumPy's np.random.default_rng(seed).permutation(n)
// (Debian python3-numpy, run through tests/dataset/peers/numpy_permutation.py) for sizes from 0
// to a million, the edge set's 13,368 among them, and seeds of one and two 32-bit words. Fails
// (never skips) when python3 or NumPy is missing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "accuracy/python_peer.h"
#include "dataset/numpy_random.h"

namespace infermark::dataset {
namespace {

namespace peer = accuracy::testing;

TEST(NumpyRandomPeerTest, PermutationEqualsNumpyOverSizesAndSeeds) {
  const std::vector<uint64_t> sizes = {0,   1,    2,    3,     10,    255,    256,
                                       257, 1000, 4097, 13368, 65537, 1000003};
  const std::vector<uint64_t> seeds = {
      0, 1, 42, 4294967295ull, 4294967296ull, 12345678901234567890ull};
  std::string args;
  size_t pairs = 0;
  for (uint64_t n : sizes) {
    for (uint64_t seed : seeds) {
      if (n > 100000 && seed != 42) continue;  // one big case keeps the output small
      args += fmt::format(" {}:{}", n, seed);
      ++pairs;
    }
  }
  const std::string out = peer::run_python(
      peer::source_dir() / "tests" / "dataset" / "peers" / "numpy_permutation.py", args);
  std::istringstream lines(out);
  size_t checked = 0;
  for (std::string line; std::getline(lines, line); ++checked) {
    std::istringstream fields(line);
    uint64_t n = 0, seed = 0;
    fields >> n >> seed;
    std::vector<uint64_t> numpy(n);
    for (uint64_t& v : numpy) fields >> v;
    ASSERT_FALSE(fields.fail()) << "bad peer line for n=" << n;
    const std::vector<uint64_t> ours = numpy_permutation(n, seed);
    const auto diff = std::mismatch(ours.begin(), ours.end(), numpy.begin());
    EXPECT_TRUE(diff.first == ours.end())
        << "n=" << n << " seed=" << seed << ": first difference at index "
        << (diff.first - ours.begin()) << " (ours " << *diff.first << ", NumPy " << *diff.second
        << ")";
  }
  EXPECT_EQ(checked, pairs);
}

}  // namespace
}  // namespace infermark::dataset
