#include "server/server.h"

#include <chrono>
#include <random>

#include "util/error.h"
#include "util/log.h"

namespace infermark::server {
namespace {

constexpr std::chrono::seconds kStopWait{2};

}  // namespace

Server::Server(ServerOptions options)
    : state_(std::make_unique<ServerState>(std::move(options))),
      router_(std::make_unique<ApiRouter>(*state_)) {
  const ServerOptions& o = state_->options;
  if (o.stream_interval < 1) {
    throw Error::format("serve: --stream-interval {}: must be >= 1", o.stream_interval);
  }
  if (o.max_queue && *o.max_queue < 0) {
    throw Error::format("serve: --max-queue {}: must be >= 0", *o.max_queue);
  }
  if (o.http.io_threads < 1) {
    throw Error::format("serve: --io-threads {}: must be >= 1", o.http.io_threads);
  }
  state_->started_unix = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  state_->id_prefix = fmt::format("{:08x}", std::random_device{}());
  http_ = std::make_unique<HttpServer>(
      o.http, *router_, [m = &state_->metrics](unsigned status) { m->count_response(status); });
}

Server::~Server() {
  request_shutdown();
  wait();
}

void Server::start() {
  http_->start();
  if (state_->options.handle_signals) {
    signals_.emplace(http_->io_context(), SIGTERM, SIGINT);
    signals_->async_wait([this](error_code ec, int) {
      if (ec) return;
      request_shutdown();
      // A second signal does not wait for the grace period.
      signals_->async_wait([this](error_code ec2, int) {
        if (!ec2) http_->stop_connections();
      });
    });
  }
}

void Server::set_backend(std::unique_ptr<GenerationBackend> backend,
                         std::optional<text::Tokenizer> tokenizer) {
  IM_CHECK(backend != nullptr && !state_->ready.load());
  const ServerOptions& o = state_->options;
  std::optional<int64_t> capacity;
  if (o.max_queue) capacity = backend->info().max_seqs + *o.max_queue;
  state_->admission.emplace(capacity);
  state_->metrics.set_backend_kind(backend->info().kind);
  state_->backend = std::move(backend);
  state_->tokenizer = std::move(tokenizer);
  state_->ready.store(true, std::memory_order_release);
}

void Server::request_shutdown() {
  {
    std::lock_guard lock(mu_);
    shutdown_requested_ = true;
  }
  shutdown_cv_.notify_all();
}

bool Server::wait() {
  {
    std::unique_lock lock(mu_);
    shutdown_cv_.wait(lock, [this] { return shutdown_requested_; });
    if (stopped_) return true;
    stopped_ = true;
  }
  using Clock = std::chrono::steady_clock;
  http_->drain();
  const bool clean = http_->wait_closed(Clock::now() + state_->options.shutdown_grace);
  if (!clean) {
    IM_LOG_WARN("serve: shutdown grace of {} ms ran out with {} connections open; ending them",
                state_->options.shutdown_grace.count(), http_->connections());
    http_->stop_connections();
    if (!http_->wait_closed(Clock::now() + kStopWait)) {
      http_->abort_connections();
      http_->wait_closed(Clock::now() + kStopWait);
    }
  }
  if (signals_) {
    error_code ec;
    signals_->cancel(ec);
  }
  // The backend goes first, while the I/O threads still run: its last callbacks post to
  // connection strands.
  const size_t left = http_->connections();
  if (left == 0) {
    state_->ready.store(false);
    state_->backend.reset();
  } else {
    // A connection that would not close still refers to the backend: keep both (the process is
    // ending).
    IM_LOG_ERROR("serve: {} connections did not close; leaving them", left);
  }
  http_->stop();
  if (left > 0) {
    (void)http_.release();
    (void)state_.release();
    (void)router_.release();
  }
  return clean;
}

}  // namespace infermark::server
