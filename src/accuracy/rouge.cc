#include "accuracy/rouge.h"

#include <algorithm>
#include <cstddef>

#include "accuracy/porter_stemmer.h"

namespace infermark::accuracy {
namespace {

// Flushes caches beyond this many distinct words (between pairs), bounding memory.
constexpr size_t kMaxCachedWords = 1 << 21;

bool ascii_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Calls on_char(lower-cased ASCII char) for characters that survive rouge_score's
// `re.sub(r"[^a-z0-9]+", " ", text.lower())`, on_break() for separators and on_newline() for
// "\n". Only two non-ASCII code points lower-case to [a-z0-9]: U+0130 (to "i" + U+0307) and
// U+212A KELVIN SIGN (to "k").
template <typename OnChar, typename OnBreak, typename OnNewline>
void scan_rouge_chars(std::string_view text, OnChar on_char, OnBreak on_break,
                      OnNewline on_newline) {
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (ascii_alnum(c)) {
        on_char(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
      } else if (c == '\n') {
        on_newline();
      } else {
        on_break();
      }
      ++i;
      continue;
    }
    if (c == 0xC4 && i + 1 < n && static_cast<unsigned char>(text[i + 1]) == 0xB0) {
      on_char('i');  // U+0130, followed by the (separating) U+0307
      on_break();
      i += 2;
    } else if (c == 0xE2 && i + 2 < n && static_cast<unsigned char>(text[i + 1]) == 0x84 &&
               static_cast<unsigned char>(text[i + 2]) == 0xAA) {
      on_char('k');  // U+212A
      i += 3;
    } else {
      on_break();
      ++i;  // continuation bytes also land here and are separators too
    }
  }
}

std::string stem_if_long(const std::string& token, bool use_stemmer) {
  if (use_stemmer && token.size() > 3) return porter_stem(token);
  return token;
}

// Sorted start indices of the n-grams of `tokens`, grouped so equal n-grams are adjacent.
std::vector<size_t> sorted_ngrams(std::span<const int32_t> tokens, size_t n) {
  std::vector<size_t> starts;
  if (tokens.size() < n) return starts;
  starts.resize(tokens.size() - n + 1);
  for (size_t i = 0; i < starts.size(); ++i) starts[i] = i;
  std::sort(starts.begin(), starts.end(), [&](size_t a, size_t b) {
    return std::lexicographical_compare(tokens.begin() + a, tokens.begin() + a + n,
                                        tokens.begin() + b, tokens.begin() + b + n);
  });
  return starts;
}

// Compares the n-grams starting at a in x and at b in y: <0, 0, >0.
int compare_ngrams(std::span<const int32_t> x, size_t a, std::span<const int32_t> y, size_t b,
                   size_t n) {
  for (size_t k = 0; k < n; ++k) {
    if (x[a + k] != y[b + k]) return x[a + k] < y[b + k] ? -1 : 1;
  }
  return 0;
}

// The (|ref|+1) x (|can|+1) LCS length table of _lcs_table, row-major.
void lcs_table(std::span<const int32_t> ref, std::span<const int32_t> can,
               std::vector<int32_t>& t) {
  const size_t cols = can.size() + 1;
  t.assign((ref.size() + 1) * cols, 0);
  for (size_t i = 1; i <= ref.size(); ++i) {
    const int32_t* up = &t[(i - 1) * cols];
    int32_t* row = &t[i * cols];
    const int32_t r = ref[i - 1];
    for (size_t j = 1; j < cols; ++j) {
      row[j] = r == can[j - 1] ? up[j - 1] + 1 : std::max(up[j], row[j - 1]);
    }
  }
}

size_t lcs_length(std::span<const int32_t> a, std::span<const int32_t> b) {
  if (a.size() < b.size()) std::swap(a, b);
  thread_local std::vector<int32_t> row;
  row.assign(b.size() + 1, 0);
  for (int32_t x : a) {
    int32_t diag = 0;
    for (size_t j = 1; j <= b.size(); ++j) {
      const int32_t up = row[j];
      row[j] = x == b[j - 1] ? diag + 1 : std::max(up, row[j - 1]);
      diag = up;
    }
  }
  return static_cast<size_t>(row[b.size()]);
}

}  // namespace

