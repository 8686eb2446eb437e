// `infermark tokenize`: encodes stdin with a Llama-3 tokenizer and prints the ids as a JSON array,
// or (--decode) reads a JSON array of ids from stdin and prints the text.
//
//   infermark tokenize --tokenizer DIR [--bos] [--chat] < text
//   infermark tokenize --tokenizer DIR --decode [--skip-special] [--no-clean-up] < ids.json
//
// --chat renders stdin as one user message with the Llama-3.1 chat template and the assistant
// generation prompt (the template supplies <|begin_of_text|>). Decoding follows transformers:
// clean_up_tokenization_spaces from tokenizer_config.json unless --no-clean-up. The decoded text
// is printed followed by one newline.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"
#include "text/utf8.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::cli {
namespace {

struct Options {
  std::string tokenizer;
  bool bos = false;
  bool chat = false;
  bool decode = false;
  bool skip_special = false;
  bool no_clean_up = false;
};

std::string read_stdin() {
  std::ios::sync_with_stdio(false);
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

std::vector<int32_t> parse_ids(const std::string& input, const text::Tokenizer& tok) {
  const util::Json j = util::parse_json(input, "stdin");
  if (!j.is_array()) throw Error("stdin: expected a JSON array of token ids");
  std::vector<int32_t> ids;
  ids.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    const util::Json& v = j[i];
    if (!v.is_number_integer()) {
      throw Error::format("stdin: element {} is not an integer token id: {}", i, v.dump());
    }
    const int64_t id = v.get<int64_t>();
    if (id < 0 || id >= tok.vocab_size() || !tok.id_to_token(static_cast<int32_t>(id))) {
      throw Error::format("stdin: element {}: token id {} is not in the vocabulary (0..{})", i, id,
                          tok.vocab_size() - 1);
    }
    ids.push_back(static_cast<int32_t>(id));
  }
  return ids;
}

int run_decode(const Options& o, const text::Tokenizer& tok) {
  const std::vector<int32_t> ids = parse_ids(read_stdin(), tok);
  text::DecodeOptions options;
  options.skip_special_tokens = o.skip_special;
  if (o.no_clean_up) options.clean_up_spaces = false;
  const std::string out = tok.decode(ids, options) + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int run_encode(const Options& o, const text::Tokenizer& tok) {
  const std::string input = read_stdin();
  if (const size_t bad = text::find_invalid_utf8(input); bad != std::string::npos) {
    throw Error::format("stdin: not valid UTF-8 (byte offset {})", bad);
  }
  std::vector<int32_t> ids;
  if (o.chat) {
    const std::vector<text::ChatMessage> messages = {{"user", input}};
    ids = text::encode_chat(tok, messages, /*add_generation_prompt=*/true);
  } else {
    ids = tok.encode(input, o.bos);
  }
  std::printf("%s\n", util::Json(ids).dump().c_str());
  return 0;
}

int run(const Options& o) {
  const text::Tokenizer tok = text::Tokenizer::load(o.tokenizer);
  return o.decode ? run_decode(o, tok) : run_encode(o, tok);
}

CommandRegistration reg{
    "tokenize", "Encode stdin to token ids (JSON), or decode a JSON id array", [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("--tokenizer", o->tokenizer, "tokenizer.json or a folder holding it")
          ->required();
      auto* bos = app.add_flag("--bos", o->bos, "prepend <|begin_of_text|> (post-processor)");
      auto* chat = app.add_flag("--chat", o->chat,
                                "render stdin as one user message with the chat template");
      auto* decode = app.add_flag("--decode", o->decode, "decode a JSON id array from stdin");
      app.add_flag("--skip-special", o->skip_special, "with --decode: drop special tokens")
          ->needs(decode);
      app.add_flag("--no-clean-up", o->no_clean_up,
                   "with --decode: no clean_up_tokenization (default: tokenizer_config.json)")
          ->needs(decode);
      decode->excludes(bos)->excludes(chat);
      chat->excludes(bos);
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace infermark::cli
