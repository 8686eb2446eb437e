// Peer test: infermark's tokenizer against Hugging Face's tokenizer algorithm in JS
// (npm @huggingface/tokenizers, run by scripts/peers/run as a node subprocess) on the same
// generated tokenizer.json. Ids must be identical for thousands of generated strings mixing
// ASCII words, contractions, long digit runs, exotic white space, CJK, emoji sequences, combining
// marks, other scripts, control characters, random assigned code points and special tokens; and
// decoded text must be identical for id sequences.
//
// Fails (never skips) when node or the npm packages are missing: CI must run it.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "llama3_tokenizer.h"
#include "test_env.h"
#include "text/tokenizer.h"
#include "text/unicode.h"
#include "text/utf8.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace infermark::text {
namespace {

using testing::llama3;
using Ids = std::vector<int32_t>;
using util::Json;

constexpr int kGeneratedStrings = 2500;

// Random text from a mix of fragment kinds, deterministic for a seed.
class TextGenerator {
 public:
  explicit TextGenerator(uint32_t seed) : rng_(seed) {}

  std::string text(int max_fragments) {
    std::string out;
    const int n = uniform(1, max_fragments);
    for (int i = 0; i < n; ++i) fragment(out);
    return out;
  }

 private:
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  uint32_t in(uint32_t lo, uint32_t hi) {
    return std::uniform_int_distribution<uint32_t>(lo, hi)(rng_);
  }
  template <typename T, size_t N>
  const T& pick(const T (&items)[N]) {
    return items[static_cast<size_t>(uniform(0, static_cast<int>(N) - 1))];
  }
  void cp(uint32_t c, std::string& out) { append_utf8(c, out); }

  void fragment(std::string& out) {
    static const char* const kWords[] = {"the",
                                         "The",
                                         "HELLO",
                                         "world",
                                         "news",
                                         "Paris",
                                         "don",
                                         "can",
                                         "summarize",
                                         "article",
                                         "x",
                                         "a",
                                         "I",
                                         "it",
                                         "we",
                                         "they",
                                         "you",
                                         "he",
                                         "isn",
                                         "won",
                                         "Führer",
                                         "naïve",
                                         "café",
                                         "supercalifragilisticexpialidocious",
                                         "tokenization",
                                         "McDonald",
                                         "O'Neil",
                                         "e-mail"};
    static const char* const kContractions[] = {"'s", "'t",  "'re", "'ve", "'m", "'ll", "'d",
                                                "'S", "'T",  "'RE", "'Ve", "'M", "'LL", "'lL",
                                                "'D", "n't", "N'T", "'x",  "'",  "''",  "'rE"};
    static const char* const kPunct[] = {".", ",", "!", "?", "...", "—", "–", "«", "»", "\"", "(",
                                         ")", "[", "]", "{", "}",   "<", ">", "|", "#", "$",  "%",
                                         "&", "*", "+", "-", "/",   ":", ";", "=", "@", "\\", "^",
                                         "_", "`", "~", "€", "£",   "…", "“", "”", "‘", "’"};
    static const char* const kSpecials[] = {"<|eot_id|>",
                                            "<|begin_of_text|>",
                                            "<|start_header_id|>",
                                            "<|end_header_id|>",
                                            "<|eom_id|>",
                                            "<|python_tag|>",
                                            "<|eot_id",
                                            "<|",
                                            "|>",
                                            "<|reserved_special_token_7|>"};
    static const uint32_t kSpaces[] = {' ',    ' ',    ' ',    '\t',   '\n',   '\r',
                                       0x0B,   0x0C,   0x85,   0xA0,   0x1680, 0x2000,
                                       0x2005, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
                                       0x3000, 0xFEFF, 0x200B, 0x180E, 0x1C,   0x1F};
    switch (uniform(0, 15)) {
      case 0:
      case 1:
      case 2:
        if (uniform(0, 1)) out += ' ';
        out += pick(kWords);
        break;
      case 3:
        out += pick(kContractions);
        break;
      case 4:
        for (int n = uniform(1, 20); n > 0; --n) out += static_cast<char>('0' + in(0, 9));
        break;
      case 5:
        for (int n = uniform(1, 5); n > 0; --n) cp(pick(kSpaces), out);
        break;
      case 6:
        for (int n = uniform(1, 6); n > 0; --n) cp(in(0x4E00, 0x9FFF), out);
        break;
      case 7:
        cp(uniform(0, 1) ? in(0x3041, 0x3096) : in(0xAC00, 0xD7A3), out);
        break;
      case 8:
        emoji(out);
        break;
      case 9:  // a letter with combining marks, or a stray mark
        if (uniform(0, 2)) out += static_cast<char>('a' + in(0, 25));
        for (int n = uniform(1, 3); n > 0; --n) cp(in(0x300, 0x36F), out);
        break;
      case 10:
        other_script(out);
        break;
      case 11:
        out += pick(kPunct);
        break;
      case 12:
        out += pick(kSpecials);
        break;
      case 13:
        cp(in(0, 0x1F), out);
        break;
      case 14:
        random_assigned(out);
        break;
      default:
        out += static_cast<char>(in(0x20, 0x7E));
        break;
    }
  }

