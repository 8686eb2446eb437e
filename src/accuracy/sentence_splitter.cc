#include "accuracy/sentence_splitter.h"

#include <array>

#include "accuracy/python_unicode.h"
#include "util/error.h"

namespace infermark::accuracy {
namespace {

bool is_abbreviation(std::u32string_view word) {
  static constexpr std::array<std::u32string_view, 32> kAbbreviations = {
      U"mr",  U"mrs", U"ms",  U"dr",   U"prof", U"st",  U"jr",   U"sr",  U"gen", U"gov", U"sen",
      U"rep", U"lt",  U"col", U"capt", U"sgt",  U"inc", U"corp", U"co",  U"ltd", U"vs",  U"etc",
      U"no",  U"jan", U"feb", U"aug",  U"sept", U"oct", U"nov",  U"dec", U"mt",  U"ft"};
  for (std::u32string_view a : kAbbreviations) {
    if (a == word) return true;
  }
  // Dotted forms such as "U.S" or "a.m": a letter after every period.
  return word.size() >= 3 && word[1] == U'.';
}

bool is_closing(char32_t c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201D || c == 0x2019;
}

bool is_opening(char32_t c) {
  return c == '"' || c == '\'' || c == '(' || c == 0x201C || c == 0x2018;
}

std::vector<TextSpan> approximate_split(std::string_view utf8) {
  std::vector<size_t> offsets;
  const std::u32string t = utf8_decode(utf8, &offsets);
  std::vector<TextSpan> out;
  size_t start = 0;
  size_t i = 0;
  while (i < t.size()) {
    if (t[i] != '.' && t[i] != '?' && t[i] != '!') {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < t.size() && (t[end] == '.' || t[end] == '?' || t[end] == '!')) ++end;
    while (end < t.size() && is_closing(t[end])) ++end;
    size_t next = end;
    while (next < t.size() && is_space(t[next])) ++next;
    bool split = next > end && next < t.size() &&
                 (is_upper(t[next]) || is_decimal(t[next]) || is_opening(t[next]));
    if (split && t[i] == '.' && end == i + 1) {
      size_t w = i;  // the word before the period
      while (w > start && !is_space(t[w - 1])) --w;
      const std::u32string word = to_lower(std::u32string_view(t).substr(w, i - w));
      split = !(word.size() == 1 || is_abbreviation(word));
    }
    if (split) {
      out.push_back({offsets[start], offsets[end]});
      start = next;
    }
    i = end;
  }
  size_t stop = t.size();
  while (stop > start && is_space(t[stop - 1])) --stop;
  if (stop > start) out.push_back({offsets[start], offsets[stop]});
  return out;
}

}  // namespace

SentenceSplitter SentenceSplitter::punkt(PunktParameters params) {
  return SentenceSplitter(std::make_shared<const PunktSentenceTokenizer>(std::move(params)));
}

SentenceSplitter SentenceSplitter::approximate() { return SentenceSplitter(nullptr); }

std::vector<TextSpan> SentenceSplitter::split(std::string_view text) const {
  return punkt_ ? punkt_->span_tokenize(text) : approximate_split(text);
}

std::string SentenceSplitter::postprocess(std::string_view text) const {
  const std::string_view stripped = python_strip(text);
  std::string out;
  out.reserve(stripped.size());
  bool first = true;
  for (const TextSpan& s : split(stripped)) {
    if (!first) out.push_back('\n');
    out.append(stripped.substr(s.begin, s.end - s.begin));
    first = false;
  }
  return out;
}

SplitterChoice load_sentence_splitter(const std::optional<std::filesystem::path>& punkt_dir,
                                      bool allow_approximate) {
  if (auto dir = find_punkt_dir(punkt_dir)) {
    return {SentenceSplitter::punkt(load_punkt_parameters(*dir)), *dir};
  }
  std::string tried;
  for (const auto& d : punkt_search_dirs(punkt_dir)) {
    tried += (tried.empty() ? "" : ", ") + d.string();
  }
  constexpr std::string_view kFiles =
      "abbrev_types.txt, collocations.tab, ortho_context.tab, sent_starters.txt";
  if (punkt_dir) {
    throw Error::format("--punkt {}: no NLTK punkt_tab English data ({}) in {}",
                        punkt_dir->string(), kFiles, tried);
  }
  if (allow_approximate) return {SentenceSplitter::approximate(), std::nullopt};
  throw Error::format(
      "NLTK Punkt parameters (punkt_tab/english: {}) not found; looked in {}. MLPerf's accuracy "
      "numbers (rougeLsum, gen_len) depend on NLTK's Punkt sentence splitter, so infermark does "
      "not score without it. Get the data with `python3 -m nltk.downloader punkt_tab` (it goes "
      "to ~/nltk_data) or point --punkt DIR at a punkt_tab folder; "
      "--approximate-sentence-split scores with a simple splitter instead, and marks the "
      "results not comparable with MLPerf's",
      kFiles, tried);
}

std::string_view python_strip(std::string_view text) {
  std::vector<size_t> offsets;
  const std::u32string t = utf8_decode(text, &offsets);
  size_t begin = 0;
  size_t end = t.size();
  while (begin < end && is_space(t[begin])) ++begin;
  while (end > begin && is_space(t[end - 1])) --end;
  return text.substr(offsets[begin], offsets[end] - offsets[begin]);
}

}  // namespace infermark::accuracy
