// The merge loop keeps the symbols of a piece as a doubly linked list over an array and the
// candidate pairs in a binary heap ordered by (rank, position); entries made stale by an earlier
// merge are recognised by their ids and dropped, as in tokenizers' word.rs. Scratch buffers and
// the word cache are thread_local, so encoding allocates only when they grow.
#include "text/bpe.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <string>
#include <unordered_map>

namespace infermark::text {
namespace {

constexpr size_t kMaxCachedPieceBytes = 128;
constexpr size_t kMaxCacheEntries = 1 << 16;

struct Symbol {
  int32_t id;    // -1 once merged into its left neighbour
  int32_t prev;  // index, -1 for none
  int32_t next;  // index, n for none
};

struct Candidate {
  int32_t rank;
  int32_t pos;  // index of the left symbol
  int32_t left, right, merged;
  // Heap order: lowest rank first, then leftmost.
  bool operator<(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return hash_bytes(s); }
};

struct ThreadState {
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
  uint64_t cache_owner = 0;
  std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> cache;
};

ThreadState& thread_state() {
  thread_local ThreadState state;
  return state;
}

std::atomic<uint64_t> next_serial{1};

}  // namespace

BpeModel::BpeModel() : serial_(next_serial.fetch_add(1)) { byte_ids_.fill(-1); }

bool BpeModel::add_token(std::string_view bytes, int32_t id) {
  if (!vocab_.insert(bytes, id)) return false;
  if (bytes.size() == 1) byte_ids_[static_cast<uint8_t>(bytes[0])] = id;
  return true;
}

bool BpeModel::add_merge(int32_t left, int32_t right, int32_t merged) {
  return merges_.insert(left, right, {static_cast<int32_t>(merges_.size()), merged});
}

int BpeModel::missing_byte() const {
  for (int b = 0; b < 256; ++b) {
    if (byte_ids_[b] < 0) return b;
  }
  return -1;
}

void BpeModel::encode_piece(std::string_view piece, std::vector<int32_t>& out) const {
  if (piece.size() == 1) {
    out.push_back(byte_ids_[static_cast<uint8_t>(piece[0])]);
    return;
  }
  if (ignore_merges_) {
    const int32_t id = vocab_.find(piece);
    if (id >= 0) {
      out.push_back(id);
      return;
    }
  }
  if (piece.size() > kMaxCachedPieceBytes) {
    merge_bytes(piece, out);
    return;
  }
  ThreadState& ts = thread_state();
  if (ts.cache_owner != serial_ || ts.cache.size() >= kMaxCacheEntries) {
    ts.cache.clear();
    ts.cache_owner = serial_;
  }
  if (auto it = ts.cache.find(piece); it != ts.cache.end()) {
    out.insert(out.end(), it->second.begin(), it->second.end());
    return;
  }
  const size_t start = out.size();
  merge_bytes(piece, out);
  ts.cache.emplace(std::string(piece), std::vector<int32_t>(out.begin() + start, out.end()));
}

void BpeModel::merge_bytes(std::string_view piece, std::vector<int32_t>& out) const {
  ThreadState& ts = thread_state();
  auto& sym = ts.symbols;
  auto& heap = ts.heap;
  const auto n = static_cast<int32_t>(piece.size());
  sym.resize(static_cast<size_t>(n));
  heap.clear();
  for (int32_t i = 0; i < n; ++i)
    sym[i] = {byte_ids_[static_cast<uint8_t>(piece[i])], i - 1, i + 1};
  auto push_pair = [&](int32_t left) {
    const int32_t right = sym[left].next;
    if (const Merge* m = merges_.find(sym[left].id, sym[right].id)) {
      heap.push_back({m->rank, left, sym[left].id, sym[right].id, m->merged});
      std::push_heap(heap.begin(), heap.end());
    }
  };
  for (int32_t i = 0; i + 1 < n; ++i) push_pair(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end());
    const Candidate c = heap.back();
    heap.pop_back();
    Symbol& left = sym[c.pos];
    if (left.id != c.left || left.next >= n || sym[left.next].id != c.right) continue;
    Symbol& right = sym[left.next];
    left.id = c.merged;
    right.id = -1;
    left.next = right.next;
    if (left.next < n) sym[left.next].prev = c.pos;
    if (left.prev >= 0) push_pair(left.prev);
    if (left.next < n) push_pair(c.pos);
  }
  for (int32_t i = 0; i < n; i = sym[i].next) out.push_back(sym[i].id);
}

}  // namespace infermark::text
