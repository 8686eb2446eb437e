// tokenizer.json and tokenizer_config.json: the input is split at the first NUL byte into the
// two files' texts. A tokenizer that loads must encode and decode a fixed text.
#include <string_view>

#include "fuzz_target.h"
#include "text/tokenizer.h"
#include "util/error.h"

IM_FUZZ_TARGET(tokenizer_json) {
  using namespace infermark;
  const std::string_view all = fuzz::as_text(data, size);
  const size_t nul = all.find('\0');
  const std::string_view tokenizer = all.substr(0, nul);
  const std::string_view config = nul == std::string_view::npos ? "" : all.substr(nul + 1);
  try {
    const text::Tokenizer t = text::Tokenizer::from_json(tokenizer, "tokenizer.json", config);
    const auto ids = t.encode("Hello, world! 123 <|eot_id|>", true);
    (void)t.decode(ids, {.skip_special_tokens = true, .clean_up_spaces = true});
  } catch (const Error&) {
  }
}
