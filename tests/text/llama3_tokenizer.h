// Test helper: the Llama-3.1 tokenizer generated at build time by scripts/make-llama3-tokenizer
// (its folder comes in as the compile definition INFERMARK_LLAMA3_TOKENIZER_DIR), loaded once
// per test process.
#pragma once

#include <filesystem>

#include "text/tokenizer.h"

namespace infermark::text::testing {

inline std::filesystem::path llama3_tokenizer_dir() { return INFERMARK_LLAMA3_TOKENIZER_DIR; }

inline const Tokenizer& llama3() {
  static const Tokenizer tokenizer = Tokenizer::load(llama3_tokenizer_dir());
  return tokenizer;
}

}  // namespace infermark::text::testing
