// ChoiceStream on the real Llama-3.1 vocabulary: the first id goes out alone and at once, later
// ids in chunks of stream_interval, the finish rides on the last chunk when it comes with the
// last ids; the chunks' text is exactly the decoded output; stop strings cut the text and end
// the choice at the id that completed them; stop_reason names a stop_token_ids match.
#include "server/choice_stream.h"

#include <gtest/gtest.h>

#include "llama3_tokenizer.h"

namespace infermark::server {
namespace {

using text::testing::llama3;

std::vector<TokenId> ids_of(const std::string& s) { return llama3().encode(s, false); }

std::string all_text(const std::vector<Chunk>& chunks) {
  std::string t;
  for (const Chunk& c : chunks) t += c.text;
  return t;
}

TEST(ChoiceStream, FirstIdAloneThenChunksOfTheInterval) {
  ChoiceSettings s;
  s.tokenizer = &llama3();
  s.stream_interval = 3;
  ChoiceStream cs(0, s);
  const std::vector<TokenId> ids = ids_of("The quick brown fox jumps over the lazy dog");
  ASSERT_GE(ids.size(), 8u);
  std::vector<Chunk> out;
  cs.add(std::span(ids).first(1), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].first);
  EXPECT_EQ(out[0].ids_end - out[0].ids_begin, 1u);
  cs.add(std::span(ids).subspan(1, 4), out);  // 4 more: one chunk of 3, one id pending
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].ids_begin, 1u);
  EXPECT_EQ(out[1].ids_end, 4u);
  cs.add(std::span(ids).subspan(5), out, /*ending=*/true);
  cs.end(engine::FinishReason::kLength, out);
  ASSERT_TRUE(out.back().end);
  EXPECT_STREQ(out.back().end->finish_reason, "length");
  EXPECT_EQ(out.back().ids_end, ids.size());
  EXPECT_GT(out.back().ids_end, out.back().ids_begin);  // the finish came with the last ids
  EXPECT_EQ(all_text(out), llama3().decode(ids, {.skip_special_tokens = true}));
  EXPECT_EQ(cs.ids(), ids);
}

TEST(ChoiceStream, SpecialTokensAreInTheIdsButNotTheText) {
  ChoiceSettings s;
  s.tokenizer = &llama3();
  ChoiceStream cs(0, s);
  std::vector<TokenId> ids = ids_of("Paris.");
  ids.push_back(128009);  // <|eot_id|>
  std::vector<Chunk> out;
  cs.add(ids, out, /*ending=*/true);
  cs.end(engine::FinishReason::kStop, out);
  EXPECT_EQ(all_text(out), "Paris.");
  EXPECT_EQ(cs.ids().back(), 128009);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(out.back().end->stop_reason));
}

TEST(ChoiceStream, AStopStringCutsTheTextAndEndsAtTheIdThatCompletedIt) {
  ChoiceSettings s;
  s.tokenizer = &llama3();
  s.stop = {"fox"};
  ChoiceStream cs(0, s);
  const std::vector<TokenId> ids = ids_of("The quick brown fox jumps over the lazy dog");
  std::vector<Chunk> out;
  bool ended = false;
  size_t fed = 0;
  for (; fed < ids.size() && !ended; ++fed) ended = cs.add(std::span(ids).subspan(fed, 1), out);
  ASSERT_TRUE(ended);
  EXPECT_EQ(all_text(out), "The quick brown ");
  EXPECT_EQ(std::get<std::string>(out.back().end->stop_reason), "fox");
  EXPECT_EQ(cs.ids().size(), fed);
  EXPECT_NE(llama3().decode(cs.ids()).find("fox"), std::string::npos);
  EXPECT_EQ(llama3().decode(std::span(cs.ids()).first(fed - 1)).find("fox"), std::string::npos);
  EXPECT_TRUE(cs.add(std::span(ids).subspan(fed), out));  // later ids are ignored
  EXPECT_EQ(cs.ids().size(), fed);
}

TEST(ChoiceStream, MinTokensDelaysStopStrings) {
  ChoiceSettings s;
  s.tokenizer = &llama3();
  s.stop = {"The"};
  s.min_tokens = 3;
  ChoiceStream cs(0, s);
  const std::vector<TokenId> ids = ids_of("The cat. The dog.");
  std::vector<Chunk> out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (cs.add(std::span(ids).subspan(i, 1), out)) break;
  }
  EXPECT_EQ(all_text(out), "The cat. ");  // the second "The" is matched, its space kept
}

TEST(ChoiceStream, StopReasonNamesAStopTokenIdMatch) {
  ChoiceSettings s;
  s.tokenizer = &llama3();
  s.stop_token_ids = {13};  // "."
  ChoiceStream cs(0, s);
  std::vector<Chunk> out;
  const std::vector<TokenId> ids = ids_of("Hi.");
  ASSERT_EQ(ids.back(), 13);
  cs.add(ids, out, true);
  cs.end(engine::FinishReason::kStop, out);
  EXPECT_EQ(std::get<TokenId>(out.back().end->stop_reason), 13);
}

TEST(ChoiceStream, WithoutATokenizerTheTextIsEmpty) {
  ChoiceSettings s;
  ChoiceStream cs(0, s);
  std::vector<Chunk> out;
  const std::vector<TokenId> ids = {1, 2, 3};
  cs.add(ids, out);
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(all_text(out), "");
}

}  // namespace
}  // namespace infermark::server
