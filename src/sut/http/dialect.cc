#include "sut/http/dialect.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "util/json.h"

namespace infermark::sut::http {
namespace {

constexpr std::array<std::pair<Dialect, std::string_view>, 6> kDialectNames = {{
    {Dialect::kInfermark, "infermark"},
    {Dialect::kVllm, "vllm"},
    {Dialect::kSglang, "sglang"},
    {Dialect::kTrtllm, "trtllm"},
    {Dialect::kLlamacpp, "llamacpp"},
    {Dialect::kOpenai, "openai"},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

void append_ids(std::string& out, std::span<const int32_t> ids) {
  out.push_back('[');
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out.push_back(',');
    fmt::format_to(std::back_inserter(out), "{}", ids[i]);
  }
  out.push_back(']');
}

// The sampling fields of the OpenAI-shaped routes, after "prompt"/"messages". Plain OpenAI knows
// neither top_k nor min_tokens; llama-server's OpenAI routes know top_k but not min_tokens.
void append_sampling(std::string& out, const RequestSpec& s) {
  fmt::format_to(std::back_inserter(out), ",\"max_tokens\":{}", s.limits.max_tokens);
  if (s.dialect != Dialect::kOpenai && s.dialect != Dialect::kLlamacpp) {
    fmt::format_to(std::back_inserter(out), ",\"min_tokens\":{}", s.limits.min_tokens);
  }
  out += ",\"temperature\":0,\"top_p\":1";
  if (s.dialect != Dialect::kOpenai) out += ",\"top_k\":1";
}

void append_stream(std::string& out, bool stream) {
  out +=
      stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : ",\"stream\":false";
}

void build_llamacpp_native(const RequestSpec& s, std::span<const int32_t> ids, std::string& out) {
  out += "{\"prompt\":";
  append_ids(out, ids);
  fmt::format_to(std::back_inserter(out),
                 ",\"n_predict\":{},\"temperature\":0,\"top_k\":1,\"top_p\":1,\"stream\":{},"
                 "\"return_tokens\":true,\"cache_prompt\":false}}",
                 s.limits.max_tokens, s.stream ? "true" : "false");
}

}  // namespace

std::string_view to_string(Dialect d) {
  for (const auto& [v, name] : kDialectNames) {
    if (v == d) return name;
  }
  return "?";
}

std::optional<Dialect> parse_dialect(std::string_view s) {
  for (const auto& [v, name] : kDialectNames) {
    if (name == s) return v;
  }
  return std::nullopt;
}

std::optional<Api> parse_api(std::string_view s) {
  if (s == "completions") return Api::kCompletions;
  if (s == "chat") return Api::kChat;
  return std::nullopt;
}

std::string_view to_string(Api a) { return a == Api::kChat ? "chat" : "completions"; }

std::string_view request_route(Dialect d, Api a) {
  if (a == Api::kChat) return "/v1/chat/completions";
  return d == Dialect::kLlamacpp ? "/completion" : "/v1/completions";
}

bool returns_token_ids(Dialect d, Api a) {
  if (d == Dialect::kOpenai) return false;
  // llama-server's OpenAI-compatible chat route has no way to ask for ids.
  return !(a == Api::kChat && d == Dialect::kLlamacpp);
}

void build_request_body(const RequestSpec& s, std::span<const int32_t> prompt_ids,
                        std::string_view prompt_text, std::string& out) {
  out.clear();
  if (s.api == Api::kCompletions && s.dialect == Dialect::kLlamacpp) {
    build_llamacpp_native(s, prompt_ids, out);
    return;
  }
  out += "{\"model\":";
  out += util::Json(s.model).dump();
  if (s.api == Api::kChat) {
    out += ",\"messages\":[{\"role\":\"user\",\"content\":";
    out += util::Json(std::string(prompt_text)).dump();
    out += "}]";
  } else {
    out += ",\"prompt\":";
    append_ids(out, prompt_ids);
  }
  append_sampling(out, s);
  append_stream(out, s.stream);
  const bool ask_for_ids = s.dialect == Dialect::kInfermark || s.dialect == Dialect::kVllm ||
                           s.dialect == Dialect::kSglang;
  if (ask_for_ids) out += ",\"return_token_ids\":true";
  if (s.dialect == Dialect::kLlamacpp) out += ",\"cache_prompt\":false";
  out += "}";
}

Detection detect_dialect(const ServerFacts& f) {
  const std::string owner = lower(f.owned_by);
  static constexpr std::array<std::pair<std::string_view, Dialect>, 6> kOwners = {{
      {"vllm", Dialect::kVllm},
      {"sglang", Dialect::kSglang},
      {"tensorrt_llm", Dialect::kTrtllm},
      {"trtllm", Dialect::kTrtllm},
      {"llamacpp", Dialect::kLlamacpp},
      {"infermark", Dialect::kInfermark},
  }};
  for (const auto& [name, d] : kOwners) {
    if (owner == name) return {d, fmt::format("/v1/models owned_by \"{}\"", f.owned_by)};
  }
  const std::string server = lower(f.server_header);
  if (server.find("infermark") != std::string::npos) {
    return {Dialect::kInfermark, fmt::format("Server header \"{}\"", f.server_header)};
  }
  if (server.find("llama.cpp") != std::string::npos) {
    return {Dialect::kLlamacpp, fmt::format("Server header \"{}\"", f.server_header)};
  }
  if (lower(f.version_body).find("infermark") != std::string::npos) {
    return {Dialect::kInfermark, "/version names infermark"};
  }
  return {Dialect::kOpenai,
          fmt::format("nothing known (owned_by \"{}\", Server \"{}\"): plain OpenAI", f.owned_by,
                      f.server_header)};
}

}  // namespace infermark::sut::http
