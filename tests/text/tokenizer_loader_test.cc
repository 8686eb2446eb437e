// tokenizer.json / tokenizer_config.json loading on a small synthetic file in the Llama-3 layout:
// both merge formats, post-processor template, added tokens, config values, and one clear error
// (naming the file and field) for each kind of broken or unsupported input.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "text/byte_level.h"
#include "text/pre_tokenizer.h"
#include "text/tokenizer.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::text {
namespace {

using util::Json;
using Ids = std::vector<int32_t>;

// Bytes have id = byte value; "he"=256, "ll"=257, "hell"=258, "Ġw"=259; added tokens
// <|bos|>=300 (special), <|end|>=301 (special), <x>=302 (not special).
Json tiny_json(bool pair_merges) {
  Json vocab = Json::object();
  for (int b = 0; b < 256; ++b) vocab[to_byte_level(std::string(1, static_cast<char>(b)))] = b;
  vocab["he"] = 256;
  vocab["ll"] = 257;
  vocab["hell"] = 258;
  vocab["\xC4\xA0w"] = 259;
  const std::vector<std::pair<std::string, std::string>> merges = {
      {"h", "e"}, {"l", "l"}, {"he", "ll"}, {"\xC4\xA0", "w"}};
  Json merge_list = Json::array();
  for (const auto& [a, b] : merges) {
    merge_list.push_back(pair_merges ? Json::array({a, b}) : Json(a + " " + b));
  }
  auto added = [](int id, const char* content, bool special) {
    return Json{{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
                {"rstrip", false}, {"normalized", false}, {"special", special}};
  };
  return Json{
      {"version", "1.0"},
      {"added_tokens",
       {added(300, "<|bos|>", true), added(301, "<|end|>", true), added(302, "<x>", false)}},
      {"normalizer", nullptr},
      {"pre_tokenizer",
       {{"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"},
           {"pattern", {{"Regex", std::string(kLlama3SplitPattern)}}},
           {"behavior", "Isolated"},
           {"invert", false}},
          {{"type", "ByteLevel"},
           {"add_prefix_space", false},
           {"trim_offsets", true},
           {"use_regex", false}}}}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single",
         {{{"SpecialToken", {{"id", "<|bos|>"}, {"type_id", 0}}}},
          {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
          {{"SpecialToken", {{"id", "<|end|>"}, {"type_id", 0}}}}}},
        {"special_tokens",
         {{"<|bos|>", {{"id", "<|bos|>"}, {"ids", {300}}, {"tokens", {"<|bos|>"}}}},
          {"<|end|>", {{"id", "<|end|>"}, {"ids", {301}}, {"tokens", {"<|end|>"}}}}}}}},
      {"decoder", {{"type", "ByteLevel"}}},
      {"model",
       {{"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", nullptr},
        {"ignore_merges", false},
        {"vocab", vocab},
        {"merges", merge_list}}}};
}

Tokenizer load(const Json& j, const std::string& config = "") {
  return Tokenizer::from_json(j.dump(), "tiny/tokenizer.json", config, "tiny/config.json");
}

// Expects loading the mutated tiny file to throw an Error whose message contains `needle`.
void expect_error(const std::function<void(Json&)>& mutate, const std::string& needle,
                  const std::string& config = "") {
  Json j = tiny_json(false);
  mutate(j);
  try {
    load(j, config);
    ADD_FAILURE() << "no error; expected one mentioning: " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << needle;
  }
}

TEST(TokenizerLoader, EncodesWithMergesAndTemplate) {
  const Tokenizer t = load(tiny_json(false));
  EXPECT_EQ(t.encode("hello world", false), (Ids{258, 'o', 259, 'o', 'r', 'l', 'd'}));
  EXPECT_EQ(t.encode("hello", true), (Ids{300, 258, 'o', 301}));
  EXPECT_EQ(t.encode("a<x>b<|end|>", false), (Ids{'a', 302, 'b', 301}));
  EXPECT_EQ(t.bos_id(), 300);
  EXPECT_EQ(t.vocab_size(), 303);
  EXPECT_EQ(t.id_to_token(280), std::nullopt);  // a gap between the vocab and the added tokens
  EXPECT_TRUE(t.is_special(301));
  EXPECT_FALSE(t.is_special(302));
  EXPECT_EQ(t.decode(Ids{300, 258, 'o', 302, 301}, {true, false}), "hello<x>");
  EXPECT_EQ(t.decode(Ids{300, 258, 'o', 9999, -3}, {false, false}), "<|bos|>hello");
}

TEST(TokenizerLoader, BothMergeFormatsAgree) {
  const Tokenizer legacy = load(tiny_json(false));
  const Tokenizer pairs = load(tiny_json(true));
  Json with_version = tiny_json(false);
  with_version["model"]["merges"].insert(with_version["model"]["merges"].begin(), "#version: 0.2");
  const Tokenizer versioned = load(with_version);
  for (const char* text : {"hello", "shell well", " wheel", "hhee llll"}) {
    EXPECT_EQ(legacy.encode(text, false), pairs.encode(text, false)) << text;
    EXPECT_EQ(legacy.encode(text, false), versioned.encode(text, false)) << text;
  }
}

