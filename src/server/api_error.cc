#include "server/api_error.h"

#include "util/json.h"

namespace infermark::server {
namespace {

std::string type_of(int status) {
  if (status == 401) return "authentication_error";
  if (status == 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

}  // namespace

ApiError::ApiError(int status, std::string code, const std::string& message, std::string param)
    : std::runtime_error(message),
      status_(status),
      code_(std::move(code)),
      param_(std::move(param)) {}

ApiError ApiError::invalid_value(std::string param, const std::string& message) {
  return ApiError(400, "invalid_value", message, std::move(param));
}

ApiError ApiError::invalid_type(std::string param, const std::string& message) {
  return ApiError(400, "invalid_type", message, std::move(param));
}

ApiError ApiError::missing(std::string param) {
  const std::string message = "'" + param + "' is required";
  return ApiError(400, "missing_required_parameter", message, std::move(param));
}

ApiError ApiError::unsupported(std::string param, const std::string& message) {
  return ApiError(400, "unsupported_parameter", message, std::move(param));
}

std::string ApiError::type() const { return type_of(status_); }

std::string ApiError::body() const { return error_body(status_, code_, what(), param_); }

std::string error_body(int status, const std::string& code, const std::string& message,
                       const std::string& param) {
  util::Json error = {{"message", message},
                      {"type", type_of(status)},
                      {"param", param.empty() ? util::Json(nullptr) : util::Json(param)},
                      {"code", code}};
  return util::Json{{"error", std::move(error)}}.dump(-1, ' ', false,
                                                      util::Json::error_handler_t::replace);
}

}  // namespace infermark::server
