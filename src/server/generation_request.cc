#include "server/generation_request.h"

#include <algorithm>
#include <limits>

#include "server/api_error.h"
#include "server/json_fields.h"
#include "text/chat_template.h"
#include "text/utf8.h"

namespace infermark::server {
namespace {

using util::Json;

constexpr size_t kMaxStopStrings = 16;
constexpr size_t kMaxStopBytes = 256;
constexpr size_t kMaxStopTokenIds = 256;

void check_model(const FieldReader& f, const RequestContext& ctx) {
  const std::optional<std::string> model = f.string("model");
  if (model && *model != ctx.served_model_name) {
    throw ApiError(404, "model_not_found",
                   fmt::format("model '{}' does not exist; this server serves '{}'", *model,
                               ctx.served_model_name),
                   "model");
  }
}

void reject_unsupported(const FieldReader& f, Route route) {
  for (const char* name : {"n", "best_of"}) {
    const std::optional<int64_t> v = f.integer(name, 1, std::numeric_limits<int32_t>::max());
    if (v && *v != 1) {
      throw ApiError::unsupported(
          name, fmt::format("{} = {}: only one choice per prompt is supported", name, *v));
    }
  }
  f.reject_unless("echo", false, "echo");
  f.reject_unless("suffix", "", "suffix");
  f.reject_unless("logprobs", route == Route::kChat ? Json(false) : Json(0), "logprobs");
  f.reject_unless("top_logprobs", 0, "top_logprobs");
  f.reject_unless("presence_penalty", 0, "presence_penalty");
  f.reject_unless("frequency_penalty", 0, "frequency_penalty");
  f.reject_unless("repetition_penalty", 1, "repetition_penalty");
  f.reject_unless("logit_bias", Json::object(), "logit_bias");
  f.reject_unless("tools", Json::array(), "tool calling");
  f.reject_unless("functions", Json::array(), "function calling");
  f.reject_unless("tool_choice", "none", "tool calling");
  f.reject_unless("response_format", Json{{"type", "text"}}, "response_format");
}

std::vector<TokenId> read_ids(const Json& list, const std::string& param, const BackendInfo& b) {
  std::vector<TokenId> ids;
  ids.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& v = list[i];
    const bool in_range =
        v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() < b.vocab_size;
    if (!in_range) {
      const std::string what = v.is_number_integer() ? "outside the vocabulary" : "not a token id";
      throw ApiError::invalid_value(param, fmt::format("{}[{}] = {}: {} [0, {})", param, i,
                                                       quote_json(v), what, b.vocab_size));
    }
    ids.push_back(static_cast<TokenId>(v.get<int64_t>()));
  }
  return ids;
}

std::vector<TokenId> encode_text(const std::string& text, const std::string& param,
                                 const RequestContext& ctx) {
  if (!ctx.tokenizer) {
    throw ApiError::invalid_value(
        param, fmt::format("{} is text, but this server has no tokenizer: send token ids", param));
  }
  return ctx.tokenizer->encode(text, /*add_bos=*/true);
}

// `prompt`: a string, a list of ids, or a list of strings or of id lists.
std::vector<std::vector<TokenId>> read_prompts(const FieldReader& f, const RequestContext& ctx) {
  const Json* p = f.get("prompt");
  if (!p) throw ApiError::missing("prompt");
  std::vector<std::vector<TokenId>> prompts;
  if (p->is_string()) {
    prompts.push_back(encode_text(p->get<std::string>(), "prompt", ctx));
  } else if (p->is_array() && !p->empty() && (*p)[0].is_number()) {
    prompts.push_back(read_ids(*p, "prompt", *ctx.backend));
  } else if (p->is_array() && !p->empty()) {
    for (size_t i = 0; i < p->size(); ++i) {
      const Json& item = (*p)[i];
      const std::string param = fmt::format("prompt[{}]", i);
      if (item.is_string()) {
        prompts.push_back(encode_text(item.get<std::string>(), param, ctx));
      } else if (item.is_array()) {
        prompts.push_back(read_ids(item, param, *ctx.backend));
      } else {
        throw ApiError::invalid_type(
            "prompt", fmt::format("{} = {}: must be a string or a list of token ids", param,
                                  quote_json(item)));
      }
    }
  } else {
    throw ApiError::invalid_type(
        "prompt", fmt::format("prompt = {}: must be a string, a list of token ids, or a "
                              "non-empty list of either",
                              quote_json(*p)));
  }
  for (size_t i = 0; i < prompts.size(); ++i) {
    if (prompts[i].empty()) {
      throw ApiError::invalid_value("prompt", prompts.size() == 1
                                                  ? "prompt is empty"
                                                  : fmt::format("prompt[{}] is empty", i));
    }
  }
  return prompts;
}

std::string read_content(const Json& content, const std::string& param) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) {
    throw ApiError::invalid_type(param, fmt::format("{} = {}: must be a string or a list of "
                                                    "text parts",
                                                    param, quote_json(content)));
  }
  std::string text;
  for (size_t j = 0; j < content.size(); ++j) {
    const std::string part = fmt::format("{}[{}]", param, j);
    if (!content[j].is_object()) {
      throw ApiError::invalid_type(part, fmt::format("{} must be an object", part));
    }
    const FieldReader pf(content[j], part + ".");
    const std::string type = pf.string("type").value_or("");
    if (type != "text") {
      throw ApiError::unsupported(
          pf.path("type"),
          fmt::format("{}.type = '{}': only text parts are supported", part, type));
    }
    const std::optional<std::string> t = pf.string("text");
    if (!t) throw ApiError::missing(pf.path("text"));
    text += *t;
  }
  return text;
}

