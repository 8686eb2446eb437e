// Decoding with the real Llama-3.1 vocabulary: round trips, special tokens skipped or kept,
// transformers' clean_up_tokenization (in order, as plain replaces), and U+FFFD for ids that end
// inside a UTF-8 character.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "llama3_tokenizer.h"
#include "text/tokenizer.h"

namespace infermark::text {
namespace {

using testing::llama3;
using Ids = std::vector<int32_t>;

const DecodeOptions kRaw{false, false};

TEST(Decode, RoundTrips) {
  for (const char* text :
       {"Hello world", "  leading and trailing  ", "line\nbreaks\r\n\tand tabs", "naïve café",
        "中文 and 日本語 and 한국어", "emoji 🦙😶‍🌫️ ✅",
        "it's 3.14159 o'clock; \"quotes\"", "\xE2\x80\xA8separator\xC2\x85", ""}) {
    EXPECT_EQ(llama3().decode(llama3().encode(text, false), kRaw), text);
  }
}

TEST(Decode, SpecialTokens) {
  const Ids ids = llama3().encode("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", true);
  EXPECT_EQ(llama3().decode(ids, kRaw),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>");
  EXPECT_EQ(llama3().decode(ids, {true, false}), "user\n\nHi");
}

TEST(Decode, CleanUpIsTheConfigDefault) {
  const Ids ids = llama3().encode("x != y ... 'social' , it 's he n't ?", false);
  EXPECT_EQ(llama3().decode(ids, kRaw), "x != y ... 'social' , it 's he n't ?");
  // tokenizer_config.json has clean_up_tokenization_spaces: true, as Llama-3.1's does.
  EXPECT_EQ(llama3().decode(ids), "x!= y...'social', it's hen't?");
  EXPECT_EQ(llama3().decode(ids, {false, true}), llama3().decode(ids));
}

TEST(Decode, CleanUpFollowsTransformersExactly) {
  // Verified with tokenizers.js (tokenizer-model-rouge.md §1.8).
  EXPECT_EQ(clean_up_tokenization("x != y ... 'social'"), "x!= y...'social'");
  EXPECT_EQ(clean_up_tokenization("a , b . c ! d ? e"), "a, b. c! d? e");
  EXPECT_EQ(clean_up_tokenization("I 'm sure you 've seen they 're here"),
            "I'm sure you've seen they're here");
  EXPECT_EQ(clean_up_tokenization("don 't can n't it ' s"), "don 't cann't it's");
  // Ordered passes, each a non-overlapping left-to-right replace: " ." goes before " ' ".
  EXPECT_EQ(clean_up_tokenization("x ' ."), "x '.");
  EXPECT_EQ(clean_up_tokenization("  ."), " .");
  EXPECT_EQ(clean_up_tokenization("a ' ' b"), "a'' b");
  EXPECT_EQ(clean_up_tokenization(" 'sn't"), "'sn't");
  EXPECT_EQ(clean_up_tokenization(""), "");
}

TEST(Decode, SplitCharactersBecomeReplacementCharacters) {
  // 🦙 is three tokens here; dropping the last leaves a truncated character.
  const Ids ids = llama3().encode("🦙!", false);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(llama3().decode(ids, kRaw), "🦙!");
  EXPECT_EQ(llama3().decode(Ids{ids[0], ids[1], ids[3]}, kRaw), "\xEF\xBF\xBD!");
  EXPECT_EQ(llama3().decode(Ids{ids[2], ids[3]}, kRaw), "\xEF\xBF\xBD!");
  // A special token between the bytes of a character, skipped, rejoins it.
  EXPECT_EQ(llama3().decode(Ids{ids[0], 128009, ids[1], ids[2]}, {true, false}), "🦙");
  EXPECT_EQ(llama3().decode(Ids{ids[0], 128009, ids[1], ids[2]}, kRaw),
            "\xEF\xBF\xBD<|eot_id|>\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Decode, UnknownIdsAreSkipped) {
  EXPECT_EQ(llama3().decode(Ids{9906, -1, 128256, 1 << 30, 1917}, kRaw), "Hello world");
}

}  // namespace
}  // namespace infermark::text
