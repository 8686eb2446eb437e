#include "sut/http/support/fake_openai_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>
#include <thread>
#include <utility>

namespace infermark::test_support {
namespace {

using infermark::util::Json;

// The fields trtllm-serve's CompletionRequest accepts that the client may send.
const std::set<std::string> kTrtllmFields = {
    "model",      "prompt", "max_tokens",     "min_tokens", "temperature", "top_p",
    "top_k",      "stream", "stream_options", "seed",       "stop",        "stop_token_ids",
    "ignore_eos", "n",      "logprobs",       "echo"};

Json error_body(const std::string& message) {
  return {{"error", {{"message", message}, {"type", "BadRequestError"}, {"code", 400}}}};
}

}  // namespace

std::vector<int32_t> fake_answer(std::span<const int32_t> prompt, int n, int max_tokens) {
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(prompt.empty() ? 1000 + i : prompt[(5 + i) % prompt.size()]);
  }
  if (n < max_tokens && n > 0) out.back() = kFakeEos;
  return out;
}

FakeOpenAiServer::FakeOpenAiServer(FakeServerOptions options)
    : options_(std::move(options)),
      server_([this](const HttpRequest& r, Reply& reply) { handle(r, reply); }, options_.address,
              options_.port) {}

Json FakeOpenAiServer::last_request() const {
  std::lock_guard lock(mu_);
  return last_request_;
}

void FakeOpenAiServer::handle(const HttpRequest& r, Reply& reply) {
  if (r.method == "GET" && r.target == "/health") return reply.send(200, "text/plain", "");
  if (r.method == "GET" && r.target == "/v1/models") {
    return reply.send_json(200, {{"object", "list"},
                                 {"data", Json::array({{{"id", options_.model},
                                                        {"object", "model"},
                                                        {"owned_by", options_.owned_by}}})}});
  }
  if (r.method == "GET" && r.target == "/version") {
    return reply.send_json(200, {{"version", "0.0-fake"}});
  }
  if (r.method == "GET" && r.target == "/metrics") {
    return reply.send(200, "text/plain; version=0.0.4",
                      fmt::format("# TYPE fake:requests_total counter\nfake:requests_total {}\n"
                                  "# TYPE fake:generation_tokens_total counter\n"
                                  "fake:generation_tokens_total {}\n"
                                  "# TYPE fake:num_requests_running gauge\n"
                                  "fake:num_requests_running 0\n",
                                  completions_.load(), tokens_.load()));
  }
  const bool native = options_.owned_by == "llamacpp";
  if (r.method == "POST" && r.target == (native ? "/completion" : "/v1/completions")) {
    const uint64_t now = ++concurrent_;
    uint64_t seen = max_concurrent_.load();
    while (now > seen && !max_concurrent_.compare_exchange_weak(seen, now)) {
    }
    bool counted = true;
    // Counted out before the answer's last event is written: once the client has it, it may
    // send the next request at once.
    auto done = [&] {
      if (std::exchange(counted, false)) --concurrent_;
    };
    complete(r, reply, done);
    done();
    return;
  }
  reply.send_json(404, error_body("no route " + r.target));
}

void FakeOpenAiServer::complete(const HttpRequest& r, Reply& reply,
                                const std::function<void()>& done) {
  const uint64_t n_request = ++completions_;
  {
    std::lock_guard lock(mu_);
    last_request_ = r.json;
  }
  if (kill_at_ != 0 && n_request >= kill_at_) {
    server_.kill();  // wakes every connection thread, this one included
    return reply.reset();
  }
  const Json& j = r.json;
  const bool native = options_.owned_by == "llamacpp";
  const char* max_field = native ? "n_predict" : "max_tokens";
  if (!j.is_object() || !j.contains("prompt") || !j["prompt"].is_array() ||
      !j.contains(max_field) || !j[max_field].is_number_integer() ||
      j.value("temperature", 1.0) != 0) {
    return reply.send_json(400, error_body("bad request: prompt ids, max tokens, temperature 0"));
  }
  if (options_.owned_by == "tensorrt_llm") {
    for (const auto& [key, value] : j.items()) {
      if (!kTrtllmFields.count(key))
        return reply.send_json(400, error_body("unknown field " + key));
    }
  }
  const std::vector<int32_t> prompt = j["prompt"].get<std::vector<int32_t>>();
  const int max_tokens = j[max_field].get<int>();
  const std::vector<int32_t> answer =
      fake_answer(prompt, std::min(options_.output_tokens, max_tokens), max_tokens);
  tokens_ += answer.size();
  const bool ids =
      native ? j.value("return_tokens", false)
             : (j.value("return_token_ids", false) || options_.owned_by == "tensorrt_llm");
  auto piece = [&](size_t from, size_t to, bool last) {
    const std::vector<int32_t> part(answer.begin() + from, answer.begin() + to);
    const std::string text(to - from, 'x');
    if (native) {
      Json c = {{"content", text}, {"stop", false}};
      if (ids) c["tokens"] = part;
      return c;
    }
    Json choice = {{"index", 0}, {"text", text}, {"finish_reason", last ? Json("length") : Json()}};
    if (ids) choice["token_ids"] = part;
    return Json{{"object", "text_completion"},
                {"model", options_.model},
                {"choices", Json::array({choice})},
                {"usage", nullptr}};
  };
  const Json usage = {{"prompt_tokens", prompt.size()},
                      {"completion_tokens", answer.size()},
                      {"total_tokens", prompt.size() + answer.size()}};
  if (!j.value("stream", false)) {
    Json whole = piece(0, answer.size(), true);
    if (native) {
      whole["stop"] = true;
      whole["tokens_predicted"] = answer.size();
    } else {
      whole["usage"] = usage;
    }
    done();
    return reply.send_json(200, whole);
  }
  reply.start_stream();
  if (!reply.sleep(options_.ttft)) return reply.reset();
  const size_t step = static_cast<size_t>(std::max(1, options_.tokens_per_event));
  for (size_t i = 0; i < answer.size(); i += step) {
    if (i > 0 && !reply.sleep(options_.per_event)) return reply.reset();
    const size_t end = std::min(answer.size(), i + step);
    if (!reply.event(piece(i, end, end == answer.size()).dump())) return;
  }
  if (native) {
    done();
    reply.event(Json{{"content", ""}, {"stop", true}, {"tokens_predicted", answer.size()}}.dump());
  } else {
    if (j.contains("stream_options") && j["stream_options"].value("include_usage", false)) {
      reply.event(
          Json{{"object", "text_completion"}, {"choices", Json::array()}, {"usage", usage}}.dump());
    }
    done();
    reply.event("[DONE]");
  }
  reply.end_stream();
}

}  // namespace infermark::test_support