std::vector<TokenId> read_messages(const FieldReader& f, const RequestContext& ctx) {
  const Json* m = f.get("messages");
  if (!m) throw ApiError::missing("messages");
  if (!m->is_array() || m->empty()) {
    throw ApiError::invalid_type(
        "messages", fmt::format("messages = {}: must be a non-empty list of {{role, content}}",
                                quote_json(*m)));
  }
  std::vector<text::ChatMessage> messages;
  for (size_t i = 0; i < m->size(); ++i) {
    const std::string param = fmt::format("messages[{}]", i);
    if (!(*m)[i].is_object()) {
      throw ApiError::invalid_type(param, fmt::format("{} must be an object", param));
    }
    const FieldReader mf((*m)[i], param + ".");
    const std::optional<std::string> role = mf.string("role");
    if (!role) throw ApiError::missing(mf.path("role"));
    static const char* const kRoles[] = {"system", "user", "assistant", "tool", "ipython"};
    if (std::find(std::begin(kRoles), std::end(kRoles), *role) == std::end(kRoles)) {
      throw ApiError::invalid_value(
          mf.path("role"),
          fmt::format("{}.role = '{}': must be system, user, assistant, tool or ipython", param,
                      *role));
    }
    const Json* content = mf.get("content");
    messages.push_back({*role, content ? read_content(*content, mf.path("content")) : ""});
  }
  if (!ctx.tokenizer) {
    throw ApiError::invalid_value(
        "messages",
        "chat needs a tokenizer, and this server has none: use /v1/completions "
        "with token ids");
  }
  const bool add_generation_prompt = f.boolean("add_generation_prompt").value_or(true);
  return text::encode_chat(*ctx.tokenizer, messages, add_generation_prompt);
}

std::vector<std::string> read_stop(const FieldReader& f) {
  const Json* s = f.get("stop");
  if (!s) return {};
  std::vector<std::string> stop;
  if (s->is_string()) {
    stop.push_back(s->get<std::string>());
  } else if (s->is_array() && s->size() <= kMaxStopStrings) {
    for (size_t i = 0; i < s->size(); ++i) {
      if (!(*s)[i].is_string()) {
        throw ApiError::invalid_type(
            "stop", fmt::format("stop[{}] = {}: must be a string", i, quote_json((*s)[i])));
      }
      stop.push_back((*s)[i].get<std::string>());
    }
  } else {
    throw ApiError::invalid_type(
        "stop", fmt::format("stop = {}: must be a string or a list of at most {} strings",
                            quote_json(*s), kMaxStopStrings));
  }
  for (const std::string& t : stop) {
    if (t.empty() || t.size() > kMaxStopBytes) {
      throw ApiError::invalid_value(
          "stop", fmt::format("stop string '{}' must be 1 to {} bytes long", t, kMaxStopBytes));
    }
  }
  return stop;
}

std::vector<TokenId> read_stop_token_ids(const FieldReader& f, const BackendInfo& b) {
  const Json* s = f.get("stop_token_ids");
  if (!s) return {};
  if (!s->is_array() || s->size() > kMaxStopTokenIds) {
    throw ApiError::invalid_type(
        "stop_token_ids", fmt::format("stop_token_ids = {}: must be a list of at most {} token ids",
                                      quote_json(*s), kMaxStopTokenIds));
  }
  return read_ids(*s, "stop_token_ids", b);
}

// max_tokens (chat: max_completion_tokens first) against the context left by the longest prompt.
int read_max_tokens(const FieldReader& f, Route route, size_t longest_prompt,
                    const BackendInfo& b) {
  const auto room = b.max_context - static_cast<int64_t>(longest_prompt);
  const char* param = "prompt";
  if (route == Route::kChat) param = "messages";
  if (room < 1) {
    throw ApiError(400, "context_length_exceeded",
                   fmt::format("the prompt has {} tokens; this model's context is {} tokens, "
                               "leaving no room to generate",
                               longest_prompt, b.max_context),
                   param);
  }
  const char* field = "max_tokens";
  if (route == Route::kChat && f.get("max_completion_tokens")) field = "max_completion_tokens";
  const std::optional<int64_t> asked = f.integer(field, 1, std::numeric_limits<int32_t>::max());
  if (asked && *asked > room) {
    throw ApiError::invalid_value(
        field, fmt::format("{} = {}: the prompt has {} tokens and the context {}, so at most {} "
                           "tokens can be generated",
                           field, *asked, longest_prompt, b.max_context, room));
  }
  if (asked) return static_cast<int>(*asked);
  return static_cast<int>(route == Route::kChat ? room : std::min<int64_t>(16, room));
}

