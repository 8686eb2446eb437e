/* Peer for the Llama-3 pre-tokenizer: splits text with the Llama-3 Split pattern compiled by
 * Oniguruma (the regex engine Hugging Face tokenizers uses), "Isolated" behaviour.
 * Input on stdin: UTF-8 strings, each terminated by a NUL byte. Output: one line per string, the
 * byte offsets where the pieces end, separated by spaces. Build: cc onig_split.c -lonig
 * (Debian: libonig-dev). Used by scripts/peers/check-oniguruma. */
#include <oniguruma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* kPattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+"
    "[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

static void split(regex_t* reg, OnigRegion* region, const char* text, size_t n) {
  const UChar* start = (const UChar*)text;
  const UChar* end = start + n;
  const UChar* pos = start;
  while (pos < end) {
    if (onig_search(reg, start, end, pos, end, region, ONIG_OPTION_NONE) < 0) break;
    printf("%d ", region->end[0]);
    pos = start + region->end[0];
  }
  printf("\n");
}

int main(void) {
  OnigEncoding encodings[] = {ONIG_ENCODING_UTF8};
  onig_initialize(encodings, 1);
  regex_t* reg;
  OnigErrorInfo info;
  if (onig_new(&reg, (const UChar*)kPattern, (const UChar*)kPattern + strlen(kPattern),
               ONIG_OPTION_NONE, ONIG_ENCODING_UTF8, ONIG_SYNTAX_RUBY, &info) != ONIG_NORMAL) {
    fprintf(stderr, "onig_split: cannot compile the pattern\n");
    return 1;
  }
  OnigRegion* region = onig_region_new();
  size_t cap = 1 << 16, n = 0;
  char* buf = malloc(cap);
  int c;
  while ((c = getchar()) != EOF) {
    if (c == 0) {
      split(reg, region, buf, n);
      n = 0;
      continue;
    }
    if (n + 1 >= cap) buf = realloc(buf, cap *= 2);
    buf[n++] = (char)c;
  }
  return 0;
}
