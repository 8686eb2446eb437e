#include "sut/http/http_sut.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "loadgen/clock.h"
#include "sut/http/endpoint_report.h"
#include "sut/http/open_files.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::sut::http {
namespace {

std::vector<Url> initial_urls(const HttpSutOptions& o) {
  if (!o.endpoints_file.empty()) {
    const std::string origin = o.endpoints_file.string();
    auto urls = parse_endpoints_file(util::read_file(o.endpoints_file), origin);
    if (urls.empty()) throw Error::format("{}: lists no endpoint", origin);
    return urls;
  }
  if (o.endpoints.empty()) throw Error("--sut http://...: no endpoint given");
  return o.endpoints;
}

}  // namespace

HttpSut::HttpSut(const PromptSource& prompts, HttpSutOptions options)
    : prompts_(prompts),
      options_(std::move(options)),
      open_file_limit_(raise_open_file_limit()),
      start_ns_(loadgen::now_ns()),
      endpoints_(options_.balance, options_.max_inflight) {
  if (options_.max_inflight < 0) {
    throw Error::format("--max-inflight: must be 0 (unlimited) or more, got {}",
                        options_.max_inflight);
  }
  if (options_.io_threads < 1) {
    throw Error::format("--client-threads: must be at least 1, got {}", options_.io_threads);
  }
  probe_options_ = {options_.dialect, options_.served_model, options_.client.timeouts,
                    options_.client.auth};
  shards_ = std::make_unique<IoShards>(static_cast<size_t>(options_.io_threads));
  if (options_.dns_name) {
    list_origin_ = "the DNS answer for " + dns_url_str(*options_.dns_name);
    start_discovered();
  } else {
    list_origin_ = options_.endpoints_file.string();
    for (const Url& url : initial_urls(options_)) {
      EndpointInfo info = probe_endpoint(url, probe_options_);
      // Every endpoint serves the model the first one named.
      if (probe_options_.served_model.empty()) probe_options_.served_model = info.model;
      add_endpoint(std::move(info), "checked at start");
    }
  }
  if (options_.dns_name || !options_.endpoints_file.empty()) {
    watcher_ = std::make_unique<EndpointsWatcher>(
        [this] { return read_endpoint_list(); }, options_.reread_interval,
        [this](const std::vector<Url>& urls) { apply_endpoint_list(urls); },
        [this](const std::string& error) {
          queue_note(loadgen::SutNote::kError, error + " (the previous endpoint list stays)");
          record_event(list_origin_, "list unreadable", error + " (the previous list stays)");
        });
  }
}

std::vector<Url> HttpSut::read_endpoint_list() const {
  if (!options_.dns_name) {
    return parse_endpoints_file(util::read_file(options_.endpoints_file), list_origin_);
  }
  return discover_endpoints(*options_.dns_name,
                            options_.resolver ? options_.resolver : Resolver(resolve_host));
}

void HttpSut::start_discovered() {
  apply_endpoint_list(read_endpoint_list());
  if (endpoints_.any_active(nullptr)) return;
  std::string why;
  for (const auto& [url, reason] : refused_) why += "\n  " + reason;
  throw Error::format("{}: no address passed its checks:{}", dns_url_str(*options_.dns_name), why);
}

HttpSut::~HttpSut() {
  watcher_.reset();
  shards_->stop();
  for (const auto& e : endpoints_.all()) {
    for (size_t i = 0; i < shards_->size(); ++i) e->pool(i).idle.clear();
  }
}

void HttpSut::add_endpoint(EndpointInfo info, const std::string& how) {
  if (!returns_token_ids(info.dialect, options_.client.api) && !options_.client.allow_text) {
    throw Error::format(
        "{}: the {} dialect ({}) answers with text, not token ids; MLPerf's Network division "
        "sends and receives ids. Name the server's --dialect if it is vllm, sglang, trtllm, "
        "llamacpp or infermark, or accept re-tokenized text with --allow-text (the run is then "
        "marked not comparable)",
        info.url.str(), to_string(info.dialect), info.dialect_evidence);
  }
  auto endpoint = std::make_shared<Endpoint>(std::move(info), shards_->size());
  endpoint->set_metrics_baseline(
      scrape_counters(endpoint->info(), options_.client.timeouts, options_.client.auth));
  record_event(
      endpoint->name(), "joined",
      fmt::format("{}; dialect {} ({}); model {}", how, to_string(endpoint->info().dialect),
                  endpoint->info().dialect_evidence, endpoint->info().model));
  endpoints_.add(std::move(endpoint));
}

std::string HttpSut::name() const {
  std::string out = "Network SUT (infermark HTTP client):";
  bool first = true;
  for (const auto& e : endpoints_.all()) {
    out += (first ? " " : "; ") + e->info().node;
    first = false;
  }
  return out;
}

