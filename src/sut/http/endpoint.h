// One server the client sends samples to: what the start-up checks found (address, dialect,
// served model, node name), its state during the run, its in-flight count (read by the balancer)
// and a tally of what became of the samples it served, taken once per LoadGen test.
//
// Thread safety: state, in-flight count and tally are safe from any thread. pool(shard) belongs
// to that shard's I/O thread alone.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "sut/http/dialect.h"
#include "sut/http/prometheus_text.h"
#include "sut/http/url.h"

namespace infermark::sut::http {

class Connection;

struct EndpointInfo {
  Url url;
  std::vector<boost::asio::ip::tcp::endpoint> addresses;
  Dialect dialect = Dialect::kVllm;
  std::string dialect_evidence;  // why this dialect ("--dialect", or what detection saw)
  std::string model;             // the served model name the requests carry
  std::string node;              // the node's name, from its answers (Network-division Name())
  std::string server;            // its Server header
  bool has_health = true;        // false: /health answered 404 (accepted)
};

enum class EndpointState { kActive, kLeaving, kFailed };
std::string_view to_string(EndpointState s);

// What became of one LoadGen test's samples on one endpoint.
struct EndpointTally {
  uint64_t samples = 0;                   // completed with an answer
  uint64_t failed = 0;                    // completed as errors here
  uint64_t tokens = 0;                    // in the answers
  uint64_t retried_away = 0;              // in flight here when it failed, retried elsewhere
  uint64_t retried_here = 0;              // arrived here as retries
  std::vector<int64_t> ttft_ns, tpot_ns;  // client-side: from issue() to first token / per token
  std::vector<std::string> first_errors;  // the first few reasons
};

class Endpoint {
 public:
  static constexpr size_t kKeptErrors = 5;

  // Connections of one I/O shard: idle ones ready for reuse, and those with a request on them.
  struct ShardPool {
    std::vector<std::shared_ptr<Connection>> idle;
    std::unordered_set<Connection*> active;
  };

  Endpoint(EndpointInfo info, size_t shards);

  const EndpointInfo& info() const { return info_; }
  const std::string& name() const { return name_; }  // the URL

  EndpointState state() const { return state_.load(std::memory_order_acquire); }
  // Takes the endpoint out for the rest of the run. True for the call that did it.
  bool fail(std::string reason);
  std::string failure() const;
  // Leaving (no new samples; the ones in flight finish) or back to active. No effect once failed.
  void set_leaving(bool leaving);

  std::atomic<int64_t> inflight{0};

  void record_answer(int64_t ttft_ns, int64_t tpot_ns, uint64_t tokens);
  void record_failure(const std::string& reason);
  void record_retry_away();
  void record_retry_here();
  // The tally since the last call, and a fresh one from now on.
  EndpointTally take_tally();

  // /metrics counters at the start of the current LoadGen test (nullopt: not exported).
  void set_metrics_baseline(std::optional<Counters> c);
  std::optional<Counters> metrics_baseline() const;

  ShardPool& pool(size_t shard) { return pools_[shard]; }

 private:
  const EndpointInfo info_;
  const std::string name_;
  std::atomic<EndpointState> state_{EndpointState::kActive};
  mutable std::mutex mu_;
  std::string failure_;
  EndpointTally tally_;
  std::optional<Counters> metrics_baseline_;
  std::vector<ShardPool> pools_;
};

}  // namespace infermark::sut::http
