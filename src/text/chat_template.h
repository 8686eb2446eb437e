// The Llama-3.1 Instruct chat template, written out by hand (no Jinja engine): renders a message
// list to the prompt text that transformers' apply_chat_template(tokenize=False) gives with the
// template in Llama-3.1-8B-Instruct's tokenizer_config.json, for messages without tools.
//
//   <|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n
//   Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n{system}<|eot_id|>
//   <|start_header_id|>{role}<|end_header_id|>\n\n{content|trim}<|eot_id|> ...
//   [<|start_header_id|>assistant<|end_header_id|>\n\n]
//
// A leading "system" message becomes {system}; "tool" and "ipython" messages render under an
// "ipython" header with their content as a JSON string (the template's `tojson`), untrimmed.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "text/tokenizer.h"

namespace infermark::text {

struct ChatMessage {
  std::string role;     // "system", "user", "assistant", "tool", ... (rendered as given)
  std::string content;  // UTF-8
};

struct ChatOptions {
  std::string bos_token = "<|begin_of_text|>";
  std::string date_string = "26 Jul 2024";  // the template's default when none is passed
};

std::string render_chat(std::span<const ChatMessage> messages, bool add_generation_prompt,
                        const ChatOptions& options = {});

// The ids of the rendered chat, encoded without adding a second BOS (apply_chat_template with
// tokenize=True). Uses the tokenizer's bos_token when it has one.
std::vector<int32_t> encode_chat(const Tokenizer& tokenizer, std::span<const ChatMessage> messages,
                                 bool add_generation_prompt, ChatOptions options = {});

// Python's str.strip() (what Jinja's `trim` does): removes leading and trailing characters for
// which str.isspace() is true.
std::string_view python_strip(std::string_view text);

}  // namespace infermark::text
