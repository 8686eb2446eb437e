#include "accuracy/porter_stemmer.h"

#include <array>
#include <cstddef>
#include <utility>

#include "accuracy/python_unicode.h"

namespace infermark::accuracy {
namespace {

// The algorithm, written once for both std::string (ASCII words, the fast path) and
// std::u32string (anything else). Positions and lengths are in code points, as in Python.
template <typename Str>
class Porter {
 public:
  using Ch = typename Str::value_type;

  static Str run(Str w) {
    w = step1a(std::move(w));
    w = step1b(std::move(w));
    w = step1c(std::move(w));
    w = step2(std::move(w));
    w = step3(std::move(w));
    w = step4(std::move(w));
    w = step5a(std::move(w));
    return step5b(std::move(w));
  }

 private:
  // A rule of _apply_rule_list: suffix, replacement and the condition on the remaining stem.
  enum class Cond { kNone, kM0, kM1, kIon, kLogi };
  struct Rule {
    std::string_view suffix;
    std::string_view replacement;
    Cond cond;
  };

  static bool is_vowel(Ch c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

  // _is_consonant: 'y' is a consonant at the start or after a vowel.
  static bool is_consonant(const Str& w, size_t i) {
    bool flip = false;
    while (true) {
      const Ch c = w[i];
      if (is_vowel(c)) return flip;
      if (c != 'y' || i == 0) return !flip;
      flip = !flip;
      --i;
    }
  }

  // _measure over w[0, len): the number of vowel-to-consonant transitions.
  static int measure(const Str& w, size_t len) {
    int m = 0;
    bool prev_cons = true;
    for (size_t i = 0; i < len; ++i) {
      const Ch c = w[i];
      const bool cons = is_vowel(c) ? false : (c == 'y' && i > 0 ? !prev_cons : true);
      if (cons && i > 0 && !prev_cons) ++m;
      prev_cons = cons;
    }
    return m;
  }

  static bool contains_vowel(const Str& w, size_t len) {
    for (size_t i = 0; i < len; ++i) {
      if (!is_consonant(w, i)) return true;
    }
    return false;
  }

  static bool ends_double_consonant(const Str& w) {
    const size_t n = w.size();
    return n >= 2 && w[n - 1] == w[n - 2] && is_consonant(w, n - 1);
  }

  // The *o condition, with NLTK's extension to two-letter vowel-consonant words.
  static bool ends_cvc(const Str& w) {
    const size_t n = w.size();
    if (n >= 3 && is_consonant(w, n - 3) && !is_consonant(w, n - 2) && is_consonant(w, n - 1)) {
      const Ch last = w[n - 1];
      if (last != 'w' && last != 'x' && last != 'y') return true;
    }
    return n == 2 && !is_consonant(w, 0) && is_consonant(w, 1);
  }

  static bool ends_with(const Str& w, std::string_view suffix) {
    if (w.size() < suffix.size()) return false;
    const size_t off = w.size() - suffix.size();
    for (size_t i = 0; i < suffix.size(); ++i) {
      if (w[off + i] != static_cast<Ch>(static_cast<unsigned char>(suffix[i]))) return false;
    }
    return true;
  }

  static Str replaced(Str w, size_t cut, std::string_view replacement) {
    // Callers pass cut <= w.size(); erase() keeps that visible to the optimizer.
    w.erase(w.begin() + static_cast<std::ptrdiff_t>(w.size() - cut), w.end());
    for (char c : replacement) w.push_back(static_cast<Ch>(c));
    return w;
  }

  static bool holds(Cond cond, const Str& w, size_t stem_len) {
    switch (cond) {
      case Cond::kNone:
        return true;
      case Cond::kM0:
        return measure(w, stem_len) > 0;
      case Cond::kM1:
        return measure(w, stem_len) > 1;
      case Cond::kIon:
        return measure(w, stem_len) > 1 && (w[stem_len - 1] == 's' || w[stem_len - 1] == 't');
      case Cond::kLogi:  // NLTK measures the stem plus the 'l' of "logi"
        return measure(w, w.size() - 3) > 0;
    }
    return false;
  }

  // _apply_rule_list: the first rule whose suffix matches decides; if its condition fails the
  // word is returned unchanged.
  template <size_t N>
  static Str apply(Str w, const std::array<Rule, N>& rules) {
    for (const Rule& r : rules) {
      if (!ends_with(w, r.suffix)) continue;
      const size_t stem_len = w.size() - r.suffix.size();
      if (!holds(r.cond, w, stem_len)) return w;
      return replaced(std::move(w), r.suffix.size(), r.replacement);
    }
    return w;
  }

  static Str step1a(Str w) {
    if (ends_with(w, "ies") && w.size() == 4) return replaced(std::move(w), 3, "ie");
    static constexpr std::array<Rule, 4> kRules{{{"sses", "ss", Cond::kNone},
                                                 {"ies", "i", Cond::kNone},
                                                 {"ss", "ss", Cond::kNone},
                                                 {"s", "", Cond::kNone}}};
    return apply(std::move(w), kRules);
  }

  static Str step1b(Str w) {
    if (ends_with(w, "ied")) {
      const std::string_view replacement = w.size() == 4 ? "ie" : "i";
      return replaced(std::move(w), 3, replacement);
    }
    if (ends_with(w, "eed")) {
      if (measure(w, w.size() - 3) > 0) return replaced(std::move(w), 3, "ee");
      return w;
    }
    size_t cut = 0;
    if (ends_with(w, "ed") && contains_vowel(w, w.size() - 2)) {
      cut = 2;
    } else if (ends_with(w, "ing") && contains_vowel(w, w.size() - 3)) {
      cut = 3;
    }
    if (cut == 0) return w;
    Str stem = replaced(std::move(w), cut, "");
    if (ends_with(stem, "at") || ends_with(stem, "bl") || ends_with(stem, "iz")) {
      stem.push_back('e');
      return stem;
    }
    if (ends_double_consonant(stem)) {
      const Ch last = stem.back();
      if (last != 'l' && last != 's' && last != 'z') stem.pop_back();
      return stem;
    }
    if (measure(stem, stem.size()) == 1 && ends_cvc(stem)) stem.push_back('e');
    return stem;
  }

  static Str step1c(Str w) {
    if (!ends_with(w, "y")) return w;
    const size_t stem_len = w.size() - 1;
    if (stem_len > 1 && is_consonant(w, stem_len - 1)) w.back() = 'i';
    return w;
  }

  static Str step2(Str w) {
    if (ends_with(w, "alli") && measure(w, w.size() - 4) > 0) {
      return step2(replaced(std::move(w), 4, "al"));
    }
    static constexpr std::array<Rule, 22> kRules{{
        {"ational", "ate", Cond::kM0}, {"tional", "tion", Cond::kM0}, {"enci", "ence", Cond::kM0},
        {"anci", "ance", Cond::kM0},   {"izer", "ize", Cond::kM0},    {"bli", "ble", Cond::kM0},
        {"alli", "al", Cond::kM0},     {"entli", "ent", Cond::kM0},   {"eli", "e", Cond::kM0},
        {"ousli", "ous", Cond::kM0},   {"ization", "ize", Cond::kM0}, {"ation", "ate", Cond::kM0},
        {"ator", "ate", Cond::kM0},    {"alism", "al", Cond::kM0},    {"iveness", "ive", Cond::kM0},
        {"fulness", "ful", Cond::kM0}, {"ousness", "ous", Cond::kM0}, {"aliti", "al", Cond::kM0},
        {"iviti", "ive", Cond::kM0},   {"biliti", "ble", Cond::kM0},  {"fulli", "ful", Cond::kM0},
        {"logi", "log", Cond::kLogi},
    }};
    return apply(std::move(w), kRules);
  }

  static Str step3(Str w) {
    static constexpr std::array<Rule, 7> kRules{{
        {"icate", "ic", Cond::kM0},
        {"ative", "", Cond::kM0},
        {"alize", "al", Cond::kM0},
        {"iciti", "ic", Cond::kM0},
        {"ical", "ic", Cond::kM0},
        {"ful", "", Cond::kM0},
        {"ness", "", Cond::kM0},
    }};
    return apply(std::move(w), kRules);
  }

  static Str step4(Str w) {
    static constexpr std::array<Rule, 19> kRules{{
        {"al", "", Cond::kM1},   {"ance", "", Cond::kM1}, {"ence", "", Cond::kM1},
        {"er", "", Cond::kM1},   {"ic", "", Cond::kM1},   {"able", "", Cond::kM1},
        {"ible", "", Cond::kM1}, {"ant", "", Cond::kM1},  {"ement", "", Cond::kM1},
        {"ment", "", Cond::kM1}, {"ent", "", Cond::kM1},  {"ion", "", Cond::kIon},
        {"ou", "", Cond::kM1},   {"ism", "", Cond::kM1},  {"ate", "", Cond::kM1},
        {"iti", "", Cond::kM1},  {"ous", "", Cond::kM1},  {"ive", "", Cond::kM1},
        {"ize", "", Cond::kM1},
    }};
    return apply(std::move(w), kRules);
  }

  static Str step5a(Str w) {
    if (!ends_with(w, "e")) return w;
    const size_t stem_len = w.size() - 1;
    const int m = measure(w, stem_len);
    if (m > 1) {
      w.pop_back();
      return w;
    }
    if (m == 1) {
      Str stem(w, 0, stem_len);
      if (!ends_cvc(stem)) return stem;
    }
    return w;
  }

  static Str step5b(Str w) {
    if (ends_with(w, "ll") && measure(w, w.size() - 1) > 1) w.pop_back();
    return w;
  }
};

// NLTK's irregular forms: the word as given (before lower-casing) -> its stem.
std::string_view irregular_form(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kPool{{
      {"sky", "sky"},
      {"skies", "sky"},
      {"dying", "die"},
      {"lying", "lie"},
      {"tying", "tie"},
      {"news", "news"},
      {"innings", "inning"},
      {"inning", "inning"},
      {"outings", "outing"},
      {"outing", "outing"},
      {"cannings", "canning"},
      {"canning", "canning"},
      {"howe", "howe"},
      {"proceed", "proceed"},
      {"exceed", "exceed"},
      {"succeed", "succeed"},
  }};
  for (const auto& [form, stem] : kPool) {
    if (form == word) return stem;
  }
  return {};
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

std::string porter_stem(std::string_view word) {
  if (std::string_view irregular = irregular_form(word); !irregular.empty()) {
    return std::string(irregular);
  }
  if (is_ascii(word)) {
    std::string lower(word);
    for (char& c : lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    if (word.size() <= 2) return lower;
    return Porter<std::string>::run(std::move(lower));
  }
  const std::u32string original = utf8_decode(word);
  std::u32string lower = to_lower(original);
  if (original.size() <= 2) return utf8_encode(lower);
  return utf8_encode(Porter<std::u32string>::run(std::move(lower)));
}

}  // namespace infermark::accuracy