bool HttpSut::comparable() const {
  return options_.client.api != Api::kChat && !options_.client.allow_text;
}

std::string HttpSut::not_comparable_reason() const {
  if (options_.client.api == Api::kChat) {
    return "the chat API sends the prompt as text through the server's chat template, not the "
           "MLPerf token ids";
  }
  if (options_.client.allow_text) {
    return fmt::format("--allow-text: text answers are re-tokenized by the client ({} so far)",
                       text_answers_.load());
  }
  return "";
}

void HttpSut::issue(std::span<const loadgen::QuerySample> samples, loadgen::Responder& r) {
  responder_.store(&r, std::memory_order_release);
  const int64_t now = loadgen::now_ns();
  for (const loadgen::QuerySample& s : samples) {
    auto call = std::make_shared<Call>();
    call->id = s.id;
    call->index = s.index;
    call->prompt = prompts_.prompt(s.index);
    call->issued_ns = now;
    call->shard = next_shard_.fetch_add(1, std::memory_order_relaxed) % shards_->size();
    dispatch(std::move(call));
  }
}

void HttpSut::dispatch(std::shared_ptr<Call> call) {
  if (cancelled_.load()) return complete(*call, {}, 0);
  if (auto endpoint = endpoints_.acquire(call->failed_on)) {
    return start_attempt(std::move(call), std::move(endpoint));
  }
  if (!endpoints_.any_active(call->failed_on)) return fail_no_endpoint(call);
  {
    std::lock_guard lock(pending_mu_);
    pending_.push_back(std::move(call));
  }
  drain_pending();  // a slot may have come free since acquire() looked
}

void HttpSut::start_attempt(std::shared_ptr<Call> call, std::shared_ptr<Endpoint> endpoint) {
  call->endpoint = std::move(endpoint);
  call->start_attempt();
  if (call->attempts > 1) call->endpoint->record_retry_here();
  Shard& shard = (*shards_)[call->shard];
  boost::asio::post(shard.ioc, [this, call = std::move(call)] { run_on_shard(call); });
}

void HttpSut::run_on_shard(const std::shared_ptr<Call>& call) {
  Endpoint& endpoint = *call->endpoint;
  if (cancelled_.load()) return on_attempt_end(call, {AttemptEnd::kCancelled, ""});
  if (endpoint.state() == EndpointState::kFailed) {
    return on_attempt_end(call, {AttemptEnd::kEndpointFailure,
                                 endpoint.name() + " was taken out: " + endpoint.failure()});
  }
  auto& pool = endpoint.pool(call->shard);
  std::shared_ptr<Connection> connection;
  while (!pool.idle.empty() && !connection) {
    connection = std::move(pool.idle.back());
    pool.idle.pop_back();
    if (!connection->is_open()) connection.reset();
  }
  if (!connection) {
    CallSink& sink = *this;
    connection = std::make_shared<Connection>((*shards_)[call->shard], call->endpoint,
                                              options_.client, sink);
  }
  connection->start(call);
}

void HttpSut::drain_pending() {
  std::vector<std::pair<std::shared_ptr<Call>, std::shared_ptr<Endpoint>>> to_start;
  std::vector<std::shared_ptr<Call>> to_fail;
  {
    std::lock_guard lock(pending_mu_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      const Endpoint* exclude = (*it)->failed_on;
      if (auto endpoint = endpoints_.acquire(exclude)) {
        to_start.emplace_back(std::move(*it), std::move(endpoint));
        it = pending_.erase(it);
      } else if (!endpoints_.any_active(exclude)) {
        to_fail.push_back(std::move(*it));
        it = pending_.erase(it);
      } else if (exclude == nullptr) {
        break;  // every endpoint is full: nothing behind it can start either
      } else {
        ++it;
      }
    }
  }
  for (auto& [call, endpoint] : to_start) start_attempt(std::move(call), std::move(endpoint));
  for (auto& call : to_fail) fail_no_endpoint(call);
}

void HttpSut::on_first_token(Call& call) {
  if (!options_.report_first_token || call.first_reported) return;
  call.first_reported = true;
  std::vector<int32_t> from_text;
  std::span<const int32_t> ids = call.ids;
  if (ids.empty() && !call.text.empty()) {  // --allow-text with a text-only server
    from_text = options_.client.codec.encode(call.text);
    ids = from_text;
  }
  const loadgen::SampleResponse r{call.id, std::as_bytes(ids), static_cast<int64_t>(ids.size())};
  responder().first_token({&r, 1});
}

