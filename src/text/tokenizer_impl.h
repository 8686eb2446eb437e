// Internal: the tables behind a Tokenizer, shared by tokenizer.cc (encode/decode) and
// tokenizer_loader.cc (tokenizer.json / tokenizer_config.json parsing). Not for other layers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "text/added_vocabulary.h"
#include "text/bpe.h"
#include "text/token_maps.h"
#include "text/tokenizer.h"

namespace infermark::text {

enum class TokenKind : uint8_t { kNone, kBpe, kAdded, kSpecial };

struct Tokenizer::Impl {
  BpeModel bpe;
  AddedVocabulary added;
  BytesToIdMap vocab_spelling;                             // tokenizer.json vocab key -> id
  std::unordered_map<std::string, int32_t> added_content;  // added token content -> id

  // Per id, 0..vocab_size-1.
  std::vector<TokenKind> kind;
  std::vector<std::string> spelling;   // as in tokenizer.json
  std::vector<uint32_t> bytes_offset;  // token_bytes(id) = bytes_arena[offset[id], offset[id+1])
  std::string bytes_arena;

  // Post-processor template for one sequence: prefix + ids + suffix.
  std::vector<int32_t> prefix_ids;
  std::vector<int32_t> suffix_ids;

  std::optional<int32_t> bos_id;
  std::vector<int32_t> eos_ids;
  std::string bos_token;
  bool clean_up_spaces = false;

  int32_t vocab_size() const { return static_cast<int32_t>(kind.size()); }
  std::optional<int32_t> find_token(std::string_view token) const;
};

}  // namespace infermark::text
