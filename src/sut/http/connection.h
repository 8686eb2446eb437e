// One keep-alive HTTP/1.1 connection to an endpoint, carrying one request at a time: connects
// (with the connect timeout), sends a sample's request, and reads the answer as it arrives —
// Beast's parser undoes chunked encoding into a fixed buffer, the SSE parser cuts events, the
// shard's chunk decoder reads each event — and reports to the CallSink: first token, the end of
// the attempt (exactly once), and when the connection is free again.
//
// Timeouts: connect; idle (tcp_stream expiry on every read and write, see Timeouts::idle); and a
// deadline timer for the whole request. A reused connection that turns out to have been closed by
// the server (no byte of an answer came) is reconnected once, silently: that is keep-alive's
// normal race, not a failure of the endpoint.
//
// Why Beast and not libcurl's multi interface: the per-event path is what must stay cheap
// (serving.md §4: well under 5 us per event at ~225k events/s for eight nodes). With Beast the
// bytes go from the socket through Beast's chunked-body parser into this connection's own buffer
// and straight into the SSE parser, on the shard thread that owns the connection, with no copy
// into a transfer-owned buffer, no write callback per transfer and no curl_multi_socket_action /
// timer bookkeeping per read; timeouts are Asio timers we control per operation (idle) and per
// request (deadline), which libcurl only offers as a low-speed limit in whole seconds. It is also
// the library infermark's server uses, so client and server share one event model.
//
// Runs on its shard's thread only; start() and abort() must be called there. Owned by
// shared_ptr (its handlers hold it).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sut/http/answer_reader.h"
#include "sut/http/call.h"
#include "sut/http/client_options.h"
#include "sut/http/dialect.h"
#include "sut/http/io_shards.h"
#include "sut/http/sse_parser.h"

namespace infermark::sut::http {

// Turns prompt ids into text (the chat API) and answer text into ids (--allow-text).
struct TextCodec {
  std::function<std::string(std::span<const int32_t>)> decode;
  std::function<std::vector<int32_t>(std::string_view)> encode;
};

// How every request of a run is made.
struct ClientConfig {
  Timeouts timeouts;
  ClientAuth auth;
  Api api = Api::kCompletions;
  bool stream = true;
  GenerationLimits limits;
  bool allow_text = false;  // collect text answers (re-tokenized later)
  TextCodec codec;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class Abort { kNone, kDeadline, kEndpointDown, kCancelled };

  Connection(Shard& shard, std::shared_ptr<Endpoint> endpoint, const ClientConfig& config,
             CallSink& sink);

  // Sends `call`'s request on this connection (connecting first if needed).
  void start(std::shared_ptr<Call> call);
  // Ends the request in flight (if any) for `why`; the connection is closed. `reason` is the
  // attempt's failure reason for kEndpointDown.
  void abort(Abort why, std::string reason);
  bool is_open() const { return stream_.socket().is_open(); }
  Endpoint& endpoint() { return *endpoint_; }
  size_t shard() const { return shard_.index; }

 private:
  enum class Body { kSse, kJson, kError };

  void build_request();
  void connect();
  void write();
  void read_header();
  void read_body();
  void arm_idle(bool armed);
  void on_header(boost::system::error_code ec);
  void on_body(boost::system::error_code ec);
  bool on_event(const SseParser::Event& event);
  // Acts on what an event meant; false when the attempt ended.
  bool apply(const EventEffect& effect);
  void on_message_done();
  // Connection-level failure while a call may be in flight: ends it (endpoint failure or the
  // abort's outcome) and closes.
  void on_io_error(const boost::system::error_code& ec, std::string_view stage);
  bool try_reconnect_stale();
  void end_attempt(AttemptEnd end, std::string reason);
  void release(bool reusable);
  void close();

  Shard& shard_;
  std::shared_ptr<Endpoint> endpoint_;
  const ClientConfig& config_;
  CallSink& sink_;
  RequestSpec spec_;
  ReadOptions read_options_;
  std::string head_prefix_;  // request line and fixed headers

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> parser_;
  std::unique_ptr<char[]> body_buf_;
  boost::asio::steady_timer deadline_;
  SseParser sse_;
  std::string body_;     // the request body, then reused
  std::string request_;  // head + body
  std::string answer_;   // a non-streamed answer or an error page, as it arrives

  std::shared_ptr<Call> call_;  // the attempt in flight, or null (draining / idle)
  bool exchange_ = false;       // a request/answer exchange is under way
  bool used_before_ = false;    // an earlier exchange completed on this socket
  bool reused_ = false;         // this exchange runs on a reused socket
  bool stale_retry_used_ = false;
  bool header_seen_ = false;
  bool poisoned_ = false;  // the answer cannot be read to its end: close after it
  Body body_kind_ = Body::kSse;
  unsigned status_ = 0;
  Abort abort_ = Abort::kNone;
  std::string abort_reason_;
  uint64_t generation_ = 0;  // invalidates deadline handlers of earlier attempts
};

}  // namespace infermark::sut::http
