#include "sut/http/endpoint_set.h"

namespace infermark::sut::http {

std::string_view to_string(Balance b) {
  return b == Balance::kRoundRobin ? "round-robin" : "least-outstanding";
}

void EndpointSet::add(std::shared_ptr<Endpoint> endpoint) {
  std::lock_guard lock(mu_);
  endpoints_.push_back(std::move(endpoint));
}

bool EndpointSet::eligible(const Endpoint& e, const Endpoint* exclude) const {
  return &e != exclude && e.state() == EndpointState::kActive &&
         (max_inflight_ == 0 || e.inflight.load(std::memory_order_relaxed) < max_inflight_);
}

std::shared_ptr<Endpoint> EndpointSet::acquire(const Endpoint* exclude) {
  std::lock_guard lock(mu_);
  const size_t n = endpoints_.size();
  if (n == 0) return nullptr;
  size_t best = n;
  int64_t best_load = INT64_MAX;
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (cursor_ + k) % n;
    const Endpoint& e = *endpoints_[i];
    if (!eligible(e, exclude)) continue;
    const int64_t load = e.inflight.load(std::memory_order_relaxed);
    if (balance_ == Balance::kRoundRobin || load < best_load) {
      best = i;
      best_load = load;
      if (balance_ == Balance::kRoundRobin) break;
    }
  }
  if (best == n) return nullptr;
  cursor_ = (best + 1) % n;
  endpoints_[best]->inflight.fetch_add(1, std::memory_order_relaxed);
  return endpoints_[best];
}

void EndpointSet::release(Endpoint& endpoint) {
  std::lock_guard lock(mu_);  // orders with acquire's check against max_inflight
  endpoint.inflight.fetch_sub(1, std::memory_order_relaxed);
}

bool EndpointSet::any_active(const Endpoint* exclude) const {
  std::lock_guard lock(mu_);
  for (const auto& e : endpoints_) {
    if (e.get() != exclude && e->state() == EndpointState::kActive) return true;
  }
  return false;
}

std::vector<std::shared_ptr<Endpoint>> EndpointSet::all() const {
  std::lock_guard lock(mu_);
  return endpoints_;
}

std::shared_ptr<Endpoint> EndpointSet::find(const Url& url) const {
  std::lock_guard lock(mu_);
  for (const auto& e : endpoints_) {
    if (e->info().url == url) return e;
  }
  return nullptr;
}

}  // namespace infermark::sut::http
