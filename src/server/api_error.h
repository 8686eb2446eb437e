// The errors the API answers with: an HTTP status and an OpenAI-style body
//   {"error": {"message": "...", "type": "...", "param": "<field>"|null, "code": "..."}}
// `message` names the field and the offending value; `code` is a short machine-readable reason
// (docs/serve.md lists them); `type` follows from the status. Thrown by request validation and
// turned into a response by the router; never escapes the server.
#pragma once

#include <stdexcept>
#include <string>

namespace infermark::server {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message, std::string param = {});

  // 400s for request fields.
  static ApiError invalid_value(std::string param, const std::string& message);
  static ApiError invalid_type(std::string param, const std::string& message);
  static ApiError missing(std::string param);
  static ApiError unsupported(std::string param, const std::string& message);

  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& param() const { return param_; }  // empty: null
  // "invalid_request_error", "authentication_error", "rate_limit_error" or "server_error".
  std::string type() const;
  // The JSON body.
  std::string body() const;

 private:
  int status_;
  std::string code_;
  std::string param_;
};

// The JSON body of an error that is not an ApiError (e.g. one sent as an SSE event).
std::string error_body(int status, const std::string& code, const std::string& message,
                       const std::string& param = {});

}  // namespace infermark::server
