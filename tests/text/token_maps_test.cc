// The flat hash maps: every inserted key is found with its value through several growths,
// absent keys are not, duplicates are refused, and keys that differ only in length or a late
// byte are kept apart.
#include "text/token_maps.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace infermark::text {
namespace {

TEST(BytesToIdMap, InsertAndFindManyKeys) {
  std::mt19937 rng(1);
  std::set<std::string> keys;
  while (keys.size() < 50000) {
    std::string k(std::uniform_int_distribution<int>(1, 24)(rng), '\0');
    for (char& c : k) c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    keys.insert(k);
  }
  BytesToIdMap map;
  int32_t id = 0;
  for (const auto& k : keys) ASSERT_TRUE(map.insert(k, id++));
  EXPECT_EQ(map.size(), keys.size());
  id = 0;
  for (const auto& k : keys) ASSERT_EQ(map.find(k), id++);
  for (const auto& k : keys) EXPECT_FALSE(map.insert(k, -5));
  EXPECT_EQ(map.find(std::string(25, 'x')), -1);
}

TEST(BytesToIdMap, SimilarKeysStayApart) {
  BytesToIdMap map;
  EXPECT_EQ(map.find("a"), -1);  // empty map
  ASSERT_TRUE(map.insert(std::string_view("a\0", 2), 1));
  ASSERT_TRUE(map.insert("a", 2));
  ASSERT_TRUE(map.insert("abcdefgh1", 3));
  ASSERT_TRUE(map.insert("abcdefgh2", 4));
  EXPECT_EQ(map.find(std::string_view("a\0", 2)), 1);
  EXPECT_EQ(map.find("a"), 2);
  EXPECT_EQ(map.find("abcdefgh1"), 3);
  EXPECT_EQ(map.find("abcdefgh2"), 4);
  EXPECT_EQ(map.find("abcdefgh"), -1);
  EXPECT_EQ(map.find(""), -1);
}

TEST(PairToMergeMap, InsertAndFind) {
  PairToMergeMap map;
  EXPECT_EQ(map.find(1, 2), nullptr);
  for (int32_t i = 0; i < 100000; ++i) ASSERT_TRUE(map.insert(i, i * 7 % 1000, {i, i + 1}));
  EXPECT_FALSE(map.insert(5, 35, {0, 0}));
  for (int32_t i = 0; i < 100000; ++i) {
    const Merge* m = map.find(i, i * 7 % 1000);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->rank, i);
    EXPECT_EQ(m->merged, i + 1);
  }
  EXPECT_EQ(map.find(2, 1), nullptr);
  EXPECT_EQ(map.find(0, 1), nullptr);
}

}  // namespace
}  // namespace infermark::text
