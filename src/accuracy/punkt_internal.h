// Internal to the Punkt sources: PunktLanguageVars character classes that both the sentence
// matcher (punkt.cc) and the word tokenizer (punkt_words.cc) use.
#pragma once

#include <string_view>

namespace infermark::accuracy::punkt_internal {

// _re_non_word_chars for English: [)";}\]*:@'({[!?]
inline bool is_non_word_char(char32_t c) {
  return std::u32string_view(U")\";}]*:@'({[!?").find(c) != std::u32string_view::npos;
}

}  // namespace infermark::accuracy::punkt_internal
