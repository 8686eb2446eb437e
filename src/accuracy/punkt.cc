// PunktSentenceTokenizer.tokenize of nltk 3.8, step for step. Python's regular expressions are
// replaced by hand-written scanners; each one names the pattern it implements.
#include "accuracy/punkt.h"

#include <algorithm>

#include "accuracy/punkt_internal.h"
#include "accuracy/python_unicode.h"

namespace infermark::accuracy {
namespace {

using punkt_internal::is_non_word_char;

constexpr int kOrthoBegUc = 1 << 1;
constexpr int kOrthoMidUc = 1 << 2;
constexpr int kOrthoUnkUc = 1 << 3;
constexpr int kOrthoBegLc = 1 << 4;
constexpr int kOrthoMidLc = 1 << 5;
constexpr int kOrthoUnkLc = 1 << 6;
constexpr int kOrthoUc = kOrthoBegUc | kOrthoMidUc | kOrthoUnkUc;
constexpr int kOrthoLc = kOrthoBegLc | kOrthoMidLc | kOrthoUnkLc;

// _ortho_heuristic's three answers.
constexpr int kNotStarter = 0;
constexpr int kStarter = 1;
constexpr int kUnknown = 2;

const std::u32string kNumberType = U"##number##";

bool is_sent_end_char(char32_t c) { return c == '.' || c == '?' || c == '!'; }

// re_boundary_realignment's leading class: ["')\]}]
bool is_closer(char32_t c) { return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}'; }

// string.whitespace, which _get_last_whitespace_index uses (ASCII only, unlike \s).
bool is_ascii_whitespace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// _RE_NUMERIC: ^-?[\.,]?\d[\d,\.-]*\.?$
bool is_numeric(std::u32string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) ++i;
  if (i >= s.size() || !is_decimal(s[i])) return false;
  for (++i; i < s.size(); ++i) {
    const char32_t c = s[i];
    if (!is_decimal(c) && c != ',' && c != '.' && c != '-') return false;
  }
  return true;
}

bool ends_with(std::u32string_view s, std::u32string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

// PunktToken: the token text and the annotations the two passes give it.
struct PunktSentenceTokenizer::Token {
  explicit Token(std::u32string text) : tok(std::move(text)) {
    type = to_lower(tok);
    if (is_numeric(type)) type = kNumberType;
    period_final = !tok.empty() && tok.back() == '.';
  }
  std::u32string_view type_no_period() const {
    std::u32string_view t = type;
    if (t.size() > 1 && t.back() == '.') t.remove_suffix(1);
    return t;
  }
  std::u32string_view type_no_sentperiod() const {
    return sentbreak ? type_no_period() : std::u32string_view(type);
  }
  bool first_upper() const { return is_upper(tok[0]); }
  bool first_lower() const { return is_lower(tok[0]); }
  // _RE_ELLIPSIS: \.\.+$
  bool is_ellipsis() const { return tok.size() >= 2 && tok.find_first_not_of(U'.') == tok.npos; }
  // _RE_INITIAL: [^\W\d]\.$
  bool is_initial() const { return tok.size() == 2 && is_word_non_digit(tok[0]) && tok[1] == '.'; }

  std::u32string tok;
  std::u32string type;
  bool period_final = false;
  bool sentbreak = false;
  bool abbr = false;
  bool ellipsis = false;
};

// A match of period_context_re: a sentence-end character at `pos`, the after_tok group ending
// at `after_end`, and the next_tok group if the match went through whitespace.
struct PunktSentenceTokenizer::EndMatch {
  size_t pos;
  size_t after_end;
  bool has_next_tok;
  size_t next_tok_start;
};

PunktSentenceTokenizer::PunktSentenceTokenizer(PunktParameters params)
    : params_(std::move(params)) {}

void PunktSentenceTokenizer::first_pass(Token& t) const {
  const std::u32string& tok = t.tok;
  if (tok.size() == 1 && is_sent_end_char(tok[0])) {
    t.sentbreak = true;
  } else if (t.is_ellipsis()) {
    t.ellipsis = true;
  } else if (t.period_final && !ends_with(tok, U"..")) {
    const std::u32string base = to_lower(std::u32string_view(tok).substr(0, tok.size() - 1));
    const size_t dash = base.rfind(U'-');
    const std::u32string last = dash == base.npos ? base : base.substr(dash + 1);
    if (params_.abbrev_types.count(base) || params_.abbrev_types.count(last)) {
      t.abbr = true;
    } else {
      t.sentbreak = true;
    }
  }
}

int PunktSentenceTokenizer::ortho_heuristic(const Token& t) const {
  if (t.tok.size() == 1) {
    switch (t.tok[0]) {
      case ';':
      case ':':
      case ',':
      case '.':
      case '!':
      case '?':
        return kNotStarter;
      default:
        break;
    }
  }
  int context = 0;
  if (auto it = params_.ortho_context.find(std::u32string(t.type_no_sentperiod()));
      it != params_.ortho_context.end()) {
    context = it->second;
  }
  if (t.first_upper() && (context & kOrthoLc) && !(context & kOrthoMidUc)) return kStarter;
  if (t.first_lower() && ((context & kOrthoUc) || !(context & kOrthoBegLc))) return kNotStarter;
  return kUnknown;
}

void PunktSentenceTokenizer::second_pass(Token& t1, const Token& t2) const {
  if (!t1.period_final) return;
  const std::u32string_view typ = t1.type_no_period();
  const std::u32string next_typ(t2.type_no_sentperiod());
  const bool is_initial = t1.is_initial();
  std::u32string pair(typ);
  pair += U'\t';
  pair += next_typ;
  if (params_.collocations.count(pair)) {  // collocation heuristic
    t1.sentbreak = false;
    t1.abbr = true;
    return;
  }
  if ((t1.abbr || t1.ellipsis) && !is_initial) {
    if (ortho_heuristic(t2) == kStarter) {
      t1.sentbreak = true;
      return;
    }
    if (t2.first_upper() && params_.sent_starters.count(next_typ)) {
      t1.sentbreak = true;
      return;
    }
  }
  if (is_initial || typ == kNumberType) {
    const int starter = ortho_heuristic(t2);
    if (starter == kNotStarter) {
      t1.sentbreak = false;
      t1.abbr = true;
      return;
    }
    if (starter == kUnknown && is_initial && t2.first_upper()) {
      auto it = params_.ortho_context.find(next_typ);
      const int context = it == params_.ortho_context.end() ? 0 : it->second;
      if (!(context & kOrthoLc)) {
        t1.sentbreak = false;
        t1.abbr = true;
      }
    }
  }
}

bool PunktSentenceTokenizer::text_contains_sentbreak(std::u32string_view text) const {
  std::vector<Token> tokens;
  size_t start = 0;
  while (start <= text.size()) {  // _tokenize_words: lines with a non-space character
    size_t end = text.find(U'\n', start);
    if (end == text.npos) end = text.size();
    const std::u32string_view line = text.substr(start, end - start);
    bool blank = true;
    for (char32_t c : line) blank = blank && is_space(c);
    if (!blank) {
      for (std::u32string& w : word_tokenize(line)) tokens.emplace_back(std::move(w));
    }
    start = end + 1;
  }
  for (Token& t : tokens) first_pass(t);
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    second_pass(tokens[i], tokens[i + 1]);
    if (tokens[i].sentbreak) return true;  // a break before the last token
  }
  return false;
}

std::vector<PunktSentenceTokenizer::EndMatch> PunktSentenceTokenizer::potential_end_contexts(
    std::u32string_view text, std::vector<std::u32string>* contexts) const {
  const size_t n = text.size();
  std::vector<EndMatch> out;
  bool have_previous = false;
  EndMatch previous{};
  size_t prev_start = 0;  // previous_slice
  size_t prev_stop = 0;
  auto emit = [&] {
    std::u32string context(text.substr(prev_start, prev_stop - prev_start));
    context += text.substr(previous.pos, previous.after_end - previous.pos);
    contexts->push_back(std::move(context));
    out.push_back(previous);
  };
  for (size_t i = 0; i < n; ++i) {
    if (!is_sent_end_char(text[i]) || i + 1 >= n) continue;
    EndMatch m{i, 0, false, 0};
    if (is_non_word_char(text[i + 1])) {
      m.after_end = i + 2;
    } else if (is_space(text[i + 1])) {
      size_t j = i + 1;
      while (j < n && is_space(text[j])) ++j;
      if (j == n) continue;
      size_t k = j;
      while (k < n && !is_space(text[k])) ++k;
      m = {i, k, true, j};
    } else {
      continue;
    }
    // The word before the match: after the last ASCII whitespace since the previous match
    // (an index of 0 counts as "none", as in nltk), else the previous word's start.
    size_t last_ws = 0;
    for (size_t k = i; k > prev_stop; --k) {
      if (is_ascii_whitespace(text[k - 1])) {
        last_ws = k - 1 - prev_stop;
        break;
      }
    }
    const size_t word_start = last_ws != 0 ? last_ws + prev_stop + 1 : prev_start;
    if (have_previous && prev_stop <= word_start) emit();
    previous = m;
    have_previous = true;
    prev_start = word_start;
    prev_stop = i;
  }
  if (have_previous) emit();
  return out;
}

namespace {

// Code point slice [start, stop) of Python semantics: empty when start >= stop.
struct Slice {
  size_t start;
  size_t stop;
};

// re_boundary_realignment (["')\]}]+?(?:\s+|(?=--)|$), MULTILINE) matched at the start of
// `s`: returns the number of closing characters it takes and the full match length.
bool realignment_match(std::u32string_view s, size_t* closers, size_t* length) {
  for (size_t len = 1; len <= s.size() && is_closer(s[len - 1]); ++len) {
    if (len < s.size() && is_space(s[len])) {
      size_t end = len;
      while (end < s.size() && is_space(s[end])) ++end;
      *closers = len;
      *length = end;
      return true;
    }
    if ((len + 1 < s.size() && s[len] == '-' && s[len + 1] == '-') || len == s.size()) {
      *closers = len;
      *length = len;
      return true;
    }
  }
  return false;
}

// _realign_boundaries: moves closing quotes and brackets after a break into the sentence
// before it.
std::vector<Slice> realign_boundaries(std::u32string_view text, const std::vector<Slice>& in) {
  std::vector<Slice> out;
  size_t realign = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    const Slice s1{in[k].start + realign, in[k].stop};
    if (k + 1 == in.size()) {
      if (s1.start < s1.stop) out.push_back(s1);
      continue;
    }
    const Slice s2 = in[k + 1];
    std::u32string_view next;
    if (s2.start < s2.stop) next = text.substr(s2.start, s2.stop - s2.start);
    size_t closers = 0;
    size_t length = 0;
    if (realignment_match(next, &closers, &length)) {
      out.push_back({s1.start, s2.start + closers});
      realign = length;
    } else {
      realign = 0;
      if (s1.start < s1.stop) out.push_back(s1);
    }
  }
  return out;
}

}  // namespace

