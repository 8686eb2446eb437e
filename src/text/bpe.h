// Byte-level BPE model (tokenizers' models::bpe with byte-level pre-tokenization): turns one
// pre-token, given as raw bytes, into token ids. Follows Hugging Face exactly:
//  - with ignore_merges, a piece that is itself in the vocab becomes that one id;
//  - otherwise the piece starts as one token per byte and the adjacent pair with the lowest merge
//    rank is merged repeatedly, the leftmost first among equal ranks, until no pair has a merge.
//
// Built by the tokenizer.json loader, then immutable: encode_piece() may run concurrently from
// any number of threads. Each thread keeps a small cache of recently merged pieces.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "text/token_maps.h"

namespace infermark::text {

class BpeModel {
 public:
  BpeModel();

  // Loading. Token `bytes` are raw (already mapped back from the byte-level spelling).
  // add_token returns false if `bytes` is already in the vocab.
  bool add_token(std::string_view bytes, int32_t id);
  // Adds the merge left+right -> merged with the next rank; false if the pair is already listed.
  bool add_merge(int32_t left, int32_t right, int32_t merged);
  void set_ignore_merges(bool ignore) { ignore_merges_ = ignore; }
  // Sizes the tables for this many tokens and merges (optional; avoids rehashing).
  void reserve(size_t tokens, size_t merges) {
    vocab_.reserve(tokens);
    merges_.reserve(merges);
  }
  // The first byte value with no single-byte token, or -1 if all 256 are present. Encoding
  // requires all of them (there is no unk token or byte fallback).
  int missing_byte() const;

  // Appends the ids of `piece` (non-empty raw bytes) to `out`.
  void encode_piece(std::string_view piece, std::vector<int32_t>& out) const;

  // The id of the token with exactly these raw bytes, or -1.
  int32_t find(std::string_view bytes) const { return vocab_.find(bytes); }
  size_t vocab_size() const { return vocab_.size(); }
  size_t merge_count() const { return merges_.size(); }

 private:
  void merge_bytes(std::string_view piece, std::vector<int32_t>& out) const;

  BytesToIdMap vocab_;
  PairToMergeMap merges_;
  std::array<int32_t, 256> byte_ids_;
  bool ignore_merges_ = false;
  uint64_t serial_;  // identifies this model to the per-thread caches
};

}  // namespace infermark::text
