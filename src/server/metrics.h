// The server's Prometheus metrics (prometheus-cpp core): vLLM's names with an `infermark:`
// prefix, each labelled model_name (docs/serve.md lists them). Counters and histograms are
// updated as requests finish (from backend callbacks); the load gauges are read from the backend
// when /metrics is scraped, and render() gives the text exposition format.
//
// Thread-safe (prometheus-cpp's metrics are). An update costs a few atomic or mutex-guarded adds.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/request.h"
#include "server/backend.h"

namespace infermark::server {

class Metrics {
 public:
  explicit Metrics(const std::string& model_name);

  // The backend is ready: infermark:backend_info{backend="engine"|"null"} 1 from now on.
  void set_backend_kind(const std::string& kind);

  // The gap between two consecutive tokens of a request.
  void observe_inter_token(double seconds);
  // One backend request ended; `finished_reason` is "stop", "length", "abort" or "error".
  void observe_finish(const engine::Finish& f, std::string_view finished_reason);
  // One HTTP response went out with `status`.
  void count_response(unsigned status);

  // The exposition text; `load` (nullopt while the model loads) sets the gauges first.
  std::string render(const std::optional<BackendLoad>& load);

 private:
  prometheus::Counter& response_counter(unsigned status);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Labels labels_;
  prometheus::Gauge* running_;
  prometheus::Gauge* waiting_;
  prometheus::Gauge* kv_usage_;
  prometheus::Counter* prompt_tokens_;
  prometheus::Counter* generation_tokens_;
  prometheus::Counter* preemptions_;
  prometheus::Family<prometheus::Counter>* success_family_;
  prometheus::Counter* success_stop_;
  prometheus::Counter* success_length_;
  prometheus::Counter* success_abort_;
  prometheus::Counter* success_error_;
  prometheus::Histogram* ttft_;
  prometheus::Histogram* itl_;
  prometheus::Histogram* e2e_;
  prometheus::Histogram* queue_time_;
  prometheus::Histogram* prompt_len_;
  prometheus::Histogram* generation_len_;
  prometheus::Family<prometheus::Counter>* responses_family_;
  prometheus::Family<prometheus::Gauge>* backend_family_;
  std::array<std::atomic<prometheus::Counter*>, 600> responses_{};  // by status code
};

}  // namespace infermark::server