double fmeasure(double precision, double recall) {
  if (precision + recall > 0) return 2 * precision * recall / (precision + recall);
  return 0.0;
}

std::vector<std::string> rouge_tokenize(std::string_view text, bool use_stemmer) {
  std::vector<std::string> tokens;
  std::string current;
  auto flush = [&] {
    if (current.empty()) return;
    std::string token = stem_if_long(current, use_stemmer);
    if (!token.empty()) tokens.push_back(std::move(token));
    current.clear();
  };
  scan_rouge_chars(
      text, [&](char c) { current.push_back(c); }, flush, flush);
  flush();
  return tokens;
}

Score score_ngrams(std::span<const int32_t> target, std::span<const int32_t> prediction, int n) {
  const size_t len = n < 1 ? 1 : static_cast<size_t>(n);
  const std::vector<size_t> t = sorted_ngrams(target, len);
  const std::vector<size_t> p = sorted_ngrams(prediction, len);
  size_t overlap = 0;
  size_t i = 0;
  size_t j = 0;
  while (i < t.size() && j < p.size()) {
    const int cmp = compare_ngrams(target, t[i], prediction, p[j], len);
    if (cmp < 0) {
      ++i;
    } else if (cmp > 0) {
      ++j;
    } else {
      ++overlap;  // pairs equal n-grams one to one: Σ min(count_t, count_p)
      ++i;
      ++j;
    }
  }
  Score s;
  s.precision = static_cast<double>(overlap) / static_cast<double>(std::max<size_t>(p.size(), 1));
  s.recall = static_cast<double>(overlap) / static_cast<double>(std::max<size_t>(t.size(), 1));
  s.fmeasure = fmeasure(s.precision, s.recall);
  return s;
}

Score score_lcs(std::span<const int32_t> target, std::span<const int32_t> prediction) {
  Score s;
  if (target.empty() || prediction.empty()) return s;
  const auto lcs = static_cast<double>(lcs_length(target, prediction));
  s.precision = lcs / static_cast<double>(prediction.size());
  s.recall = lcs / static_cast<double>(target.size());
  s.fmeasure = fmeasure(s.precision, s.recall);
  return s;
}

