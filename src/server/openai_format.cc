#include "server/openai_format.h"

#include "server/json_text.h"

namespace infermark::server {
namespace {

std::string head(std::string_view id, std::string_view object, int64_t created,
                 std::string_view model) {
  std::string h = "{\"id\":";
  append_json_string(h, id);
  h += ",\"object\":\"";
  h += object;
  h += "\",\"created\":";
  append_int(h, created);
  h += ",\"model\":";
  append_json_string(h, model);
  h += ',';
  return h;
}

void append_usage(std::string& out, const Usage& u) {
  out += "\"usage\":{\"prompt_tokens\":";
  append_int(out, u.prompt_tokens);
  out += ",\"completion_tokens\":";
  append_int(out, u.completion_tokens);
  out += ",\"total_tokens\":";
  append_int(out, u.prompt_tokens + u.completion_tokens);
  out += '}';
}

void append_stop_reason(std::string& out, const ChoiceEnd& end) {
  out += ",\"stop_reason\":";
  if (const auto* id = std::get_if<TokenId>(&end.stop_reason)) {
    append_int(out, *id);
  } else if (const auto* s = std::get_if<std::string>(&end.stop_reason)) {
    append_json_string(out, *s);
  } else {
    out += "null";
  }
}

}  // namespace

ResponseFormat::ResponseFormat(Route route, std::string_view id, int64_t created,
                               std::string_view model, bool return_token_ids)
    : route_(route), return_token_ids_(return_token_ids) {
  const bool chat = route == Route::kChat;
  chunk_head_ = head(id, chat ? "chat.completion.chunk" : "text_completion", created, model);
  response_head_ = head(id, chat ? "chat.completion" : "text_completion", created, model);
}

void ResponseFormat::append_choice_tail(std::string& out, const ChoiceEnd* end,
                                        std::span<const TokenId> ids,
                                        std::span<const TokenId> prompt_ids,
                                        bool with_prompt_ids) const {
  out += ",\"logprobs\":null,\"finish_reason\":";
  if (end) {
    out += '"';
    out += end->finish_reason;
    out += '"';
    append_stop_reason(out, *end);
  } else {
    out += "null";
  }
  if (return_token_ids_) {
    if (with_prompt_ids) {
      out += ",\"prompt_token_ids\":";
      append_int_list(out, prompt_ids);
    }
    out += ",\"token_ids\":";
    append_int_list(out, ids);
  }
  out += '}';
}

void ResponseFormat::append_chunk_event(std::string& out, const Chunk& chunk,
                                        std::span<const TokenId> ids,
                                        std::span<const TokenId> prompt_ids) const {
  out += "data: ";
  out += chunk_head_;
  out += "\"choices\":[{\"index\":";
  append_int(out, static_cast<int64_t>(chunk.choice));
  if (route_ == Route::kChat) {
    out += ",\"delta\":{";
    if (chunk.first) out += "\"role\":\"assistant\"";
    if (chunk.first || !chunk.text.empty()) {
      if (chunk.first) out += ',';
      out += "\"content\":";
      append_json_string(out, chunk.text);
    }
    out += '}';
  } else {
    out += ",\"text\":";
    append_json_string(out, chunk.text);
  }
  append_choice_tail(out, chunk.end ? &*chunk.end : nullptr, ids, prompt_ids, chunk.first);
  out += "]}\n\n";
}

void ResponseFormat::append_usage_event(std::string& out, const Usage& usage) const {
  out += "data: ";
  out += chunk_head_;
  out += "\"choices\":[],";
  append_usage(out, usage);
  out += "}\n\n";
}

void ResponseFormat::append_done_event(std::string& out) { out += "data: [DONE]\n\n"; }

void ResponseFormat::append_error_event(std::string& out, std::string_view error_json) {
  out += "data: ";
  out += error_json;
  out += "\n\n";
}

std::string ResponseFormat::response_body(std::span<const ChoiceOutput> choices,
                                          const Usage& usage) const {
  std::string out = response_head_;
  out += "\"choices\":[";
  for (size_t i = 0; i < choices.size(); ++i) {
    const ChoiceOutput& c = choices[i];
    if (i) out += ',';
    out += "{\"index\":";
    append_int(out, static_cast<int64_t>(i));
    if (route_ == Route::kChat) {
      out += ",\"message\":{\"role\":\"assistant\",\"content\":";
      append_json_string(out, c.text);
      out += '}';
    } else {
      out += ",\"text\":";
      append_json_string(out, c.text);
    }
    append_choice_tail(out, c.end, c.ids, c.prompt_ids, /*with_prompt_ids=*/true);
  }
  out += "],";
  append_usage(out, usage);
  out += '}';
  return out;
}

}  // namespace infermark::server