  void emoji(std::string& out) {
    static const std::pair<uint32_t, uint32_t> kRanges[] = {{0x1F300, 0x1F5FF}, {0x1F600, 0x1F64F},
                                                            {0x1F680, 0x1F6C5}, {0x1F90C, 0x1F9FF},
                                                            {0x2600, 0x26FF},   {0x2700, 0x27BF}};
    const auto& r = pick(kRanges);
    cp(in(r.first, r.second), out);
    if (uniform(0, 3) == 0) cp(0xFE0F, out);
    if (uniform(0, 3) == 0) cp(in(0x1F3FB, 0x1F3FF), out);
    if (uniform(0, 3) == 0) {
      cp(0x200D, out);
      cp(in(0x1F466, 0x1F469), out);
    }
  }

  void other_script(std::string& out) {
    static const std::pair<uint32_t, uint32_t> kRanges[] = {
        {0x0391, 0x03C9}, {0x0410, 0x044F}, {0x05D0, 0x05EA}, {0x0621, 0x064A},
        {0x0660, 0x0669}, {0x0905, 0x0939}, {0x0966, 0x096F}, {0x0E01, 0x0E3A},
        {0x1780, 0x17D3}, {0x10A0, 0x10C5}, {0xFF10, 0xFF5A}, {0x2160, 0x2188}};
    const auto& r = pick(kRanges);
    for (int n = uniform(1, 6); n > 0; --n) cp(in(r.first, r.second), out);
  }

  // Any code point assigned in Unicode 15 (so its class is the same in the peer's newer Unicode),
  // excluding surrogates and private use.
  void random_assigned(std::string& out) {
    for (;;) {
      const uint32_t c = uniform(0, 3) ? in(0x80, 0xFFFF) : in(0x10000, 0x3134A);
      const bool surrogate_or_private = (c >= 0xD800 && c <= 0xF8FF);
      if (!surrogate_or_private && (unicode_class(c) & kAssigned)) {
        cp(c, out);
        return;
      }
    }
  }

  std::mt19937 rng_;
};

// Runs the node peer on `request` and returns its result.
Json run_peer(const Json& request) {
  const std::string source = testing::source_dir();
  const auto tmp =
      std::filesystem::temp_directory_path() / fmt::format("infermark_tok_peer_{}", ::getpid());
  std::filesystem::create_directories(tmp);
  util::write_file_atomic(tmp / "request.json", request.dump());
  const std::string cmd =
      fmt::format("'{}/scripts/peers/run' hf_tokenizer.cjs '{}' '{}' '{}'", source,
                  testing::llama3_tokenizer_dir().string(), (tmp / "request.json").string(),
                  (tmp / "result.json").string());
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    throw std::runtime_error(fmt::format(
        "peer command failed (status {}): {} -- node and npm are required for this test", rc, cmd));
  }
  Json result = util::parse_json(util::read_file(tmp / "result.json"), "peer result");
  std::filesystem::remove_all(tmp);
  return result;
}

std::string escaped(const std::string& s) {
  return Json(s).dump(-1, ' ', true, Json::error_handler_t::replace);
}

TEST(TokenizerPeer, EncodeMatchesHuggingFaceOnGeneratedText) {
  TextGenerator gen(20241129);
  std::vector<std::string> texts;
  for (int i = 0; i < kGeneratedStrings; ++i) texts.push_back(gen.text(12));
  for (int i = 0; i < 20; ++i) texts.push_back(gen.text(400));  // long texts, long pieces
  for (const auto& t : texts) ASSERT_TRUE(is_valid_utf8(t));

  const Json result = run_peer({{"encode", texts}, {"add_special_tokens", false}});
  const auto& peer_ids = result.at("ids");
  ASSERT_EQ(peer_ids.size(), texts.size());
  int mismatches = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const Ids ours = llama3().encode(texts[i], false);
    const Ids theirs = peer_ids[i].get<Ids>();
    if (ours != theirs && ++mismatches <= 10) {
      ADD_FAILURE() << "text " << escaped(texts[i]) << "\n  infermark: " << Json(ours).dump()
                    << "\n  peer:      " << Json(theirs).dump();
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << texts.size() << " strings";
}

TEST(TokenizerPeer, EncodeWithSpecialTokensMatches) {
  TextGenerator gen(7);
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back(gen.text(6));
  const Json result = run_peer({{"encode", texts}, {"add_special_tokens", true}});
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(llama3().encode(texts[i], true), result.at("ids")[i].get<Ids>()) << escaped(texts[i]);
  }
}

TEST(TokenizerPeer, DecodeMatchesHuggingFace) {
  // Round trips of generated text, and random id sequences that split UTF-8 characters and mix in
  // special tokens.
  TextGenerator gen(99);
  std::mt19937 rng(5);
  std::vector<Ids> sequences;
  for (int i = 0; i < 300; ++i) sequences.push_back(llama3().encode(gen.text(10), true));
  for (int i = 0; i < 300; ++i) {
    Ids ids(std::uniform_int_distribution<size_t>(1, 12)(rng));
    for (auto& id : ids) id = std::uniform_int_distribution<int32_t>(0, 128255)(rng);
    sequences.push_back(ids);
  }
  for (bool skip : {false, true}) {
    const Json result = run_peer({{"decode", sequences}, {"skip_special_tokens", skip}});
    int mismatches = 0;
    for (size_t i = 0; i < sequences.size(); ++i) {
      const std::string ours = llama3().decode(sequences[i], {skip, false});
      const auto theirs = result.at("text")[i].get<std::string>();
      if (ours != theirs && ++mismatches <= 10) {
        ADD_FAILURE() << "skip=" << skip << " ids " << Json(sequences[i]).dump()
                      << "\n  infermark: " << escaped(ours) << "\n  peer:      " << escaped(theirs);
      }
    }
    EXPECT_EQ(mismatches, 0);
  }
}

}  // namespace
}  // namespace infermark::text
