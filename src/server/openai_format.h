// The OpenAI response bodies of the generation routes, written as JSON text by hand: the SSE
// events of a stream ("data: {chunk}\n\n", the usage chunk, "data: [DONE]\n\n", an error event)
// and the whole body of a non-streaming response. The exact shapes are in docs/serve.md. The
// constant head of every chunk (id, object, created, model) is built once per request.
//
// Immutable after construction; thread-safe. Cost: one pass over the text and ids.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "server/choice_stream.h"
#include "server/generation_request.h"

namespace infermark::server {

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

// One choice of a non-streaming response.
struct ChoiceOutput {
  std::string_view text;
  std::span<const TokenId> ids;
  std::span<const TokenId> prompt_ids;
  const ChoiceEnd* end = nullptr;
};

class ResponseFormat {
 public:
  ResponseFormat(Route route, std::string_view id, int64_t created, std::string_view model,
                 bool return_token_ids);

  // The event of one chunk; `ids` are the chunk's ids, `prompt_ids` its choice's prompt.
  void append_chunk_event(std::string& out, const Chunk& chunk, std::span<const TokenId> ids,
                          std::span<const TokenId> prompt_ids) const;
  void append_usage_event(std::string& out, const Usage& usage) const;
  static void append_done_event(std::string& out);
  // `error_json`: an error body (api_error.h).
  static void append_error_event(std::string& out, std::string_view error_json);

  std::string response_body(std::span<const ChoiceOutput> choices, const Usage& usage) const;

 private:
  void append_choice_tail(std::string& out, const ChoiceEnd* end, std::span<const TokenId> ids,
                          std::span<const TokenId> prompt_ids, bool with_prompt_ids) const;

  Route route_;
  bool return_token_ids_;
  std::string chunk_head_;     // {"id":…,"object":"…chunk","created":…,"model":…,
  std::string response_head_;  // the same with the non-streaming object name
};

}  // namespace infermark::server
