// NLTK's Porter stemmer in its default NLTK_EXTENSIONS mode, reproduced exactly.
//
// MLPerf's ROUGE (rouge_score 0.1.2 with use_stemmer=True) stems every token longer than three
// characters with `nltk.stem.porter.PorterStemmer()`; this is that stemmer, including NLTK's
// irregular-forms table and its departures from the 1980 paper. Input is UTF-8 and is lower-cased
// the way Python's str.lower() does (see unicode.h for the one documented gap, final sigma).
#pragma once

#include <string>
#include <string_view>

namespace infermark::accuracy {

// Returns `PorterStemmer().stem(word)` (to_lowercase=True). Pure and thread-safe. Cost is
// linear in the word length with small constants; callers that stem the same words often
// (ROUGE) cache the results.
std::string porter_stem(std::string_view word);

}  // namespace infermark::accuracy