std::vector<TextSpan> PunktSentenceTokenizer::span_tokenize(std::string_view utf8) const {
  std::vector<size_t> offsets;
  const std::u32string text = utf8_decode(utf8, &offsets);
  // _slices_from_text
  std::vector<std::u32string> contexts;
  const std::vector<EndMatch> matches = potential_end_contexts(text, &contexts);
  std::vector<Slice> slices;
  size_t last_break = 0;
  for (size_t k = 0; k < matches.size(); ++k) {
    if (!text_contains_sentbreak(contexts[k])) continue;
    const EndMatch& m = matches[k];
    slices.push_back({last_break, m.pos + 1});
    last_break = m.has_next_tok ? m.next_tok_start : m.pos + 1;
  }
  size_t stripped_end = text.size();  // len(text.rstrip())
  while (stripped_end > 0 && is_space(text[stripped_end - 1])) --stripped_end;
  slices.push_back({last_break, stripped_end});

  std::vector<TextSpan> spans;
  for (const Slice& s : realign_boundaries(text, slices)) {
    const size_t begin = offsets[std::min(s.start, text.size())];
    const size_t end = offsets[std::min(s.stop, text.size())];
    spans.push_back({begin, std::max(begin, end)});
  }
  return spans;
}

std::vector<std::string> PunktSentenceTokenizer::tokenize(std::string_view text) const {
  std::vector<std::string> out;
  for (const TextSpan& s : span_tokenize(text)) {
    out.emplace_back(text.substr(s.begin, s.end - s.begin));
  }
  return out;
}

}  // namespace infermark::accuracy
