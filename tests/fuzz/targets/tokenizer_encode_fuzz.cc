// The real Llama-3.1 tokenizer on arbitrary bytes: encode them as text (invalid UTF-8
// included), and decode them read as little-endian int32 ids (ids outside the vocabulary
// included), with and without the streaming detokenizer.
#include <cstring>
#include <cstdlib>
#include <vector>

#include "fuzz_target.h"
#include "text/streaming_detokenizer.h"
#include "text/tokenizer.h"

namespace {
const infermark::text::Tokenizer& llama3() {
  static const infermark::text::Tokenizer t = [] {
    const char* dir = std::getenv("INFERMARK_LLAMA3_TOKENIZER_DIR");
    return infermark::text::Tokenizer::load(dir && *dir ? dir : INFERMARK_LLAMA3_TOKENIZER_DIR);
  }();
  return t;
}
}  // namespace

IM_FUZZ_TARGET(tokenizer_encode) {
  using namespace infermark;
  const text::Tokenizer& t = llama3();
  (void)t.encode(fuzz::as_text(data, size), true);
  std::vector<int32_t> ids(size / 4);
  if (!ids.empty()) std::memcpy(ids.data(), data, ids.size() * 4);
  (void)t.decode(ids, {.skip_special_tokens = (size % 2) == 0, .clean_up_spaces = true});
  text::StreamingDetokenizer stream(t);
  for (int32_t id : ids) (void)stream.push(id);
  (void)stream.finish();
}
