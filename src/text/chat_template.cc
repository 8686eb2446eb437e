// The template's control flow, transcribed: extract a leading system message, emit the system
// block, then one block per message, then the optional generation prompt.
#include "text/chat_template.h"

#include "text/unicode.h"
#include "text/utf8.h"
#include "util/json.h"

namespace infermark::text {
namespace {

bool is_py_space_at(std::string_view text, size_t pos, size_t* len) {
  const Utf8Char c = next_utf8(text.data() + pos, text.data() + text.size());
  *len = c.len;
  return c.status == Utf8Status::kOk && (unicode_class(c.cp) & kPySpace);
}

// Jinja's tojson as transformers configures it: json.dumps(value, ensure_ascii=False).
std::string to_json_string(std::string_view s) {
  return util::Json(std::string(s)).dump(-1, ' ', false, util::Json::error_handler_t::replace);
}

void append_block(std::string& out, std::string_view role, std::string_view content) {
  out.append("<|start_header_id|>").append(role).append("<|end_header_id|>\n\n");
  out.append(content).append("<|eot_id|>");
}

}  // namespace

std::string_view python_strip(std::string_view text) {
  size_t begin = 0;
  size_t len = 0;
  while (begin < text.size() && is_py_space_at(text, begin, &len)) begin += len;
  size_t end = text.size();
  while (end > begin) {
    size_t lead = end - 1;
    while (lead > begin && (static_cast<uint8_t>(text[lead]) & 0xC0) == 0x80) --lead;
    if (!is_py_space_at(text, lead, &len) || lead + len != end) break;
    end = lead;
  }
  return text.substr(begin, end - begin);
}

std::string render_chat(std::span<const ChatMessage> messages, bool add_generation_prompt,
                        const ChatOptions& options) {
  std::string out = options.bos_token;
  std::string_view system;
  if (!messages.empty() && messages.front().role == "system") {
    system = python_strip(messages.front().content);
    messages = messages.subspan(1);
  }
  out.append("<|start_header_id|>system<|end_header_id|>\n\n");
  out.append("Cutting Knowledge Date: December 2023\n");
  out.append("Today Date: ").append(options.date_string).append("\n\n");
  out.append(system).append("<|eot_id|>");
  for (const ChatMessage& m : messages) {
    if (m.role == "tool" || m.role == "ipython") {
      append_block(out, "ipython", to_json_string(m.content));
    } else {
      append_block(out, m.role, python_strip(m.content));
    }
  }
  if (add_generation_prompt) out.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
  return out;
}

std::vector<int32_t> encode_chat(const Tokenizer& tokenizer, std::span<const ChatMessage> messages,
                                 bool add_generation_prompt, ChatOptions options) {
  if (!tokenizer.bos_token().empty()) options.bos_token = tokenizer.bos_token();
  return tokenizer.encode(render_chat(messages, add_generation_prompt, options), false);
}

}  // namespace infermark::text