TEST(TokenizerLoader, IgnoreMergesIsRead) {
  Json j = tiny_json(false);
  j["model"]["vocab"]["lo"] = 260;  // no merge makes "lo"
  EXPECT_EQ(load(j).encode("lo", false), (Ids{'l', 'o'}));
  j["model"]["ignore_merges"] = true;
  EXPECT_EQ(load(j).encode("lo", false), Ids{260});
}

TEST(TokenizerLoader, ConfigValues) {
  const Tokenizer t = load(tiny_json(false), R"({"bos_token": {"content": "<|bos|>"},
      "eos_token": "<|end|>", "clean_up_tokenization_spaces": true})");
  EXPECT_EQ(t.bos_token(), "<|bos|>");
  EXPECT_EQ(std::vector<int32_t>(t.eos_ids().begin(), t.eos_ids().end()), Ids{301});
  EXPECT_TRUE(t.clean_up_spaces_default());
  EXPECT_EQ(t.decode(Ids{'a', ' ', '.'}), "a.");
  EXPECT_EQ(t.decode(Ids{'a', ' ', '.'}, {false, false}), "a .");
  const Tokenizer plain = load(tiny_json(false));
  EXPECT_FALSE(plain.clean_up_spaces_default());
  EXPECT_TRUE(plain.eos_ids().empty());
}

TEST(TokenizerLoader, BrokenFilesGiveClearErrors) {
  EXPECT_THROW(Tokenizer::from_json("{not json", "x.json"), Error);
  EXPECT_THROW(Tokenizer::from_json("[1, 2]", "x.json"), Error);
  expect_error([](Json& j) { j["model"]["vocab"] = Json::object(); }, "model.vocab: missing");
  expect_error([](Json& j) { j["model"].erase("merges"); }, "model.merges: missing");
  expect_error([](Json& j) { j["model"]["merges"][3] = {"a"}; }, "model.merges[3]");
  expect_error([](Json& j) { j["model"]["merges"][3] = {"a", {"b"}}; }, "model.merges[3]");
  expect_error([](Json& j) { j["model"]["vocab"]["zz"] = 2.5; }, "model.vocab[\"zz\"]");
  expect_error([](Json& j) { j["model"]["vocab"]["zz"] = {1}; }, "model.vocab[\"zz\"]");
  expect_error([](Json& j) { j.erase("model"); }, "tiny/tokenizer.json: model");
  expect_error([](Json& j) { j["model"]["merges"][1] = "ll"; }, "model.merges[1]");
  expect_error([](Json& j) { j["model"]["merges"][0] = "h q"; }, "model.merges[0]");
  expect_error([](Json& j) { j["model"]["merges"][2] = 5; }, "model.merges[2]");
  expect_error([](Json& j) { j["model"]["vocab"]["x y"] = 270; }, "byte-level alphabet");
  expect_error([](Json& j) { j["model"]["vocab"]["he"] = "256"; }, "model.vocab[\"he\"]");
  expect_error([](Json& j) { j["model"]["vocab"]["ll"] = 256; }, "id 256 is used twice");
  expect_error([](Json& j) { j["model"]["vocab"].erase("A"); }, "no token for byte 0x41");
  expect_error([](Json& j) { j["model"]["type"] = "WordPiece"; }, "model.type");
  expect_error([](Json& j) { j["model"]["dropout"] = 0.1; }, "model.dropout");
  expect_error([](Json& j) { j["normalizer"] = {{"type", "NFC"}}; }, "normalizer");
  expect_error([](Json& j) { j["pre_tokenizer"] = {{"type", "ByteLevel"}}; }, "pre_tokenizer");
  expect_error([](Json& j) { j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\s+"; },
               "not the Llama-3 pattern");
  expect_error([](Json& j) { j["pre_tokenizer"]["pretokenizers"][1]["use_regex"] = true; },
               "use_regex");
  expect_error([](Json& j) { j.erase("decoder"); }, "decoder");
  expect_error(
      [](Json& j) {
        j["post_processor"] = {{"type", "BertProcessing"}};
      },
      "post_processor");
  expect_error([](Json& j) { j["post_processor"]["single"][0]["SpecialToken"]["id"] = "<q>"; },
               "post_processor");
  expect_error([](Json& j) { j["added_tokens"][0]["single_word"] = true; },
               "added_tokens[0].single_word");
  expect_error([](Json& j) { j["added_tokens"][1]["id"] = -1; }, "added_tokens[1].id");
  expect_error([](Json& j) { j["added_tokens"][1]["content"] = ""; }, "added_tokens[1].content");
  expect_error([](Json&) {}, "tiny/config.json: bos_token", R"({"bos_token": "<nope>"})");
  expect_error([](Json&) {}, "tiny/config.json", R"({"clean_up_tokenization_spaces": "yes"})");
  expect_error([](Json&) {}, "tiny/config.json: invalid JSON", "{");
}

TEST(TokenizerLoader, DuplicateVocabKeyIsAnError) {
  std::string text = tiny_json(false).dump();
  const size_t pos = text.find("\"he\":256");
  ASSERT_NE(pos, std::string::npos);
  text.insert(pos, "\"he\":260,");
  try {
    Tokenizer::from_json(text, "dup.json");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dup.json: model.vocab: token \"he\" is listed twice"),
              std::string::npos)
        << e.what();
  }
}