engine::GenerationParams read_sampling(const FieldReader& f, int max_tokens) {
  engine::GenerationParams p;
  p.max_new_tokens = max_tokens;
  p.min_new_tokens = static_cast<int>(f.integer("min_tokens", 0, max_tokens).value_or(0));
  p.temperature = static_cast<float>(f.number("temperature", 0, 1e6).value_or(1.0));
  p.top_p = static_cast<float>(f.number("top_p", 0, 1, /*min_open=*/true).value_or(1.0));
  const int64_t top_k = f.integer("top_k", -1, std::numeric_limits<int32_t>::max()).value_or(-1);
  p.top_k = top_k < 0 ? 0 : static_cast<int>(top_k);
  p.seed = f.integer_bits("seed").value_or(0);
  return p;
}

}  // namespace

util::Json parse_json_object(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw ApiError(400, "invalid_json", "the request body is empty: expected a JSON object");
  }
  if (const size_t bad = text::find_invalid_utf8(body); bad != std::string_view::npos) {
    throw ApiError(400, "invalid_json",
                   fmt::format("the request body is not valid UTF-8 (byte {})", bad));
  }
  Json j;
  try {
    j = Json::parse(body);
  } catch (const Json::exception& e) {
    throw ApiError(400, "invalid_json",
                   fmt::format("the request body is not valid JSON: {}", e.what()));
  }
  if (!j.is_object()) {
    throw ApiError(400, "invalid_json",
                   fmt::format("the request body must be a JSON object, got {}", j.type_name()));
  }
  return j;
}

GenerationRequest parse_generation_request(Route route, std::string_view body,
                                           const RequestContext& ctx) {
  IM_CHECK(ctx.backend != nullptr);
  const Json j = parse_json_object(body);
  const FieldReader f(j, "");
  check_model(f, ctx);
  reject_unsupported(f, route);
  GenerationRequest r;
  r.route = route;
  if (route == Route::kCompletions) {
    r.prompts = read_prompts(f, ctx);
  } else {
    r.prompts.push_back(read_messages(f, ctx));
  }
  size_t longest = 0;
  for (const auto& p : r.prompts) longest = std::max(longest, p.size());
  if (static_cast<int64_t>(longest) > ctx.backend->max_context) {
    throw ApiError(400, "context_length_exceeded",
                   fmt::format("the prompt has {} tokens, more than this model's context of {} "
                               "tokens",
                               longest, ctx.backend->max_context),
                   route == Route::kChat ? "messages" : "prompt");
  }
  r.params = read_sampling(f, read_max_tokens(f, route, longest, *ctx.backend));
  r.stop = read_stop(f);
  r.stop_token_ids = read_stop_token_ids(f, *ctx.backend);
  const bool ignore_eos = f.boolean("ignore_eos").value_or(false);
  r.params.ignore_eos = true;  // stop_ids below is the whole list
  if (!ignore_eos) r.params.stop_ids = ctx.backend->eos_ids;
  r.params.stop_ids.insert(r.params.stop_ids.end(), r.stop_token_ids.begin(),
                           r.stop_token_ids.end());
  r.stream = f.boolean("stream").value_or(false);
  if (const Json* so = f.get("stream_options")) {
    if (!r.stream) {
      throw ApiError::invalid_value("stream_options",
                                    "stream_options is only allowed with \"stream\": true");
    }
    if (!so->is_object()) {
      throw ApiError::invalid_type(
          "stream_options", fmt::format("stream_options = {}: must be an object", quote_json(*so)));
    }
    r.include_usage = FieldReader(*so, "stream_options.").boolean("include_usage").value_or(false);
  }
  r.return_token_ids = f.boolean("return_token_ids").value_or(false);
  return r;
}

std::vector<TokenId> parse_tokenize_request(std::string_view body, const RequestContext& ctx) {
  const Json j = parse_json_object(body);
  const FieldReader f(j, "");
  check_model(f, ctx);
  if (f.get("messages")) return read_messages(f, ctx);
  const std::optional<std::string> prompt = f.string("prompt");
  if (!prompt) throw ApiError::missing("prompt");
  if (!ctx.tokenizer) {
    throw ApiError::invalid_value("prompt", "this server has no tokenizer");
  }
  return ctx.tokenizer->encode(*prompt, f.boolean("add_special_tokens").value_or(true));
}

std::vector<TokenId> parse_detokenize_request(std::string_view body, const RequestContext& ctx) {
  const Json j = parse_json_object(body);
  const FieldReader f(j, "");
  check_model(f, ctx);
  const Json* tokens = f.get("tokens");
  if (!tokens) throw ApiError::missing("tokens");
  if (!tokens->is_array()) {
    throw ApiError::invalid_type(
        "tokens", fmt::format("tokens = {}: must be a list of token ids", quote_json(*tokens)));
  }
  if (!ctx.tokenizer) throw ApiError::invalid_value("tokens", "this server has no tokenizer");
  return read_ids(*tokens, "tokens", *ctx.backend);
}

}  // namespace infermark::server