void HttpSut::on_attempt_end(std::shared_ptr<Call> call, AttemptResult result) {
  Endpoint& endpoint = *call->endpoint;
  endpoints_.release(endpoint);
  switch (result.end) {
    case AttemptEnd::kAnswered:
      finish_answer(call);
      break;
    case AttemptEnd::kSampleError:
      fail_sample(call, endpoint.name() + ": " + result.reason, &endpoint);
      break;
    case AttemptEnd::kEndpointFailure:
      take_out(call->endpoint, result.reason);
      retry_or_fail(call, endpoint.name() + ": " + result.reason);
      break;
    case AttemptEnd::kCancelled:
      complete(*call, call->ids, static_cast<int64_t>(call->ids.size()));
      break;
  }
  drain_pending();
}

void HttpSut::on_connection_free(std::shared_ptr<Connection> connection, bool reusable) {
  Endpoint& endpoint = connection->endpoint();
  if (!reusable || endpoint.state() == EndpointState::kFailed || cancelled_.load()) return;
  endpoint.pool(connection->shard()).idle.push_back(std::move(connection));
}

void HttpSut::finish_answer(const std::shared_ptr<Call>& call) {
  Call& c = *call;
  Endpoint& endpoint = *c.endpoint;
  const bool from_text = c.ids.empty() && !c.text.empty();
  if (from_text) {
    c.ids = options_.client.codec.encode(c.text);
    text_answers_.fetch_add(1);
  }
  const auto n = static_cast<int64_t>(c.ids.size());
  if (n == 0) {
    return fail_sample(
        call,
        endpoint.name() + (c.saw_text ? ": the answer has text but no token ids (a "
                                        "text-only server? see --dialect, --allow-text)"
                                      : ": the answer has no tokens"),
        &endpoint);
  }
  if (!from_text && c.usage_tokens >= 0 && c.usage_tokens != n) {
    return fail_sample(call,
                       fmt::format("{}: usage.completion_tokens is {} but {} token ids came back",
                                   endpoint.name(), c.usage_tokens, n),
                       &endpoint);
  }
  const int64_t ttft = c.first_token_ns >= 0 ? c.first_token_ns - c.issued_ns : -1;
  const int64_t tpot =
      n > 1 && c.first_token_ns >= 0 ? (c.last_token_ns - c.first_token_ns) / (n - 1) : -1;
  endpoint.record_answer(ttft, tpot, static_cast<uint64_t>(n));
  complete(c, c.ids, n);
}

void HttpSut::fail_sample(const std::shared_ptr<Call>& call, const std::string& reason,
                          Endpoint* where) {
  if (where) where->record_failure(reason);
  note(loadgen::SutNote::kError, fmt::format("sample {} failed: {}", call->index, reason));
  complete(*call, {}, 0);
}

void HttpSut::fail_no_endpoint(const std::shared_ptr<Call>& call) {
  no_endpoint_failures_.fetch_add(1);
  if (!run_invalid_sent_.exchange(true)) {
    std::string why;
    for (const auto& e : endpoints_.all()) {
      why += fmt::format("{}{} {}", why.empty() ? "" : "; ", e->name(),
                         e->state() == EndpointState::kFailed ? "failed: " + e->failure()
                                                              : std::string(to_string(e->state())));
    }
    note(loadgen::SutNote::kRunInvalid, "no endpoint is left to send samples to (" + why + ")");
  }
  complete(*call, {}, 0);
}

void HttpSut::take_out(const std::shared_ptr<Endpoint>& endpoint, const std::string& reason) {
  if (!endpoint->fail(reason)) return;
  record_event(endpoint->name(), "taken out", reason);
  note(loadgen::SutNote::kError, endpoint->name() + " is taken out of the run: " + reason);
  const std::string why = endpoint->name() + " was taken out: " + reason;
  for (size_t i = 0; i < shards_->size(); ++i) {
    boost::asio::post((*shards_)[i].ioc, [endpoint, i, why] {
      auto& pool = endpoint->pool(i);
      const std::vector<Connection*> active(pool.active.begin(), pool.active.end());
      for (Connection* c : active) c->abort(Connection::Abort::kEndpointDown, why);
      pool.idle.clear();
    });
  }
}

void HttpSut::retry_or_fail(const std::shared_ptr<Call>& call, const std::string& reason) {
  Endpoint* failed = call->endpoint.get();
  if (call->attempts >= 2 || cancelled_.load()) return fail_sample(call, reason, failed);
  failed->record_retry_away();
  retries_.fetch_add(1);
  call->failed_on = failed;
  dispatch(call);
}

void HttpSut::complete(const Call& call, std::span<const int32_t> ids, int64_t n_tokens) {
  if (has_queued_notes_.load(std::memory_order_acquire)) {
    std::vector<std::pair<loadgen::SutNote, std::string>> notes;
    {
      std::lock_guard lock(notes_mu_);
      notes.swap(queued_notes_);
      has_queued_notes_.store(false, std::memory_order_release);
    }
    for (const auto& [kind, text] : notes) responder().note(kind, text);
  }
  const loadgen::SampleResponse r{call.id, std::as_bytes(ids), n_tokens};
  responder().complete({&r, 1});
}

