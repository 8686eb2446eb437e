// The network system under test: every issued sample becomes one HTTP request (no batching in
// the client: the Network-division rule) to one of the run's OpenAI-compatible endpoints, token
// ids in and token ids back (dialect.h). Streamed outside Offline: the first chunk that carries a
// token is the sample's first token; the whole answer completes it with its ids, n_tokens being
// the number of ids, cross-checked against the server's `usage` (a mismatch fails the sample).
//
// Many endpoints: each sample goes to the endpoint the balancer picks (endpoint_set.h), at most
// --max-inflight on each; samples wait in the client, their latency running, while every
// endpoint is full. An endpoint whose connection breaks (refused, reset, stalled past the idle
// timeout) is taken out for the rest of the run: its samples in flight are retried once on
// another endpoint, and those that fail again, or have no endpoint to go to, complete as errors.
// When no endpoint is left the load generator is told the run is invalid. HTTP errors, error
// events, malformed or cut-short streams and the request deadline fail only their sample. Every
// sample is completed exactly once, whatever happens; the reasons go to the detail log.
//
// An endpoints file (one URL a line) is re-read, or a DNS name (discovery.h) re-resolved, during
// the run: new URLs are checked and join, removed ones are drained — they stop getting samples and
// those in flight finish (or are retried by the rules above when their endpoint breaks). Every
// change is an event with its time in the phase report and a line in the detail log.
//
// Thread safety: issue() and cancel() from the load generator's threads; connections run on the
// I/O shards (io_shards.h); take_phase_report() between LoadGen tests.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/interfaces.h"
#include "sut/http/call.h"
#include "sut/http/connection.h"
#include "sut/http/discovery.h"
#include "sut/http/endpoint_report.h"
#include "sut/http/endpoint_set.h"
#include "sut/http/endpoints_watcher.h"
#include "sut/http/io_shards.h"
#include "sut/http/probe.h"
#include "sut/prompt_source.h"
#include "util/json.h"

namespace infermark::sut::http {

struct HttpSutOptions {
  std::vector<Url> endpoints;            // --sut http://a,http://b
  std::filesystem::path endpoints_file;  // or --endpoints FILE (re-read during the run)
  // Or --sut dns+http://NAME:PORT: every address of NAME, re-resolved during the run. At start,
  // addresses that fail their checks are retried at each re-resolve; one must pass.
  std::optional<Url> dns_name;
  Resolver resolver;               // for dns_name; empty: the system's (resolve_host)
  std::optional<Dialect> dialect;  // nullopt: detected per endpoint
  std::string served_model;        // "": the first id of the first endpoint's /v1/models
  Balance balance = Balance::kLeastOutstanding;
  int max_inflight = 0;            // per endpoint; 0 = unlimited
  ClientConfig client;             // timeouts, key, API, streaming, text handling
  bool report_first_token = true;  // false for Offline
  int io_threads = 1;
  std::chrono::milliseconds reread_interval{1000};  // of the file or the DNS name
};

class HttpSut final : public loadgen::SystemUnderTest, private CallSink {
 public:
  // Raises the open-file limit, checks every endpoint (probe.h) and starts the I/O threads.
  // Throws Error naming the endpoint and the reason when one fails its checks, and for options
  // that cannot work (no endpoint; a text-only endpoint without --allow-text).
  // `prompts` must outlive the SUT.
  HttpSut(const PromptSource& prompts, HttpSutOptions options);
  ~HttpSut() override;

  // "Network SUT (infermark HTTP client): <node>; <node>; ..." — every endpoint seen so far.
  std::string name() const override;
  void issue(std::span<const loadgen::QuerySample> samples, loadgen::Responder& r) override;
  // Ends every request in flight; each sample completes with the tokens it has.
  void cancel() override;

  // What happened on each endpoint since the last call (one LoadGen test): samples, tokens,
  // TTFT/TPOT p50/p99, errors, retries, /metrics counter deltas, and the run's endpoint events.
  util::Json take_phase_report();

  // False when text may be sent or re-tokenized (the chat API, --allow-text): such a run is not
  // comparable with an MLPerf one (ids in, ids back), and why.
  bool comparable() const;
  std::string not_comparable_reason() const;
  uint64_t open_file_limit() const { return open_file_limit_; }

 private:
  // CallSink (shard threads).
  void on_first_token(Call& call) override;
  void on_attempt_end(std::shared_ptr<Call> call, AttemptResult result) override;
  void on_connection_free(std::shared_ptr<Connection> connection, bool reusable) override;

  void add_endpoint(EndpointInfo info, const std::string& how);
  void dispatch(std::shared_ptr<Call> call);
  void start_attempt(std::shared_ptr<Call> call, std::shared_ptr<Endpoint> endpoint);
  void run_on_shard(const std::shared_ptr<Call>& call);
  void drain_pending();
  void finish_answer(const std::shared_ptr<Call>& call);
  void fail_sample(const std::shared_ptr<Call>& call, const std::string& reason, Endpoint* where);
  void fail_no_endpoint(const std::shared_ptr<Call>& call);
  void take_out(const std::shared_ptr<Endpoint>& endpoint, const std::string& reason);
  void retry_or_fail(const std::shared_ptr<Call>& call, const std::string& reason);
  void complete(const Call& call, std::span<const int32_t> ids, int64_t n_tokens);
  void note(loadgen::SutNote kind, std::string text);        // on a sample's path: delivered now
  void queue_note(loadgen::SutNote kind, std::string text);  // elsewhere: with the next completion
  void record_event(const std::string& endpoint, std::string what, std::string reason);
  std::vector<Url> read_endpoint_list() const;             // the file's or the name's, now
  void start_discovered();                                 // the DNS name's endpoints at start
  void apply_endpoint_list(const std::vector<Url>& urls);  // the watcher's thread
  loadgen::Responder& responder() { return *responder_.load(std::memory_order_acquire); }

  const PromptSource& prompts_;
  const HttpSutOptions options_;
  const uint64_t open_file_limit_;
  const int64_t start_ns_;
  ProbeOptions probe_options_;
  EndpointSet endpoints_;
  std::unique_ptr<IoShards> shards_;
  std::atomic<loadgen::Responder*> responder_{nullptr};
  std::atomic<uint64_t> next_shard_{0};
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> run_invalid_sent_{false};
  std::atomic<uint64_t> retries_{0}, no_endpoint_failures_{0}, text_answers_{0};

  std::mutex pending_mu_;
  std::deque<std::shared_ptr<Call>> pending_;  // waiting for room on an endpoint

  std::mutex notes_mu_;
  std::vector<std::pair<loadgen::SutNote, std::string>> queued_notes_;
  std::atomic<bool> has_queued_notes_{false};

  mutable std::mutex events_mu_;
  std::vector<EndpointEvent> events_;
  size_t events_reported_ = 0;

  std::map<std::string, std::string> refused_;  // URL -> why it could not join (watcher thread)
  std::string list_origin_;  // where a changing list comes from: the file, or the DNS answer
  std::unique_ptr<EndpointsWatcher> watcher_;  // last: stopped first
};

}  // namespace infermark::sut::http
