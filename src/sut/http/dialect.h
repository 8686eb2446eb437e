// The request side of each server family (serving.md §2): which route a sample goes to and the
// exact JSON body, token ids in and token ids back, with MLPerf's greedy sampling always spelled
// out (temperature 0, top_p 1, top_k 1, at most 128 and at least 1 new tokens) so that no server
// default (vLLM's generation_config.json, TRT-LLM's temperature 1.0) can change the answer.
//
//   infermark, vllm, sglang  POST /v1/completions, `prompt` as ids, `return_token_ids: true`
//   trtllm                   POST /v1/completions with only fields trtllm-serve's schema knows
//                            (it rejects unknown fields): no return_token_ids (its choices carry
//                            `token_ids`), `stream_options` only when streaming
//   llamacpp                 POST /completion (native): `n_predict`, `return_tokens: true`,
//                            `cache_prompt: false` (MLPerf forbids reuse across queries)
//   openai                   POST /v1/completions with the OpenAI schema only: text comes back,
//                            so it is accepted only with --allow-text
// With the chat API every dialect posts `messages` to /v1/chat/completions (text in: also only
// with --allow-text).
//
// Also: naming and parsing the dialects, and guessing one from a server's answers (detect()).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace infermark::sut::http {

enum class Dialect { kInfermark, kVllm, kSglang, kTrtllm, kLlamacpp, kOpenai };
enum class Api { kCompletions, kChat };

std::string_view to_string(Dialect d);
std::optional<Dialect> parse_dialect(std::string_view s);  // "auto" is the caller's business
std::optional<Api> parse_api(std::string_view s);
std::string_view to_string(Api a);

// MLPerf llama3.1-8b's generation settings (the reference harness: greedy, 1..128 new tokens).
struct GenerationLimits {
  int max_tokens = 128;
  int min_tokens = 1;
};

struct RequestSpec {
  Dialect dialect = Dialect::kVllm;
  Api api = Api::kCompletions;
  std::string model;  // the served model name
  bool stream = true;
  GenerationLimits limits;
};

// The route, e.g. "/v1/completions" (before the endpoint's base path).
std::string_view request_route(Dialect d, Api a);

// Whether the dialect returns token ids (otherwise text, re-tokenized only with --allow-text).
bool returns_token_ids(Dialect d, Api a);

// The request body for one sample. `prompt_ids` for the completions API; `prompt_text` for the
// chat API (the user message). Appends to `out` (cleared first) so a buffer can be reused.
void build_request_body(const RequestSpec& spec, std::span<const int32_t> prompt_ids,
                        std::string_view prompt_text, std::string& out);

// What a server said about itself, for detect().
struct ServerFacts {
  std::string owned_by;       // /v1/models data[0].owned_by
  std::string server_header;  // the Server header of its answers
  std::string version_body;   // GET /version's body (may be empty)
};

struct Detection {
  Dialect dialect;
  std::string evidence;  // e.g. "/v1/models owned_by \"vllm\""
};

// The dialect the facts point to: owned_by (vllm, sglang, tensorrt_llm, llamacpp, infermark),
// then the Server header (infermark, llama.cpp), then a /version body naming infermark; openai
// when nothing matches.
Detection detect_dialect(const ServerFacts& facts);

}  // namespace infermark::sut::http
