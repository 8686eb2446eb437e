#include "sut/http/connection.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <limits>

#include "sut/http/simple_get.h"

namespace infermark::sut::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kBodyBuffer = 16 << 10;
constexpr size_t kMaxJsonAnswer = 16 << 20;
constexpr size_t kMaxErrorBody = 64 << 10;

// TCP keep-alive probes find a peer host that vanished while a request waits silently for a long
// answer (a non-streamed Offline request): ~60 s instead of the kernel's two hours.
void enable_keepalive(tcp::socket& socket) {
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  socket.set_option(asio::socket_base::keep_alive(true), ignored);
  const int fd = socket.native_handle();
  const int idle = 30, interval = 10, count = 3;
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

bool is_http_parse_error(const error_code& ec) {
  static const auto& category = bhttp::make_error_code(bhttp::error::bad_version).category();
  return ec.category() == category && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

}  // namespace

Connection::Connection(Shard& shard, std::shared_ptr<Endpoint> endpoint, const ClientConfig& config,
                       CallSink& sink)
    : shard_(shard),
      endpoint_(std::move(endpoint)),
      config_(config),
      sink_(sink),
      stream_(shard.ioc),
      body_buf_(new char[kBodyBuffer]),
      deadline_(shard.ioc) {
  const EndpointInfo& info = endpoint_->info();
  spec_ = {info.dialect, config.api, info.model, config.stream, config.limits};
  read_options_.collect_text = config.allow_text;
  read_options_.ends_at_stop =
      info.dialect == Dialect::kLlamacpp && config.api == Api::kCompletions;
  head_prefix_ = fmt::format(
      "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: infermark\r\nContent-Type: application/json\r\n"
      "Accept: {}\r\n",
      info.url.target(request_route(info.dialect, config.api)), info.url.authority(),
      config.stream ? "text/event-stream" : "application/json");
  if (!config.auth.api_key.empty()) {
    head_prefix_ += "Authorization: Bearer " + config.auth.api_key + "\r\n";
  }
}

void Connection::build_request() {
  std::string text;
  if (config_.api == Api::kChat) text = config_.codec.decode(call_->prompt);
  build_request_body(spec_, call_->prompt, text, body_);
  request_.assign(head_prefix_);
  fmt::format_to(std::back_inserter(request_), "Content-Length: {}\r\n\r\n", body_.size());
  request_ += body_;
}

void Connection::start(std::shared_ptr<Call> call) {
  call_ = std::move(call);
  exchange_ = true;
  stale_retry_used_ = false;
  abort_ = Abort::kNone;
  abort_reason_.clear();
  endpoint_->pool(shard_.index).active.insert(this);
  build_request();
  const uint64_t generation = ++generation_;
  deadline_.expires_after(config_.timeouts.request);
  deadline_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
    if (ec || generation != self->generation_ || !self->call_) return;
    self->abort(Abort::kDeadline, "");
  });
  if (is_open()) {
    reused_ = used_before_;
    write();
  } else {
    connect();
  }
}

void Connection::connect() {
  reused_ = false;
  buffer_.consume(buffer_.size());
  stream_.expires_after(config_.timeouts.connect);
  stream_.async_connect(endpoint_->info().addresses,
                        [self = shared_from_this()](error_code ec, const tcp::endpoint&) {
                          if (self->abort_ != Abort::kNone) ec = asio::error::operation_aborted;
                          if (ec) return self->on_io_error(ec, "connect");
                          enable_keepalive(self->stream_.socket());
                          self->write();
                        });
}

void Connection::write() {
  parser_.reset();  // the previous exchange's parser must not count as this one's answer
  header_seen_ = false;
  poisoned_ = false;
  status_ = 0;
  answer_.clear();
  sse_.reset();
  stream_.expires_after(config_.timeouts.idle);
  asio::async_write(stream_, asio::buffer(request_),
                    [self = shared_from_this()](error_code ec, size_t) {
                      if (self->abort_ != Abort::kNone) ec = asio::error::operation_aborted;
                      if (ec) {
                        if (self->try_reconnect_stale()) return;
                        return self->on_io_error(ec, "send");
                      }
                      self->read_header();
                    });
}

