// The streaming detokenizer: never emits part of a UTF-8 character, holds back possible clean-up
// patterns, and — for any way of cutting an id sequence into pushes — emits in total exactly what
// Tokenizer::decode gives.
#include "text/streaming_detokenizer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "llama3_tokenizer.h"
#include "text/utf8.h"

namespace infermark::text {
namespace {

using testing::llama3;
using Ids = std::vector<int32_t>;

TEST(StreamingDetokenizer, HoldsSplitCharacterUntilComplete) {
  const Ids ids = llama3().encode("🦙", false);
  ASSERT_EQ(ids.size(), 3u);  // the four bytes of U+1F999 over three tokens
  StreamingDetokenizer d(llama3(), {false, false});
  EXPECT_EQ(d.push(ids[0]), "");
  EXPECT_EQ(d.push(ids[1]), "");
  EXPECT_EQ(d.push(ids[2]), "🦙");
  EXPECT_EQ(d.finish(), "");
}

TEST(StreamingDetokenizer, FinishFlushesATruncatedCharacter) {
  const Ids ids = llama3().encode("a🦙", false);
  StreamingDetokenizer d(llama3(), {false, false});
  EXPECT_EQ(d.push(std::span(ids).first(2)), "a");
  EXPECT_EQ(d.finish(), "\xEF\xBF\xBD");
  EXPECT_EQ(d.push(llama3().encode("ok", false)), "ok");  // reusable after finish()
}

TEST(StreamingDetokenizer, HoldsPossibleCleanUpPatterns) {
  StreamingDetokenizer d(llama3(), {true, true});
  auto push = [&](const char* text) { return d.push(llama3().encode(text, false)); };
  EXPECT_EQ(push("I do"), "I do");
  EXPECT_EQ(push(" n"), "");  // could still become " n't"
  EXPECT_EQ(push("'t"), "n't");
  EXPECT_EQ(push(" go"), " go");
  EXPECT_EQ(push(" "), "");       // could still become " ."
  EXPECT_EQ(d.push(128009), "");  // special, skipped
  EXPECT_EQ(push("."), ".");
  EXPECT_EQ(push(" "), "");
  EXPECT_EQ(d.finish(), " ");
}

TEST(StreamingDetokenizer, AnyChunkingEqualsDecode) {
  std::mt19937 rng(3);
  const std::vector<std::string> texts = {
      "Hello , world ! It 's a test . Don 't stop ; they 're \"here\" ?",
      "多字节字符 🦙😶‍🌫️ and ' quotes ' n't 'm 've 're 's",
      "<|begin_of_text|>x ' . y<|eot_id|> z , ? !",
  };
  for (const auto& text : texts) {
    Ids ids = llama3().encode(text, false);
    for (int i = 0; i < 4; ++i)
      ids.push_back(std::uniform_int_distribution<int32_t>(0, 128255)(rng));
    for (bool skip : {false, true}) {
      for (bool clean : {false, true}) {
        const DecodeOptions opts{skip, clean};
        const std::string expected = llama3().decode(ids, opts);
        for (int trial = 0; trial < 50; ++trial) {
          StreamingDetokenizer d(llama3(), opts);
          std::string got;
          for (size_t pos = 0; pos < ids.size();) {
            const size_t n =
                std::min(ids.size() - pos, std::uniform_int_distribution<size_t>(1, 4)(rng));
            const std::string piece = d.push(std::span(ids).subspan(pos, n));
            EXPECT_TRUE(is_valid_utf8(piece));
            got += piece;
            pos += n;
          }
          got += d.finish();
          ASSERT_EQ(got, expected) << "text " << text << " skip " << skip << " clean " << clean;
        }
      }
    }
  }
}

TEST(StreamingDetokenizer, RandomIdsOneAtATimeNeverSplitCharacters) {
  std::mt19937 rng(11);
  Ids ids(2000);
  for (auto& id : ids) id = std::uniform_int_distribution<int32_t>(0, 127999)(rng);
  StreamingDetokenizer d(llama3(), {false, true});
  std::string got;
  for (int32_t id : ids) {
    const std::string piece = d.push(id);
    ASSERT_TRUE(is_valid_utf8(piece));
    got += piece;
  }
  got += d.finish();
  EXPECT_EQ(got, llama3().decode(ids, {false, true}));
}

}  // namespace
}  // namespace infermark::text
