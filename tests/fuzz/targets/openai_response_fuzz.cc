// The HTTP client's reading of one JSON answer (a whole non-streamed response or one stream
// chunk) from any server dialect: OpenAI / vLLM / SGLang / TRT-LLM choices, llama.cpp's native
// fields, and the error shapes. Byte 0 picks the read options; the rest is the JSON.
//
// Oracle: a malformed answer leaves the call as it was; an accepted one appended exactly the ids
// it says it did, each a valid token id.
#include <cstdlib>
#include <string>

#include "fuzz_target.h"
#include "sut/http/answer_reader.h"
#include "sut/http/chunk_decoder.h"

IM_FUZZ_TARGET(openai_response) {
  using namespace infermark::sut::http;
  if (size < 1) return;
  const ReadOptions options{.collect_text = (data[0] & 1) != 0, .ends_at_stop = (data[0] & 2) != 0};
  const std::string_view json = infermark::fuzz::as_text(data + 1, size - 1);

  ChunkDecoder decoder;
  std::vector<int32_t> ids{7};
  std::string text = "kept";
  Chunk chunk;
  const ChunkStatus status = decoder.decode_copy(json, ids, &text, chunk);
  if (status == ChunkStatus::kMalformed &&
      (ids.size() != 1 || text != "kept" || chunk.new_ids != 0 || chunk.error.empty())) {
    std::abort();
  }
  if (status == ChunkStatus::kServerError && chunk.error.empty()) std::abort();
  if (status == ChunkStatus::kOk && ids.size() != 1 + static_cast<size_t>(chunk.new_ids)) {
    std::abort();
  }

  Call call;
  call.start_attempt();
  std::string padded(json);
  padded.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  const EventEffect effect = read_answer_json(decoder, padded, padded.capacity(), call, options);
  if (effect.kind == EventEffect::kSampleError && effect.reason.empty()) std::abort();
  for (int32_t id : call.ids) {
    if (id < 0) std::abort();
  }
}
