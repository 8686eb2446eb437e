#include "sut/http/endpoint.h"

namespace infermark::sut::http {

std::string_view to_string(EndpointState s) {
  switch (s) {
    case EndpointState::kActive:
      return "active";
    case EndpointState::kLeaving:
      return "left";
    case EndpointState::kFailed:
      return "failed";
  }
  return "?";
}

Endpoint::Endpoint(EndpointInfo info, size_t shards)
    : info_(std::move(info)), name_(info_.url.str()), pools_(shards) {}

bool Endpoint::fail(std::string reason) {
  std::lock_guard lock(mu_);
  if (state_.load() == EndpointState::kFailed) return false;
  failure_ = std::move(reason);
  state_.store(EndpointState::kFailed, std::memory_order_release);
  return true;
}

std::string Endpoint::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

void Endpoint::set_leaving(bool leaving) {
  std::lock_guard lock(mu_);
  if (state_.load() == EndpointState::kFailed) return;
  state_.store(leaving ? EndpointState::kLeaving : EndpointState::kActive,
               std::memory_order_release);
}

void Endpoint::record_answer(int64_t ttft_ns, int64_t tpot_ns, uint64_t tokens) {
  std::lock_guard lock(mu_);
  ++tally_.samples;
  tally_.tokens += tokens;
  if (ttft_ns >= 0) tally_.ttft_ns.push_back(ttft_ns);
  if (tpot_ns >= 0) tally_.tpot_ns.push_back(tpot_ns);
}

void Endpoint::record_failure(const std::string& reason) {
  std::lock_guard lock(mu_);
  ++tally_.failed;
  if (tally_.first_errors.size() < kKeptErrors) tally_.first_errors.push_back(reason);
}

void Endpoint::record_retry_away() {
  std::lock_guard lock(mu_);
  ++tally_.retried_away;
}

void Endpoint::record_retry_here() {
  std::lock_guard lock(mu_);
  ++tally_.retried_here;
}

EndpointTally Endpoint::take_tally() {
  std::lock_guard lock(mu_);
  EndpointTally out = std::move(tally_);
  tally_ = EndpointTally{};
  return out;
}

void Endpoint::set_metrics_baseline(std::optional<Counters> c) {
  std::lock_guard lock(mu_);
  metrics_baseline_ = std::move(c);
}

std::optional<Counters> Endpoint::metrics_baseline() const {
  std::lock_guard lock(mu_);
  return metrics_baseline_;
}

}  // namespace infermark::sut::http