void Connection::arm_idle(bool armed) {
  if (armed) {
    stream_.expires_after(config_.timeouts.idle);
  } else {
    stream_.expires_never();
  }
}

void Connection::read_header() {
  parser_.emplace();
  parser_->header_limit(64 << 10);
  // Bounded by the deadline, and per kind in on_body(). (Not boost::none: Beast 1.74 compares a
  // Content-Length against an empty optional as "over the limit".)
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  // A streamed request is silent only while the server queues it (see Timeouts::idle).
  arm_idle(config_.stream);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, size_t) { self->on_header(ec); });
}

void Connection::on_header(error_code ec) {
  // A handler queued before an abort still sees it: the abort wins.
  if (abort_ != Abort::kNone) ec = asio::error::operation_aborted;
  if (ec) {
    if (try_reconnect_stale()) return;
    return on_io_error(ec, "answer");
  }
  header_seen_ = true;
  const auto& res = parser_->get();
  status_ = res.result_int();
  const auto header = res[bhttp::field::content_type];
  const std::string_view type(header.data(), header.size());
  if (status_ != 200) {
    body_kind_ = Body::kError;
  } else if (type.starts_with("text/event-stream")) {
    body_kind_ = Body::kSse;
  } else if (type.find("json") != std::string_view::npos) {
    body_kind_ = Body::kJson;  // a non-streamed answer (or a server that ignored "stream")
  } else {
    body_kind_ = Body::kError;  // 200 with an HTML page from a proxy, say
  }
  read_body();
}

void Connection::read_body() {
  auto& body = parser_->get().body();
  body.data = body_buf_.get();
  body.size = kBodyBuffer;
  arm_idle(true);
  bhttp::async_read_some(stream_, buffer_, *parser_,
                         [self = shared_from_this()](error_code ec, size_t) { self->on_body(ec); });
}

void Connection::on_body(error_code ec) {
  if (ec == bhttp::error::need_buffer) ec = {};
  if (abort_ != Abort::kNone) return on_io_error(asio::error::operation_aborted, "answer");
  const size_t n = kBodyBuffer - parser_->get().body().size;
  const std::string_view bytes(body_buf_.get(), n);
  if (n > 0 && !poisoned_) {
    switch (body_kind_) {
      case Body::kSse:
        if (sse_.feed(bytes, [this](const SseParser::Event& e) { return on_event(e); }) ==
            SseParser::Status::kTooLarge) {
          end_attempt(AttemptEnd::kSampleError, "an SSE event is larger than 1 MiB");
        }
        break;
      case Body::kJson:
        if (answer_.size() + n > kMaxJsonAnswer) {
          end_attempt(AttemptEnd::kSampleError, "the answer is larger than 16 MiB");
        } else {
          answer_.append(bytes);
        }
        break;
      case Body::kError:
        answer_.append(bytes.substr(0, kMaxErrorBody - std::min(kMaxErrorBody, answer_.size())));
        break;
    }
  }
  if (ec) return on_io_error(ec, "answer");
  if (parser_->is_done()) return on_message_done();
  if (poisoned_) {  // the attempt failed mid-answer: the rest is not worth reading
    close();
    return release(false);
  }
  read_body();
}

bool Connection::on_event(const SseParser::Event& e) {
  if (!call_) return false;  // answered already: the rest is the end of the message
  return apply(read_sse_event(shard_.decoder, e, *call_, read_options_));
}

bool Connection::apply(const EventEffect& effect) {
  if (effect.first_token) sink_.on_first_token(*call_);
  switch (effect.kind) {
    case EventEffect::kContinue:
      return true;
    case EventEffect::kAnswered:
      end_attempt(AttemptEnd::kAnswered, "");
      return false;
    case EventEffect::kSampleError:
      end_attempt(AttemptEnd::kSampleError, effect.reason);
      return false;
  }
  return false;
}

