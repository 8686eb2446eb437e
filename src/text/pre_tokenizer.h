// The Llama-3 pre-tokenizer, written by hand: splits text into the pieces that the Split regex of
// Llama-3's tokenizer.json (behavior "Isolated") produces, without a regex engine.
//
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
//   \s*[\r\n]+|\s+(?!\S)|\s+
//
// with Oniguruma's semantics: \p{L}, \p{N} by general category, \s = White_Space, (?i:) by
// Unicode simple case folding (so "'ſ" is a contraction), all from text/unicode.h.
// Bytes that are not valid UTF-8 are treated as characters of no class (like punctuation), one
// maximal ill-formed subsequence at a time; Hugging Face never sees such input.
//
// Thread-safe; allocates only when `pieces` grows.
#pragma once

#include <string_view>
#include <vector>

namespace infermark::text {

// The pattern this pre-tokenizer implements, exactly as it appears (JSON-unescaped) in the
// tokenizer.json "Split" pre-tokenizer of Llama-3 and 3.1.
inline constexpr std::string_view kLlama3SplitPattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+"
    "[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// Appends the pieces of `text`, in order, to `pieces`. The pieces are views into `text`, cover it
// completely without overlap, and are never empty.
void pre_tokenize_llama3(std::string_view text, std::vector<std::string_view>& pieces);

}  // namespace infermark::text
