// The Llama-3.1 chat template on arbitrary messages: the input is a list of messages separated
// by NUL bytes, each "role\x01content" (a message without \x01 is a user message).
#include <string_view>
#include <vector>

#include "fuzz_target.h"
#include "text/chat_template.h"
#include "util/error.h"

IM_FUZZ_TARGET(chat_template) {
  using namespace infermark;
  std::vector<text::ChatMessage> messages;
  std::string_view rest = fuzz::as_text(data, size);
  while (!rest.empty() && messages.size() < 64) {
    const size_t end = rest.find('\0');
    const std::string_view m = rest.substr(0, end);
    const size_t sep = m.find('\x01');
    if (sep == std::string_view::npos) {
      messages.push_back({"user", std::string(m)});
    } else {
      messages.push_back({std::string(m.substr(0, sep)), std::string(m.substr(sep + 1))});
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  try {
    (void)text::render_chat(messages, (size % 2) == 1);
  } catch (const Error&) {
  }
}
