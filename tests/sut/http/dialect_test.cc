// Request bodies of every dialect against hand-written fixtures (tests/sut/http/fixtures), and
// dialect detection from what servers say about themselves.
#include "sut/http/dialect.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "util/atomic_file.h"
#include "util/json.h"

namespace infermark::sut::http {
namespace {

using util::Json;

Json fixture(const std::string& name) {
  const auto path = std::filesystem::path(std::getenv("INFERMARK_SOURCE_DIR")) /
                    "tests/sut/http/fixtures" / (name + ".json");
  return util::parse_json(util::read_file(path), path.string());
}

Json body(Dialect d, bool stream, Api api = Api::kCompletions) {
  RequestSpec spec{d, api, "m", stream, {}};
  const std::vector<int32_t> prompt = {128000, 791, 4062};
  std::string out = "stale";
  build_request_body(spec, prompt, "Summarize \"this\".", out);
  return util::parse_json(out, "request body");
}

TEST(Dialect, BodiesMatchTheFixtures) {
  EXPECT_EQ(body(Dialect::kVllm, true), fixture("vllm_stream"));
  EXPECT_EQ(body(Dialect::kVllm, false), fixture("vllm_nostream"));
  EXPECT_EQ(body(Dialect::kInfermark, true), fixture("infermark_stream"));
  EXPECT_EQ(body(Dialect::kSglang, true), fixture("sglang_stream"));
  EXPECT_EQ(body(Dialect::kTrtllm, true), fixture("trtllm_stream"));
  EXPECT_EQ(body(Dialect::kTrtllm, false), fixture("trtllm_nostream"));
  EXPECT_EQ(body(Dialect::kLlamacpp, true), fixture("llamacpp_stream"));
  EXPECT_EQ(body(Dialect::kLlamacpp, false), fixture("llamacpp_nostream"));
  EXPECT_EQ(body(Dialect::kOpenai, true), fixture("openai_stream"));
  EXPECT_EQ(body(Dialect::kVllm, true, Api::kChat), fixture("vllm_chat_stream"));
  EXPECT_EQ(body(Dialect::kLlamacpp, true, Api::kChat), fixture("llamacpp_chat_stream"));
}

TEST(Dialect, GreedySamplingIsAlwaysExplicit) {
  for (Dialect d : {Dialect::kInfermark, Dialect::kVllm, Dialect::kSglang, Dialect::kTrtllm,
                    Dialect::kLlamacpp, Dialect::kOpenai}) {
    for (bool stream : {true, false}) {
      const Json j = body(d, stream);
      EXPECT_EQ(j.at("temperature"), 0) << to_string(d);
      EXPECT_EQ(j.at("top_p"), 1) << to_string(d);
      EXPECT_TRUE(j.contains("max_tokens") || j.contains("n_predict")) << to_string(d);
      EXPECT_EQ(j.at("stream"), stream) << to_string(d);
      // stream_options only with stream: true (trtllm-serve rejects it otherwise); llama.cpp's
      // native route has none (its last event carries the counts).
      if (d != Dialect::kLlamacpp) {
        EXPECT_EQ(j.contains("stream_options"), stream) << to_string(d);
      }
    }
  }
}

TEST(Dialect, TrtllmGetsNoFieldOutsideItsSchema) {
  // trtllm-serve's CompletionRequest (extra="forbid"): the fields the client may send.
  const std::set<std::string> known = {"model",      "prompt",      "max_tokens",
                                       "min_tokens", "temperature", "top_p",
                                       "top_k",      "stream",      "stream_options"};
  for (bool stream : {true, false}) {
    const Json j = body(Dialect::kTrtllm, stream);
    for (const auto& [key, value] : j.items()) EXPECT_TRUE(known.count(key)) << key;
  }
}

TEST(Dialect, Routes) {
  EXPECT_EQ(request_route(Dialect::kVllm, Api::kCompletions), "/v1/completions");
  EXPECT_EQ(request_route(Dialect::kLlamacpp, Api::kCompletions), "/completion");
  EXPECT_EQ(request_route(Dialect::kLlamacpp, Api::kChat), "/v1/chat/completions");
  EXPECT_FALSE(returns_token_ids(Dialect::kOpenai, Api::kCompletions));
  EXPECT_TRUE(returns_token_ids(Dialect::kTrtllm, Api::kCompletions));
}

TEST(Dialect, NamesRoundTrip) {
  for (Dialect d : {Dialect::kInfermark, Dialect::kVllm, Dialect::kSglang, Dialect::kTrtllm,
                    Dialect::kLlamacpp, Dialect::kOpenai}) {
    EXPECT_EQ(parse_dialect(to_string(d)), d);
  }
  EXPECT_FALSE(parse_dialect("auto"));
  EXPECT_FALSE(parse_api("responses"));
}

TEST(Dialect, DetectionFromWhatTheServerSays) {
  EXPECT_EQ(detect_dialect({"vllm", "uvicorn", ""}).dialect, Dialect::kVllm);
  EXPECT_EQ(detect_dialect({"sglang", "uvicorn", ""}).dialect, Dialect::kSglang);
  EXPECT_EQ(detect_dialect({"tensorrt_llm", "uvicorn", ""}).dialect, Dialect::kTrtllm);
  EXPECT_EQ(detect_dialect({"llamacpp", "", ""}).dialect, Dialect::kLlamacpp);
  EXPECT_EQ(detect_dialect({"infermark", "", ""}).dialect, Dialect::kInfermark);
  EXPECT_EQ(detect_dialect({"system", "infermark/0.1", ""}).dialect, Dialect::kInfermark);
  EXPECT_EQ(detect_dialect({"", "llama.cpp", ""}).dialect, Dialect::kLlamacpp);
  EXPECT_EQ(detect_dialect({"me", "", R"({"version":"infermark 0.1"})"}).dialect,
            Dialect::kInfermark);
  const Detection unknown = detect_dialect({"openai", "cloudflare", ""});
  EXPECT_EQ(unknown.dialect, Dialect::kOpenai);
  EXPECT_NE(unknown.evidence.find("cloudflare"), std::string::npos);
}

}  // namespace
}  // namespace infermark::sut::http
