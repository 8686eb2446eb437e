// The BPE merge loop on small hand-made models: lowest rank first, leftmost among equal ranks,
// re-queued neighbour pairs, ignore_merges, and stable results through the per-thread cache.
#include "text/bpe.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

namespace infermark::text {
namespace {

using Ids = std::vector<int32_t>;

// Byte b has id b; further tokens get ids from 256 on.
class TinyModel {
 public:
  TinyModel() {
    for (int b = 0; b < 256; ++b) model_.add_token(std::string(1, static_cast<char>(b)), b);
  }
  int32_t add(const std::string& token) {
    const int32_t id = next_++;
    EXPECT_TRUE(model_.add_token(token, id));
    ids_[token] = id;
    return id;
  }
  int32_t id(const std::string& token) const {
    if (token.size() == 1) return static_cast<uint8_t>(token[0]);
    return ids_.at(token);
  }
  void merge(const std::string& left, const std::string& right) {
    EXPECT_TRUE(model_.add_merge(id(left), id(right), id(left + right)));
  }
  Ids encode(std::string_view piece) const {
    Ids out;
    model_.encode_piece(piece, out);
    return out;
  }
  BpeModel& model() { return model_; }

 private:
  BpeModel model_;
  std::map<std::string, int32_t> ids_;
  int32_t next_ = 256;
};

TEST(Bpe, LowestRankMergesFirst) {
  TinyModel m;
  m.add("bc");
  m.add("ab");
  m.add("abc");
  m.merge("b", "c");  // rank 0
  m.merge("a", "b");  // rank 1
  m.merge("a", "bc");
  EXPECT_EQ(m.encode("abc"), Ids{m.id("abc")});
  EXPECT_EQ(m.encode("abab"), (Ids{m.id("ab"), m.id("ab")}));
  EXPECT_EQ(m.encode("cab"), (Ids{'c', m.id("ab")}));
}

TEST(Bpe, RankOrderChangesTheResult) {
  TinyModel m;
  m.add("ab");
  m.add("bc");
  m.add("abc");
  m.merge("a", "b");  // rank 0: wins over b+c
  m.merge("b", "c");
  m.merge("a", "bc");  // never reachable once a+b merged
  EXPECT_EQ(m.encode("abc"), (Ids{m.id("ab"), 'c'}));
}

TEST(Bpe, EqualRanksMergeLeftmostFirst) {
  TinyModel m;
  m.add("aa");
  m.merge("a", "a");
  EXPECT_EQ(m.encode("aaa"), (Ids{m.id("aa"), 'a'}));
  EXPECT_EQ(m.encode("aaaaa"), (Ids{m.id("aa"), m.id("aa"), 'a'}));
}

TEST(Bpe, NewPairsAfterAMergeAreConsidered) {
  TinyModel m;
  m.add("ab");
  m.add("abab");
  m.add("xab");
  m.merge("a", "b");
  m.merge("ab", "ab");
  m.merge("x", "ab");
  EXPECT_EQ(m.encode("abab"), Ids{m.id("abab")});
  // a+b merges both pairs first (rank 0), then ab+ab (rank 1) beats x+ab (rank 2).
  EXPECT_EQ(m.encode("xabab"), (Ids{'x', m.id("abab")}));
}

TEST(Bpe, IgnoreMergesTakesWholeVocabEntries) {
  TinyModel m;
  m.add("xyz");  // in the vocab, but no merges lead to it
  EXPECT_EQ(m.encode("xyz"), (Ids{'x', 'y', 'z'}));
  m.model().set_ignore_merges(true);
  EXPECT_EQ(m.encode("xyz"), Ids{m.id("xyz")});
  EXPECT_EQ(m.encode("xyzz"), (Ids{'x', 'y', 'z', 'z'}));
}

TEST(Bpe, DuplicatesAreRefused) {
  TinyModel m;
  m.add("ab");
  EXPECT_FALSE(m.model().add_token("ab", 999));
  m.merge("a", "b");
  EXPECT_FALSE(m.model().add_merge('a', 'b', m.id("ab")));
  EXPECT_EQ(m.model().merge_count(), 1u);
}

TEST(Bpe, MissingByteIsReported) {
  BpeModel model;
  for (int b = 0; b < 256; ++b) {
    if (b != 0x41) model.add_token(std::string(1, static_cast<char>(b)), b);
  }
  EXPECT_EQ(model.missing_byte(), 0x41);
}

TEST(Bpe, CacheGivesStableResultsAcrossThreadsAndModels) {
  TinyModel m1;
  m1.add("ab");
  m1.merge("a", "b");
  TinyModel m2;  // same pieces, no merges: a per-thread cache must not leak m1's results
  const std::string piece = "abab";
  const Ids r1 = m1.encode(piece);
  EXPECT_EQ(m1.encode(piece), r1);
  EXPECT_EQ(m2.encode(piece), (Ids{'a', 'b', 'a', 'b'}));
  EXPECT_EQ(m1.encode(piece), r1);
  Ids from_thread;
  std::thread([&] { from_thread = m1.encode(piece); }).join();
  EXPECT_EQ(from_thread, r1);
}

TEST(Bpe, LongPieceWithoutMerges) {
  TinyModel m;
  m.add("ab");
  m.merge("a", "b");
  std::string piece;
  for (int i = 0; i < 5000; ++i) piece += "ab";
  const Ids ids = m.encode(piece);
  ASSERT_EQ(ids.size(), 5000u);
  for (int32_t id : ids) ASSERT_EQ(id, m.id("ab"));
}

}  // namespace
}  // namespace infermark::text
