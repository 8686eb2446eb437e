// infermark's side of scripts/peers/check-oniguruma: the same input and output format as
// onig_split.c (NUL-terminated strings in, piece end offsets out), using text::pre_tokenize_llama3.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "text/pre_tokenizer.h"

int main() {
  std::string text;
  std::vector<std::string_view> pieces;
  for (int c; (c = std::getchar()) != EOF;) {
    if (c != 0) {
      text.push_back(static_cast<char>(c));
      continue;
    }
    pieces.clear();
    infermark::text::pre_tokenize_llama3(text, pieces);
    for (std::string_view p : pieces) {
      std::printf("%d ", static_cast<int>(p.data() + p.size() - text.data()));
    }
    std::printf("\n");
    text.clear();
  }
  return 0;
}
