// Test helpers: a blocking HTTP/1.1 client over loopback that works with raw bytes (to test the
// exact wire format, malformed requests and limits), with every wait bounded by a timeout, plus
// parsers for replies (Content-Length, chunked, or until close) and SSE bodies.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.h"

namespace infermark::server::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // de-chunked
  bool chunked = false;
  std::string raw_body;  // as it came over the wire
};

class TestConnection {
 public:
  // Connects to 127.0.0.1:port; throws std::runtime_error on failure. `receive_buffer` > 0
  // sets SO_RCVBUF before connecting (a small one makes a client that does not read stall the
  // server's writes quickly).
  explicit TestConnection(uint16_t port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20),
                          int receive_buffer = 0);
  ~TestConnection();
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  // Writes all of `bytes`; false if the peer reset the connection.
  bool send(std::string_view bytes);
  // One response (skipping "100 Continue"); throws std::runtime_error on a timeout or a reply
  // that cannot be parsed.
  HttpReply read_reply();
  // Everything until the peer closes (or the timeout): the raw bytes.
  std::string read_until_close();
  // Reads until `needle` has arrived; returns everything read so far (and keeps it for
  // read_reply). Throws on timeout.
  std::string read_until(std::string_view needle);
  // True if the peer closes within `wait` (reading and dropping bytes meanwhile).
  bool closed_within(std::chrono::milliseconds wait);
  void close();

 private:
  // Reads more into buffer_; false on EOF. Throws on timeout.
  bool fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
};

// The request text of a POST with a JSON body (Content-Length framing).
std::string post_text(std::string_view path, std::string_view body,
                      const std::vector<std::string>& extra_headers = {});

// One request on a fresh connection.
HttpReply post(uint16_t port, std::string_view path, std::string_view body,
               const std::vector<std::string>& extra_headers = {});
HttpReply get(uint16_t port, std::string_view path,
              const std::vector<std::string>& extra_headers = {});

// The `data:` payloads of an SSE body, in order ("[DONE]" included as is).
std::vector<std::string> sse_data(std::string_view body);
// Parses each payload except [DONE] as JSON.
std::vector<util::Json> sse_json(std::string_view body);

// From a Prometheus text exposition: the value of the first sample whose name and labels start
// with `series` (e.g. "infermark:num_requests_running{"); NaN if absent.
double metric_value(std::string_view exposition, std::string_view series);

}  // namespace infermark::server::testing
