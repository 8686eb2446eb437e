// The two lookup tables on the encoder's hot path, as flat open-addressing hash tables:
// byte string -> token id (the vocab, keyed by raw bytes rather than the byte-level spelling) and
// token-id pair -> merge (rank, merged id).
//
// Built once while loading, then read-only: concurrent find() calls are safe; insert() is not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::text {

// 64-bit hash of a byte string (not cryptographic; stable within a process).
uint64_t hash_bytes(std::string_view bytes);

class BytesToIdMap {
 public:
  // Adds key -> id; returns false (and changes nothing) if `key` is already present.
  bool insert(std::string_view key, int32_t id);
  // The id of `key`, or -1.
  int32_t find(std::string_view key) const;
  size_t size() const { return size_; }
  // Makes room for `n` keys in all, so that inserting them does not rehash.
  void reserve(size_t n);

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t offset = 0;  // of the key in arena_
    uint32_t len = 0;
    int32_t id = -1;  // -1: empty
  };
  void rehash(size_t capacity);
  std::string_view key_of(const Slot& s) const { return {arena_.data() + s.offset, s.len}; }

  std::vector<Slot> slots_;
  std::string arena_;
  size_t size_ = 0;
};

// The merge of an adjacent pair of tokens.
struct Merge {
  int32_t rank;    // position in the merges list: lower merges first
  int32_t merged;  // id of the concatenated token
};

class PairToMergeMap {
 public:
  // Adds (left, right) -> merge; returns false if the pair is already present.
  bool insert(int32_t left, int32_t right, Merge merge);
  // The merge of (left, right), or nullptr.
  const Merge* find(int32_t left, int32_t right) const {
    if (slots_.empty()) return nullptr;
    const uint64_t key = pack(left, right);
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.merge;
      if (s.key == kEmpty) return nullptr;
    }
  }
  size_t size() const { return size_; }
  // Makes room for `n` pairs in all, so that inserting them does not rehash.
  void reserve(size_t n);

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  struct Slot {
    uint64_t key = kEmpty;
    Merge merge{};
  };
  static uint64_t pack(int32_t left, int32_t right) {
    return (uint64_t{static_cast<uint32_t>(left)} << 32) | static_cast<uint32_t>(right);
  }
  size_t slot_of(uint64_t key) const { return (key * 0x9E3779B97F4A7C15ull) >> shift_; }
  void rehash(size_t capacity);

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

}  // namespace infermark::text