TEST(TokenizerLoader, MissingFileNamesThePath) {
  try {
    Tokenizer::load("/nonexistent/infermark/tokenizer-folder");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/infermark/tokenizer-folder"),
              std::string::npos)
        << e.what();
  }
}

// Every member of the file, at every depth: removed, nulled or given the wrong type, the file
// either still loads or is refused with an Error naming the file (never a crash, another
// exception, or a read of a missing key); the members a Llama-3 tokenizer cannot do without are
// refused by name.
std::vector<Json::json_pointer> member_paths(const Json& j,
                                             const Json::json_pointer& at = Json::json_pointer()) {
  std::vector<Json::json_pointer> out;
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (at.empty() && key == "model") {  // the 256 byte tokens: one is enough
        out.push_back(at / key);
        for (const char* k : {"type", "vocab", "merges", "dropout", "ignore_merges"}) {
          out.push_back(at / key / k);
        }
        out.push_back(at / key / "vocab" / "A");
        out.push_back(at / key / "vocab" / "he");
        continue;
      }
      out.push_back(at / key);
      for (auto& p : member_paths(value, at / key)) out.push_back(std::move(p));
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      for (auto& p : member_paths(j[i], at / i)) out.push_back(std::move(p));
    }
  }
  return out;
}

// Loads `j`; "" if it loaded, the Error's message if not. Any other exception fails the test.
std::string load_outcome(const Json& j) {
  try {
    load(j);
    return "";
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an infermark::Error: " << e.what();
    return e.what();
  }
}

TEST(TokenizerLoader, EachMemberMissingNulledOrMistypedIsLoadedOrRefusedByName) {
  const Json tiny = tiny_json(false);
  const auto paths = member_paths(tiny);
  ASSERT_GT(paths.size(), 60u);
  for (const auto& path : paths) {
    SCOPED_TRACE(path.to_string());
    Json removed = tiny;
    removed[path.parent_pointer()].erase(path.back());
    const std::string missing = load_outcome(removed);
    if (!missing.empty()) {
      EXPECT_NE(missing.find("tiny/tokenizer.json"), std::string::npos) << missing;
    }
    for (const Json& replacement : {Json(nullptr), Json(12345), Json("x"), Json::array(),
                                    Json::object(), Json(-1), Json(true)}) {
      Json changed = tiny;
      changed[path] = replacement;
      const std::string outcome = load_outcome(changed);
      if (!outcome.empty()) {
        EXPECT_NE(outcome.find("tiny/tokenizer.json"), std::string::npos) << outcome;
      }
    }
  }
  for (const char* required :
       {"/model", "/model/vocab", "/model/merges", "/pre_tokenizer", "/pre_tokenizer/type",
        "/pre_tokenizer/pretokenizers", "/pre_tokenizer/pretokenizers/0/pattern",
        "/pre_tokenizer/pretokenizers/0/type", "/pre_tokenizer/pretokenizers/1/type", "/decoder",
        "/added_tokens/0/id", "/added_tokens/0/content", "/post_processor/single",
        "/model/vocab/A"}) {
    SCOPED_TRACE(required);
    const Json::json_pointer path(required);
    Json removed = tiny;
    removed[path.parent_pointer()].erase(path.back());
    EXPECT_NE(load_outcome(removed), "") << "loaded without " << required;
  }
}

// An id near INT32_MAX once sized the id-indexed tables to 2^31 entries (tens of GB).
TEST(TokenizerLoader, IdsFarBeyondTheTokensListedAreRefused) {
  expect_error([](Json& j) { j["model"]["vocab"]["zz"] = 2147483646; },
               "model.vocab: id 2147483646 is far beyond the 261 tokens listed");
  expect_error([](Json& j) { j["added_tokens"][2]["id"] = 2147483646; },
               "added_tokens[2].id: 2147483646 is far beyond");
  expect_error([](Json& j) { j["added_tokens"][2]["id"] = 2147483648LL; }, "added_tokens[2].id");
  // Gaps up to 65,536 unused ids stay accepted (tokenizers with reserved ranges).
  Json sparse = tiny_json(false);
  sparse["added_tokens"][2]["id"] = 60000;
  EXPECT_EQ(load(sparse).vocab_size(), 60001);
}

}  // namespace
}  // namespace infermark::text
