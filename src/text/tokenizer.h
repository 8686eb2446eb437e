// The Llama-3 tokenizer: a Hugging Face tokenizer.json (byte-level BPE, the Llama-3 Split
// pre-tokenizer, added/special tokens, TemplateProcessing post-processor, ByteLevel decoder) and,
// beside it, tokenizer_config.json (bos/eos tokens, clean_up_tokenization_spaces).
//
// Encoding gives the ids of Hugging Face `tokenizer.encode(text, add_special_tokens=add_bos)`;
// decoding gives transformers 4.x `tokenizer.decode(ids, skip_special_tokens, ...)`, including its
// clean_up_tokenization. See tokenizer-model-rouge.md §1.
//
// A Tokenizer is immutable after load and cheap to copy (copies share the loaded tables); all
// const methods are thread-safe. Loading a full Llama-3 file takes well under a second.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::text {

struct DecodeOptions {
  // Drop added tokens marked special (<|eot_id|>, ...), as MLPerf's evaluation does.
  bool skip_special_tokens = false;
  // transformers' clean_up_tokenization (" ." -> "." etc.); unset: the tokenizer_config.json
  // value (false when there is no config).
  std::optional<bool> clean_up_spaces;
};

class Tokenizer {
 public:
  // Loads `path`: a tokenizer.json file, or a folder holding tokenizer.json and, if present,
  // tokenizer_config.json (and generation_config.json, whose eos_token_id adds to eos_ids()).
  // Throws infermark::Error naming the file and field on anything unreadable or unsupported.
  static Tokenizer load(const std::filesystem::path& path);

  // Builds from file contents; `origin` names them in error messages. `config_json` may be
  // empty (no tokenizer_config.json).
  static Tokenizer from_json(std::string_view tokenizer_json, std::string_view origin,
                             std::string_view config_json = {},
                             std::string_view config_origin = "tokenizer_config.json");

  // The ids of `text` (UTF-8; invalid bytes are encoded as raw bytes). With add_bos, the
  // post-processor's single-sequence template is applied (for Llama-3: <|begin_of_text|> first).
  std::vector<int32_t> encode(std::string_view text, bool add_bos) const;
  // Same, appending to `out` (reuses its capacity).
  void encode_into(std::string_view text, bool add_bos, std::vector<int32_t>& out) const;

  // The text of `ids`. Ids without a token are skipped, as Hugging Face does.
  std::string decode(std::span<const int32_t> ids, const DecodeOptions& options = {}) const;

  // The bytes token `id` contributes to decoded text before UTF-8 repair (the raw bytes of a BPE
  // token, the content of an added token); empty for ids without a token.
  std::string_view token_bytes(int32_t id) const;

  std::optional<int32_t> bos_id() const;
  // End-of-sequence ids: tokenizer_config.json's eos_token, then generation_config.json's
  // eos_token_id entries, without duplicates.
  std::span<const int32_t> eos_ids() const;
  // One more than the largest id (BPE vocab and added tokens): 128256 for Llama-3.
  int32_t vocab_size() const;
  // Id of a token spelled as in tokenizer.json (byte-level spelling, "Ġthe", or added content).
  std::optional<int32_t> token_to_id(std::string_view token) const;
  // The tokenizer.json spelling of `id`; nullopt for ids without a token.
  std::optional<std::string_view> id_to_token(int32_t id) const;
  // True for added tokens marked special.
  bool is_special(int32_t id) const;
  // The tokenizer_config.json clean_up_tokenization_spaces value (false if absent).
  bool clean_up_spaces_default() const;
  // tokenizer_config.json's bos_token text, "" if none (used by the chat template).
  const std::string& bos_token() const;

  struct Impl;

 private:
  explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// transformers' PreTrainedTokenizerBase.clean_up_tokenization: ten str.replace passes, in order:
// " ." " ?" " !" " ," " ' " " n't" " 'm" " 's" " 've" " 're" lose their leading space (" ' "
// becomes "'").
std::string clean_up_tokenization(std::string_view text);

}  // namespace infermark::text