void HttpSut::note(loadgen::SutNote kind, std::string text) { responder().note(kind, text); }

void HttpSut::queue_note(loadgen::SutNote kind, std::string text) {
  std::lock_guard lock(notes_mu_);
  queued_notes_.emplace_back(kind, std::move(text));
  has_queued_notes_.store(true, std::memory_order_release);
}

void HttpSut::record_event(const std::string& endpoint, std::string what, std::string reason) {
  std::lock_guard lock(events_mu_);
  events_.push_back(
      {(loadgen::now_ns() - start_ns_) / 1e9, endpoint, std::move(what), std::move(reason)});
}

void HttpSut::cancel() {
  cancelled_.store(true);
  for (const auto& endpoint : endpoints_.all()) {
    for (size_t i = 0; i < shards_->size(); ++i) {
      boost::asio::post((*shards_)[i].ioc, [endpoint, i] {
        auto& pool = endpoint->pool(i);
        const std::vector<Connection*> active(pool.active.begin(), pool.active.end());
        for (Connection* c : active) c->abort(Connection::Abort::kCancelled, "");
      });
    }
  }
  std::deque<std::shared_ptr<Call>> waiting;
  {
    std::lock_guard lock(pending_mu_);
    waiting.swap(pending_);
  }
  for (const auto& call : waiting) complete(*call, {}, 0);
}

void HttpSut::apply_endpoint_list(const std::vector<Url>& urls) {
  const std::string& origin = list_origin_;
  for (const Url& url : urls) {
    const auto known = endpoints_.find(url);
    if (known && known->state() == EndpointState::kLeaving) {
      known->set_leaving(false);
      record_event(known->name(), "rejoined", "listed again in " + origin);
      queue_note(loadgen::SutNote::kInfo,
                 known->name() + " rejoined (listed again in " + origin + ")");
    }
    if (known) continue;  // active, or taken out for the rest of the run
    try {
      EndpointInfo info = probe_endpoint(url, probe_options_);
      if (probe_options_.served_model.empty()) probe_options_.served_model = info.model;
      add_endpoint(std::move(info), "listed in " + origin);
      queue_note(loadgen::SutNote::kInfo, url.str() + " joined (listed in " + origin + ")");
      refused_.erase(url.str());
    } catch (const Error& e) {
      // Tried again at every re-read (a node may still be loading); said once per reason.
      auto& last = refused_[url.str()];
      if (last == e.what()) continue;
      last = e.what();
      record_event(url.str(), "join refused", e.what());
      queue_note(loadgen::SutNote::kError, std::string("endpoint not added: ") + e.what());
    }
  }
  for (const auto& e : endpoints_.all()) {
    const bool listed = std::find(urls.begin(), urls.end(), e->info().url) != urls.end();
    if (!listed && e->state() == EndpointState::kActive) {
      e->set_leaving(true);
      record_event(e->name(), "left", "no longer listed in " + origin);
      queue_note(loadgen::SutNote::kInfo, e->name() + " left (no longer listed in " + origin + ")");
    }
  }
  drain_pending();
}

util::Json HttpSut::take_phase_report() {
  PhaseReportInput in;
  in.sut_name = name();
  in.balance = endpoints_.balance();
  in.max_inflight = endpoints_.max_inflight();
  in.api = options_.client.api;
  in.stream = options_.client.stream;
  in.timeouts = options_.client.timeouts;
  in.io_threads = shards_->size();
  in.open_file_limit = open_file_limit_;
  in.comparable = comparable();
  in.not_comparable_reason = not_comparable_reason();
  in.retries = retries_.exchange(0);
  in.no_endpoint_failures = no_endpoint_failures_.exchange(0);
  for (const auto& e : endpoints_.all()) {
    EndpointPhase p{e, e->take_tally(), std::nullopt};
    const auto before = e->metrics_baseline();
    if (before && e->state() != EndpointState::kFailed) {
      auto after = scrape_counters(e->info(), options_.client.timeouts, options_.client.auth);
      if (after) p.metrics_delta = counter_deltas(*before, *after);
      e->set_metrics_baseline(std::move(after));
    }
    in.endpoints.push_back(std::move(p));
  }
  {
    std::lock_guard lock(events_mu_);
    in.events.assign(events_.begin() + static_cast<ptrdiff_t>(events_reported_), events_.end());
    events_reported_ = events_.size();
  }
  return make_phase_report(in);
}

}  // namespace infermark::sut::http
