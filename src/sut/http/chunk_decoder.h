// Reads what an LLM server says in one JSON object — one stream event, or a whole non-streamed
// response — on the per-event path, with simdjson's on-demand parser (docs/benchmarks.md: about
// 5x faster than nlohmann-json here, and no allocation per event).
//
// One decoder understands every dialect's shapes, so a response is read the same way whichever
// server sent it:
//   OpenAI / vLLM / SGLang / TRT-LLM / infermark: `choices[].token_ids`, `choices[].text`,
//     `choices[].delta.content` (chat), `choices[].message.content`, `choices[].finish_reason`,
//     `usage.completion_tokens`;
//   llama.cpp native: `tokens`, `content`, `stop`, `tokens_predicted`;
//   errors: `{"error": {...}}`, `{"error": "..."}` and `{"object": "error", "message": ...}`.
// Token ids outside [0, 2^31) are malformed. Keys are matched exactly; unknown keys are skipped.
//
// One decoder per thread (it owns simdjson's buffers). Cost: well under a microsecond for a
// typical one-token event.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::sut::http {

struct Chunk {
  int64_t new_ids = 0;        // token ids appended
  bool has_text = false;      // non-empty text came with it
  bool finished = false;      // a finish_reason, or llama.cpp's "stop": true
  int64_t usage_tokens = -1;  // usage.completion_tokens or tokens_predicted; -1 if absent
  std::string error;          // kServerError: the server's message; kMalformed: what was wrong
};

enum class ChunkStatus { kOk, kServerError, kMalformed };

class ChunkDecoder {
 public:
  // Decodes `json`, whose buffer has `capacity` >= json.size() + SIMDJSON_PADDING readable bytes.
  // Appends token ids to `ids`, and text to `*text` when `text` is not null.
  ChunkStatus decode(std::string_view json, size_t capacity, std::vector<int32_t>& ids,
                     std::string* text, Chunk& out);

  // The same for a buffer without padding (copies it; for tests and cold paths).
  ChunkStatus decode_copy(std::string_view json, std::vector<int32_t>& ids, std::string* text,
                          Chunk& out);

 private:
  simdjson::ondemand::parser parser_;
  std::string padded_;
};

}  // namespace infermark::sut::http
