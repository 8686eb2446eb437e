// The HTTP client's cost per SSE event, as Connection pays it: a body piece goes through the SSE
// parser, each event through read_sse_event (simdjson decode into the call, clock read, usage,
// first-token check) — the product code, not a copy. Streams are vLLM-shaped chunks (~250 bytes,
// with the fields vLLM sends), one or four token ids per event, fed in 16 KiB reads (a busy
// connection) or 64-byte reads (worst case: every event split across reads). The nlohmann-json
// variant decodes the same events with nlohmann instead of simdjson, for the choice of parser.
// Also: building one request body for a 1,500-token prompt.
//
// Reading the output: time per iteration is per event (items_per_second = events/s on one core);
// the budget is 2 us per event.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "sut/http/answer_reader.h"
#include "sut/http/dialect.h"
#include "util/json.h"

namespace infermark::sut::http {
namespace {

constexpr int kEventsPerStream = 128;

std::string vllm_event(std::span<const int32_t> ids, int i) {
  std::string list;
  for (size_t k = 0; k < ids.size(); ++k) list += fmt::format("{}{}", k ? "," : "", ids[k]);
  return fmt::format(
      "data: {{\"id\":\"cmpl-8e5c0c1a2b3d4e5f9a8b7c6d5e4f3a2b\",\"object\":\"text_completion\","
      "\"created\":1731000000,\"model\":\"meta-llama/Llama-3.1-8B-Instruct\",\"choices\":[{{"
      "\"index\":0,\"text\":\" word{}\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":"
      "null,\"token_ids\":[{}],\"prompt_token_ids\":null}}],\"usage\":null}}\n\n",
      i, list);
}

// One stream: kEventsPerStream events of `per_event` ids, a usage chunk and [DONE].
std::string make_stream(int per_event) {
  std::string s;
  std::vector<int32_t> ids(per_event);
  for (int i = 0; i < kEventsPerStream; ++i) {
    for (int k = 0; k < per_event; ++k) ids[k] = 1000 + (i * per_event + k) % 120000;
    s += vllm_event(ids, i);
  }
  s += fmt::format(
      "data: {{\"id\":\"cmpl-x\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\","
      "\"choices\":[],\"usage\":{{\"prompt_tokens\":1500,\"total_tokens\":{},"
      "\"completion_tokens\":{}}}}}\n\ndata: [DONE]\n\n",
      1500 + kEventsPerStream * per_event, kEventsPerStream * per_event);
  return s;
}

void BM_SseEvent(benchmark::State& state) {
  const int per_event = static_cast<int>(state.range(0));
  const size_t read_size = static_cast<size_t>(state.range(1));
  const std::string stream = make_stream(per_event);
  SseParser parser;
  ChunkDecoder decoder;
  Call call;
  call.ids.reserve(1024);
  const ReadOptions options;
  int64_t events = 0, first_tokens = 0;
  for (auto _ : state) {
    call.start_attempt();
    parser.reset();
    bool done = false;
    for (size_t pos = 0; pos < stream.size() && !done; pos += read_size) {
      parser.feed(std::string_view(stream).substr(pos, read_size), [&](const SseParser::Event& e) {
        ++events;
        const EventEffect effect = read_sse_event(decoder, e, call, options);
        first_tokens += effect.first_token;
        done = effect.kind != EventEffect::kContinue;
        return !done;
      });
    }
    if (!done || call.usage_tokens != static_cast<int64_t>(call.ids.size())) {
      state.SkipWithError("the stream was not read to its end");
      return;
    }
  }
  state.SetItemsProcessed(events);
  state.counters["bytes/event"] = static_cast<double>(stream.size()) / (kEventsPerStream + 2);
  benchmark::DoNotOptimize(first_tokens);
}
BENCHMARK(BM_SseEvent)
    ->ArgNames({"ids/event", "read"})
    ->Args({1, 16384})
    ->Args({4, 16384})
    ->Args({1, 64});

// The same events decoded with nlohmann-json (parse, then choices[].token_ids and usage).
void BM_SseEventNlohmann(benchmark::State& state) {
  const std::string stream = make_stream(1);
  SseParser parser;
  std::vector<int32_t> ids;
  ids.reserve(1024);
  int64_t events = 0, usage = -1;
  for (auto _ : state) {
    ids.clear();
    parser.reset();
    parser.feed(stream, [&](const SseParser::Event& e) {
      ++events;
      if (e.data == "[DONE]") return false;
      const util::Json j = util::Json::parse(e.data);
      for (const auto& choice : j["choices"]) {
        for (const auto& id : choice["token_ids"]) ids.push_back(id.get<int32_t>());
      }
      if (j["usage"].is_object()) usage = j["usage"]["completion_tokens"].get<int64_t>();
      return true;
    });
  }
  state.SetItemsProcessed(events);
  benchmark::DoNotOptimize(usage);
}
BENCHMARK(BM_SseEventNlohmann);

void BM_RequestBody(benchmark::State& state) {
  std::vector<int32_t> prompt(1500);
  for (size_t i = 0; i < prompt.size(); ++i)
    prompt[i] = static_cast<int32_t>(100 + 79 * i % 128000);
  const RequestSpec spec{
      Dialect::kVllm, Api::kCompletions, "meta-llama/Llama-3.1-8B-Instruct", true, {}};
  std::string body;
  for (auto _ : state) {
    build_request_body(spec, prompt, "", body);
    benchmark::DoNotOptimize(body.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_RequestBody);

}  // namespace
}  // namespace infermark::sut::http

BENCHMARK_MAIN();
