// The two generation routes' request bodies (/v1/completions and /v1/chat/completions) parsed
// and validated into what the server submits: token-id prompts (one per choice) and the engine's
// generation parameters, plus the response options. Field meanings, defaults and the unsupported
// features are listed in docs/serve.md; every rejection is an ApiError (400, or 404 for an
// unknown model) naming the field and the value. Unknown fields are ignored.
//
// Text is encoded here (string prompts with <|begin_of_text|> first, chat through the Llama-3.1
// template), so the cost of tokenizing is paid by the caller's thread. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/request.h"
#include "server/backend.h"
#include "text/tokenizer.h"
#include "util/json.h"

namespace infermark::server {

enum class Route { kCompletions, kChat };

// What a request is checked against.
struct RequestContext {
  const BackendInfo* backend = nullptr;
  const text::Tokenizer* tokenizer = nullptr;  // null: only token-id prompts are accepted
  std::string_view served_model_name;
};

struct GenerationRequest {
  Route route = Route::kCompletions;
  std::vector<std::vector<TokenId>> prompts;  // one per choice, each non-empty
  // Shared by every choice. stop_ids is resolved (eos ids unless ignore_eos, plus
  // stop_token_ids) and ignore_eos is set, so backends take the list as is.
  engine::GenerationParams params;
  std::vector<TokenId> stop_token_ids;  // as the client gave them (for stop_reason)
  std::vector<std::string> stop;        // stop strings
  bool stream = false;
  bool include_usage = false;
  bool return_token_ids = false;
};

// Throws ApiError on anything invalid (empty body, invalid JSON or UTF-8, wrong types, missing
// prompt/messages, out-of-range values, unsupported features, prompts beyond the context).
GenerationRequest parse_generation_request(Route route, std::string_view body,
                                           const RequestContext& context);

// /tokenize: `prompt` text (with `add_special_tokens`, default true) or chat `messages` (with
// `add_generation_prompt`, default true) to token ids.
std::vector<TokenId> parse_tokenize_request(std::string_view body, const RequestContext& context);
// /detokenize: the `tokens` list, each id checked against the vocabulary.
std::vector<TokenId> parse_detokenize_request(std::string_view body, const RequestContext& context);

// The body parsed as a JSON object, or an ApiError (400) saying why not.
util::Json parse_json_object(std::string_view body);

}  // namespace infermark::server