void Connection::on_message_done() {
  const bool keep = parser_->keep_alive();
  if (call_) {
    switch (body_kind_) {
      case Body::kSse:
        end_attempt(AttemptEnd::kSampleError,
                    read_options_.ends_at_stop
                        ? "the stream ended without its final \"stop\": true event"
                        : "the stream ended without data: [DONE]");
        break;
      case Body::kJson:
        answer_.reserve(answer_.size() + SseParser::kPadding);
        if (apply(read_answer_json(shard_.decoder, answer_, answer_.capacity(), *call_,
                                   read_options_))) {
          end_attempt(AttemptEnd::kAnswered, "");
        }
        break;
      case Body::kError: {
        const std::string type(parser_->get()[bhttp::field::content_type]);
        end_attempt(
            AttemptEnd::kSampleError,
            status_ == 200
                ? fmt::format("HTTP 200 with Content-Type '{}': {}", type, body_snippet(answer_))
                : fmt::format("HTTP {} {}: {}", status_, std::string(parser_->get().reason()),
                              body_snippet(answer_)));
        break;
      }
    }
  }
  used_before_ = true;
  if (!keep) close();
  release(keep);
}

void Connection::on_io_error(const error_code& ec, std::string_view stage) {
  if (ec == asio::error::operation_aborted && abort_ != Abort::kNone) {
    switch (abort_) {
      case Abort::kDeadline:
        end_attempt(AttemptEnd::kSampleError,
                    fmt::format("no complete answer within the request timeout ({} ms)",
                                config_.timeouts.request.count()));
        break;
      case Abort::kEndpointDown:
        end_attempt(AttemptEnd::kEndpointFailure, abort_reason_);
        break;
      case Abort::kCancelled:
        end_attempt(AttemptEnd::kCancelled, "");
        break;
      case Abort::kNone:
        break;
    }
  } else if (call_) {
    std::string why;
    if (ec == beast::error::timeout) {
      why =
          stage == "connect"
              ? fmt::format("connect timed out after {} ms", config_.timeouts.connect.count())
              : fmt::format("no data for {} ms (idle timeout) {}", config_.timeouts.idle.count(),
                            header_seen_ ? "in the middle of an answer" : "waiting for an answer");
    } else if (ec == bhttp::error::end_of_stream || ec == asio::error::eof) {
      why = header_seen_ ? "the server closed the connection in the middle of an answer"
                         : "the server closed the connection without answering";
    } else if (ec == asio::error::connection_reset) {
      why = header_seen_ ? "the server reset the connection in the middle of an answer"
                         : "the server reset the connection without answering";
    } else if (ec == bhttp::error::partial_message) {
      why = "the connection ended in the middle of an answer";
    } else if (is_http_parse_error(ec)) {
      end_attempt(AttemptEnd::kSampleError, "not a valid HTTP answer: " + ec.message());
    } else {
      why = fmt::format("{} failed: {}", stage, ec.message());
    }
    if (call_) end_attempt(AttemptEnd::kEndpointFailure, std::move(why));
  }
  close();
  release(false);
}

bool Connection::try_reconnect_stale() {
  if (!reused_ || stale_retry_used_ || header_seen_ || !call_ || abort_ != Abort::kNone) {
    return false;
  }
  if (parser_ && parser_->got_some()) return false;
  stale_retry_used_ = true;
  close();
  connect();
  return true;
}

void Connection::end_attempt(AttemptEnd end, std::string reason) {
  if (!call_) return;
  ++generation_;
  deadline_.cancel();
  if (end != AttemptEnd::kAnswered) poisoned_ = true;
  std::shared_ptr<Call> call = std::move(call_);
  call_.reset();
  sink_.on_attempt_end(std::move(call), {end, std::move(reason)});
}

void Connection::release(bool reusable) {
  if (!exchange_) return;
  exchange_ = false;
  endpoint_->pool(shard_.index).active.erase(this);
  sink_.on_connection_free(shared_from_this(), reusable && is_open());
}

void Connection::abort(Abort why, std::string reason) {
  if (!exchange_) {
    close();
    return;
  }
  if (abort_ != Abort::kNone) return;
  abort_ = why;
  abort_reason_ = std::move(reason);
  stream_.cancel();
}

void Connection::close() {
  error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  used_before_ = false;
  buffer_.consume(buffer_.size());
}

}  // namespace infermark::sut::http
