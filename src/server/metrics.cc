#include "server/metrics.h"

#include <prometheus/text_serializer.h>

namespace infermark::server {
namespace {

using prometheus::Histogram;

// vLLM's bucket boundaries (v0.6+), with finer steps below 10 ms for a CPU engine and the
// null backend.
const Histogram::BucketBoundaries kTtftBuckets = {
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1,  0.25,  0.5,   0.75,
    1.0,   2.5,   5.0,  7.5,  10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
const Histogram::BucketBoundaries kItlBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1,  0.15, 0.2, 0.3,
    0.4,    0.5,   0.75,   1.0,   2.5,  5.0,   7.5,  10.0,  20.0, 40.0, 80.0};
const Histogram::BucketBoundaries kRequestSecondsBuckets = {
    0.01, 0.05, 0.1,  0.3,  0.5,  0.8,  1.0,   1.5,   2.0,   2.5,   5.0,    10.0,
    15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

// 1, 2, 5, 10, 20, 50, ... up to 200,000 tokens.
Histogram::BucketBoundaries token_buckets() {
  Histogram::BucketBoundaries b;
  for (double scale = 1; scale <= 100000; scale *= 10) {
    for (double m : {1.0, 2.0, 5.0}) b.push_back(m * scale);
  }
  return b;
}

}  // namespace

Metrics::Metrics(const std::string& model_name)
    : registry_(std::make_shared<prometheus::Registry>()), labels_{{"model_name", model_name}} {
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  using prometheus::BuildHistogram;
  auto& r = *registry_;
  auto gauge = [&](const char* name, const char* help) {
    return &BuildGauge().Name(name).Help(help).Register(r).Add(labels_);
  };
  auto counter = [&](const char* name, const char* help) {
    return &BuildCounter().Name(name).Help(help).Register(r).Add(labels_);
  };
  auto histogram = [&](const char* name, const char* help, const Histogram::BucketBoundaries& b) {
    return &BuildHistogram().Name(name).Help(help).Register(r).Add(labels_, b);
  };
  running_ = gauge("infermark:num_requests_running",
                   "Requests generating now (admitted by the engine, holding KV blocks).");
  waiting_ = gauge("infermark:num_requests_waiting", "Requests queued in the engine.");
  kv_usage_ = gauge("infermark:kv_cache_usage_perc", "KV-cache blocks in use / total (0-1).");
  prompt_tokens_ = counter("infermark:prompt_tokens_total", "Prompt tokens of finished requests.");
  generation_tokens_ =
      counter("infermark:generation_tokens_total", "Generated tokens of finished requests.");
  preemptions_ = counter("infermark:num_preemptions_total", "Engine preemptions (recomputes).");
  success_family_ = &BuildCounter()
                         .Name("infermark:request_success_total")
                         .Help("Finished requests by finished_reason.")
                         .Register(r);
  auto success = [&](const char* reason) {
    prometheus::Labels l = labels_;
    l["finished_reason"] = reason;
    return &success_family_->Add(l);
  };
  success_stop_ = success("stop");
  success_length_ = success("length");
  success_abort_ = success("abort");
  success_error_ = success("error");
  ttft_ = histogram("infermark:time_to_first_token_seconds",
                    "Time from submission to the first token.", kTtftBuckets);
  itl_ = histogram("infermark:inter_token_latency_seconds",
                   "Time between consecutive tokens of a request.", kItlBuckets);
  e2e_ = histogram("infermark:e2e_request_latency_seconds",
                   "Time from submission to the end of a request.", kRequestSecondsBuckets);
  queue_time_ = histogram("infermark:request_queue_time_seconds",
                          "Time from submission until first scheduled.", kRequestSecondsBuckets);
  prompt_len_ =
      histogram("infermark:request_prompt_tokens", "Prompt tokens per request.", token_buckets());
  generation_len_ = histogram("infermark:request_generation_tokens",
                              "Generated tokens per request.", token_buckets());
  responses_family_ = &BuildCounter()
                           .Name("infermark:http_requests_total")
                           .Help("HTTP responses by status code.")
                           .Register(r);
  backend_family_ =
      &BuildGauge()
           .Name("infermark:backend_info")
           .Help("1; the label says what generates: the engine, or the null backend (no model).")
           .Register(r);
}

void Metrics::set_backend_kind(const std::string& kind) {
  prometheus::Labels l = labels_;
  l["backend"] = kind;
  backend_family_->Add(l).Set(1);
}

void Metrics::observe_inter_token(double seconds) { itl_->Observe(seconds); }

void Metrics::observe_finish(const engine::Finish& f, std::string_view finished_reason) {
  prompt_tokens_->Increment(f.prompt_tokens);
  generation_tokens_->Increment(f.generated_tokens);
  if (f.preemptions > 0) preemptions_->Increment(f.preemptions);
  prometheus::Counter* c = finished_reason == "stop"     ? success_stop_
                           : finished_reason == "length" ? success_length_
                           : finished_reason == "abort"  ? success_abort_
                                                         : success_error_;
  c->Increment();
  if (f.generated_tokens > 0) ttft_->Observe(f.first_token_seconds);
  e2e_->Observe(f.total_seconds);
  queue_time_->Observe(f.queue_seconds);
  prompt_len_->Observe(f.prompt_tokens);
  generation_len_->Observe(f.generated_tokens);
}

prometheus::Counter& Metrics::response_counter(unsigned status) {
  if (status >= responses_.size()) status = 0;
  prometheus::Counter* c = responses_[status].load(std::memory_order_acquire);
  if (!c) {
    prometheus::Labels l = labels_;
    l["status"] = std::to_string(status);
    c = &responses_family_->Add(l);  // the family returns the same counter for equal labels
    responses_[status].store(c, std::memory_order_release);
  }
  return *c;
}

void Metrics::count_response(unsigned status) { response_counter(status).Increment(); }

std::string Metrics::render(const std::optional<BackendLoad>& load) {
  if (load) {
    running_->Set(static_cast<double>(load->running));
    waiting_->Set(static_cast<double>(load->waiting));
    kv_usage_->Set(load->kv_usage);
  }
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace infermark::server
