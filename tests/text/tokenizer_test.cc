// Encoding with the real Llama-3.1 vocabulary: known sentences, BOS handling, special tokens in
// text, the token tables, and the special-token metadata from tokenizer_config.json. The 44
// reference cases of ../shared: tokenizer_reference_test.cc.
#include "text/tokenizer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "llama3_tokenizer.h"
#include "test_env.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace infermark::text {
namespace {

using testing::llama3;
using Ids = std::vector<int32_t>;

TEST(Llama3Tokenizer, KnownSentence) {
  EXPECT_EQ(llama3().encode("The capital of France is Paris.", false),
            (Ids{791, 6864, 315, 9822, 374, 12366, 13}));
}

TEST(Llama3Tokenizer, AddBosPrependsBeginOfText) {
  EXPECT_EQ(llama3().encode("Hello world", true), (Ids{128000, 9906, 1917}));
  EXPECT_EQ(llama3().encode("", true), (Ids{128000}));
  EXPECT_EQ(llama3().encode("", false), Ids{});
}

TEST(Llama3Tokenizer, SpecialTokensInTextAreMatchedBeforeSplitting) {
  EXPECT_EQ(llama3().encode("Hi<|eot_id|>there", false), (Ids{13347, 128009, 19041}));
  // Leftmost-longest, and text next to a special token is pre-tokenized on its own.
  EXPECT_EQ(llama3().encode("<|eot_id|><|eot_id|>", false), (Ids{128009, 128009}));
  EXPECT_EQ(llama3().encode(" <|start_header_id|>", false), (Ids{220, 128006}));
  // Not a special token: an unknown name, and a truncated one.
  for (const char* text : {"<|eot_id|", "<|reserved_special_token_248|>", "<|EOT_ID|>"}) {
    const Ids ids = llama3().encode(text, false);
    EXPECT_GT(ids.size(), 3u) << text;
    for (int32_t id : ids) EXPECT_LT(id, 128000) << text;
  }
}

TEST(Llama3Tokenizer, EncodeIntoAppends) {
  Ids out{7};
  llama3().encode_into("Hello", true, out);
  EXPECT_EQ(out, (Ids{7, 128000, 9906}));
}

TEST(Llama3Tokenizer, TablesAndMetadata) {
  const Tokenizer& t = llama3();
  EXPECT_EQ(t.vocab_size(), 128256);
  EXPECT_EQ(t.bos_id(), 128000);
  EXPECT_EQ(t.bos_token(), "<|begin_of_text|>");
  EXPECT_EQ(std::vector<int32_t>(t.eos_ids().begin(), t.eos_ids().end()), Ids{128009});
  EXPECT_TRUE(t.clean_up_spaces_default());
  EXPECT_EQ(t.token_to_id("Ġthe"), 279);
  EXPECT_EQ(t.token_to_id("<|eot_id|>"), 128009);
  EXPECT_EQ(t.token_to_id("<|python_tag|>"), 128010);
  EXPECT_EQ(t.token_to_id("<|reserved_special_token_247|>"), 128255);
  EXPECT_EQ(t.token_to_id("no such token at all"), std::nullopt);
  EXPECT_EQ(t.id_to_token(279), "Ġthe");
  EXPECT_EQ(t.id_to_token(128008), "<|eom_id|>");
  EXPECT_EQ(t.id_to_token(128256), std::nullopt);
  EXPECT_EQ(t.id_to_token(-1), std::nullopt);
  EXPECT_EQ(t.token_bytes(279), " the");
  EXPECT_EQ(t.token_bytes(198), "\n");
  EXPECT_TRUE(t.is_special(128000));
  EXPECT_TRUE(t.is_special(128255));
  EXPECT_FALSE(t.is_special(127999));
  EXPECT_FALSE(t.is_special(128256));
}

TEST(Llama3Tokenizer, EveryTokenEncodesBackToItselfWhenItIsAWholePiece) {
  // With ignore_merges, a pre-token that is in the vocab is one id. Check it for every
  // vocab entry that the pre-tokenizer keeps whole ("Ġthe", "ing", "123"...).
  const Tokenizer& t = llama3();
  int checked = 0;
  for (int32_t id = 0; id < 128000; ++id) {
    const std::string bytes(t.token_bytes(id));
    const Ids ids = t.encode(bytes, false);
    if (ids.size() == 1) {
      EXPECT_EQ(ids[0], id) << "token " << *t.id_to_token(id);
      ++checked;
    }
  }
  EXPECT_GT(checked, 100000);
}

TEST(Llama3Tokenizer, InvalidUtf8IsEncodedAsRawBytes) {
  const Ids ids = llama3().encode("ab\xFF\xFE cd", false);
  std::string bytes;
  for (int32_t id : ids) bytes += llama3().token_bytes(id);
  EXPECT_EQ(bytes, "ab\xFF\xFE cd");
  EXPECT_EQ(llama3().decode(ids, {false, false}), "ab\xEF\xBF\xBD\xEF\xBF\xBD cd");
}

TEST(Llama3Tokenizer, ConcurrentEncodingGivesTheSameIds) {
  // One shared tokenizer, several threads, each with its own word cache and scratch buffers.
  std::vector<std::string> texts;
  for (int i = 0; i < 64; ++i) {
    texts.push_back("Article " + std::to_string(i * 7919) + ": naïve Führer 中文 🦙 it's " +
                    std::string(static_cast<size_t>(i % 5), ' ') + "<|eot_id|>unusualwordxyz" +
                    std::to_string(i));
  }
  std::vector<Ids> expected;
  for (const auto& t : texts) expected.push_back(llama3().encode(t, true));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&, th] {
      for (int round = 0; round < 50; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) {
          const size_t k = (i + static_cast<size_t>(th) * 13) % texts.size();
          if (llama3().encode(texts[k], true) != expected[k]) ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Llama3Tokenizer, LoadsFromFileOrFolder) {
  const auto dir = testing::llama3_tokenizer_dir();
  const Tokenizer from_file = Tokenizer::load(dir / "tokenizer.json");
  EXPECT_FALSE(from_file.encode("x", false).empty());
  EXPECT_TRUE(from_file.clean_up_spaces_default());  // the config beside the file is read too
}

TEST(Llama3Tokenizer, GenerationConfigAddsEosIds) {
  const auto dir = std::filesystem::temp_directory_path() / "infermark_text_gen_config";
  std::filesystem::create_directories(dir);
  const auto src = testing::llama3_tokenizer_dir();
  std::filesystem::copy_file(src / "tokenizer.json", dir / "tokenizer.json",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(src / "tokenizer_config.json", dir / "tokenizer_config.json",
                             std::filesystem::copy_options::overwrite_existing);
  util::write_file_atomic(dir / "generation_config.json",
                          R"({"bos_token_id":128000,"eos_token_id":[128001,128008,128009]})");
  const Tokenizer t = Tokenizer::load(dir);
  EXPECT_EQ(std::vector<int32_t>(t.eos_ids().begin(), t.eos_ids().end()),
            (Ids{128009, 128001, 128008}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace infermark::text