std::vector<size_t> lcs_indices(std::span<const int32_t> ref, std::span<const int32_t> can) {
  thread_local std::vector<int32_t> t;
  lcs_table(ref, can, t);
  const size_t cols = can.size() + 1;
  std::vector<size_t> out;
  size_t i = ref.size();
  size_t j = can.size();
  while (i > 0 && j > 0) {
    if (ref[i - 1] == can[j - 1]) {
      out.push_back(i - 1);
      --i;
      --j;
    } else if (t[i * cols + j - 1] > t[(i - 1) * cols + j]) {
      --j;
    } else {
      --i;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Score summary_level_lcs(const std::vector<std::vector<int32_t>>& ref_sentences,
                        const std::vector<std::vector<int32_t>>& can_sentences) {
  Score s;
  size_t m = 0;
  size_t n = 0;
  for (const auto& r : ref_sentences) m += r.size();
  for (const auto& c : can_sentences) n += c.size();
  if (m == 0 || n == 0) return s;
  // Dense local indices for the token counters.
  std::vector<int32_t> vocab;
  vocab.reserve(m + n);
  for (const auto& r : ref_sentences) vocab.insert(vocab.end(), r.begin(), r.end());
  for (const auto& c : can_sentences) vocab.insert(vocab.end(), c.begin(), c.end());
  std::sort(vocab.begin(), vocab.end());
  vocab.erase(std::unique(vocab.begin(), vocab.end()), vocab.end());
  auto local = [&](int32_t id) {
    return static_cast<size_t>(std::lower_bound(vocab.begin(), vocab.end(), id) - vocab.begin());
  };
  std::vector<int32_t> count_r(vocab.size(), 0);
  std::vector<int32_t> count_c(vocab.size(), 0);
  for (const auto& r : ref_sentences) {
    for (int32_t id : r) ++count_r[local(id)];
  }
  for (const auto& c : can_sentences) {
    for (int32_t id : c) ++count_c[local(id)];
  }
  size_t hits = 0;
  std::vector<char> in_union;
  for (const auto& r : ref_sentences) {
    in_union.assign(r.size(), 0);
    for (const auto& c : can_sentences) {
      for (size_t idx : lcs_indices(r, c)) in_union[idx] = 1;
    }
    for (size_t idx = 0; idx < r.size(); ++idx) {
      if (!in_union[idx]) continue;
      const size_t t = local(r[idx]);
      if (count_c[t] > 0 && count_r[t] > 0) {
        ++hits;
        --count_c[t];
        --count_r[t];
      }
    }
  }
  s.recall = static_cast<double>(hits) / static_cast<double>(m);
  s.precision = static_cast<double>(hits) / static_cast<double>(n);
  s.fmeasure = fmeasure(s.precision, s.recall);
  return s;
}

RougeScorer::RougeScorer(bool use_stemmer) : use_stemmer_(use_stemmer) {}

int32_t RougeScorer::id_of(const std::string& token) {
  if (auto it = word_ids_.find(token); it != word_ids_.end()) return it->second;
  const std::string stem = stem_if_long(token, use_stemmer_);
  int32_t id = -1;  // an empty stem (never happens) is dropped like rouge_score drops it
  if (!stem.empty()) {
    auto [it, inserted] = stem_ids_.try_emplace(stem, static_cast<int32_t>(stem_ids_.size()));
    id = it->second;
  }
  word_ids_.emplace(token, id);
  return id;
}

void RougeScorer::tokenize(std::string_view text, Tokenized& out) {
  out.ids.clear();
  out.line_ends.clear();
  token_.clear();
  auto flush = [&] {
    if (token_.empty()) return;
    const int32_t id = id_of(token_);
    if (id >= 0) out.ids.push_back(id);
    token_.clear();
  };
  auto newline = [&] {
    flush();
    if (out.ids.size() > (out.line_ends.empty() ? 0 : out.line_ends.back())) {
      out.line_ends.push_back(out.ids.size());
    }
  };
  scan_rouge_chars(
      text, [&](char c) { token_.push_back(c); }, flush, newline);
  newline();
}

size_t RougeScorer::localize() {
  if (local_of_.size() < stem_ids_.size()) local_of_.resize(stem_ids_.size(), -1);
  int32_t next = 0;
  auto map = [&](const std::vector<int32_t>& ids, std::vector<int32_t>& out) {
    out.resize(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      int32_t& local = local_of_[static_cast<size_t>(ids[i])];
      if (local < 0) local = next++;
      out[i] = local;
    }
  };
  map(target_.ids, local_t_);
  map(prediction_.ids, local_p_);
  for (int32_t id : target_.ids) local_of_[static_cast<size_t>(id)] = -1;
  for (int32_t id : prediction_.ids) local_of_[static_cast<size_t>(id)] = -1;
  return static_cast<size_t>(next);
}

Score RougeScorer::rouge2(size_t distinct) {
  auto keys = [&](const std::vector<int32_t>& ids, std::vector<uint64_t>& out) {
    out.clear();
    for (size_t i = 1; i < ids.size(); ++i) {
      out.push_back(static_cast<uint64_t>(ids[i - 1]) * distinct + static_cast<uint64_t>(ids[i]));
    }
    std::sort(out.begin(), out.end());
  };
  keys(local_t_, keys_t_);
  keys(local_p_, keys_p_);
  size_t overlap = 0;
  for (size_t i = 0, j = 0; i < keys_t_.size() && j < keys_p_.size();) {
    if (keys_t_[i] < keys_p_[j]) {
      ++i;
    } else if (keys_p_[j] < keys_t_[i]) {
      ++j;
    } else {
      ++overlap, ++i, ++j;
    }
  }
  Score s;
  s.precision =
      static_cast<double>(overlap) / static_cast<double>(std::max<size_t>(keys_p_.size(), 1));
  s.recall =
      static_cast<double>(overlap) / static_cast<double>(std::max<size_t>(keys_t_.size(), 1));
  s.fmeasure = fmeasure(s.precision, s.recall);
  return s;
}

void RougeScorer::mark_lcs(std::span<const int32_t> ref, std::span<const int32_t> can) {
  lcs_table(ref, can, table_);
  const size_t cols = can.size() + 1;
  size_t i = ref.size();
  size_t j = can.size();
  while (i > 0 && j > 0) {
    if (ref[i - 1] == can[j - 1]) {
      in_union_[i - 1] = 1;
      --i;
      --j;
    } else if (table_[i * cols + j - 1] > table_[(i - 1) * cols + j]) {
      --j;
    } else {
      --i;
    }
  }
}

Score RougeScorer::lsum(size_t distinct) {
  Score s;
  const size_t m = local_t_.size();
  const size_t n = local_p_.size();
  if (m == 0 || n == 0) return s;
  count_t_.assign(distinct, 0);
  count_p_.assign(distinct, 0);
  for (int32_t t : local_t_) ++count_t_[static_cast<size_t>(t)];
  for (int32_t t : local_p_) ++count_p_[static_cast<size_t>(t)];
  const std::span<const int32_t> target(local_t_);
  const std::span<const int32_t> prediction(local_p_);
  size_t hits = 0;
  size_t ref_begin = 0;
  for (size_t ref_end : target_.line_ends) {
    const auto ref = target.subspan(ref_begin, ref_end - ref_begin);
    in_union_.assign(ref.size(), 0);
    size_t can_begin = 0;
    for (size_t can_end : prediction_.line_ends) {
      mark_lcs(ref, prediction.subspan(can_begin, can_end - can_begin));
      can_begin = can_end;
    }
    for (size_t k = 0; k < ref.size(); ++k) {
      if (!in_union_[k]) continue;
      const auto t = static_cast<size_t>(ref[k]);
      if (count_p_[t] > 0 && count_t_[t] > 0) {
        ++hits;
        --count_p_[t];
        --count_t_[t];
      }
    }
    ref_begin = ref_end;
  }
  s.recall = static_cast<double>(hits) / static_cast<double>(m);
  s.precision = static_cast<double>(hits) / static_cast<double>(n);
  s.fmeasure = fmeasure(s.precision, s.recall);
  return s;
}

RougeScores RougeScorer::score(std::string_view target, std::string_view prediction) {
  if (word_ids_.size() > kMaxCachedWords) {
    word_ids_.clear();
    stem_ids_.clear();
  }
  tokenize(target, target_);
  tokenize(prediction, prediction_);
  const size_t distinct = localize();
  RougeScores r;
  // ROUGE-1: Σ min(count_t, count_p) over unigrams.
  count_t_.assign(distinct, 0);
  count_p_.assign(distinct, 0);
  for (int32_t t : local_t_) ++count_t_[static_cast<size_t>(t)];
  for (int32_t t : local_p_) ++count_p_[static_cast<size_t>(t)];
  size_t overlap = 0;
  for (size_t k = 0; k < distinct; ++k)
    overlap += static_cast<size_t>(std::min(count_t_[k], count_p_[k]));
  r.rouge1.precision =
      static_cast<double>(overlap) / static_cast<double>(std::max<size_t>(local_p_.size(), 1));
  r.rouge1.recall =
      static_cast<double>(overlap) / static_cast<double>(std::max<size_t>(local_t_.size(), 1));
  r.rouge1.fmeasure = fmeasure(r.rouge1.precision, r.rouge1.recall);
  r.rouge2 = rouge2(distinct);
  r.rougeL = score_lcs(local_t_, local_p_);
  r.rougeLsum = lsum(distinct);
  return r;
}

}  // namespace infermark::accuracy
