// The endpoints of a run and the choice of one for each sample (serving.md §5): least
// outstanding requests (default: LLM requests differ in cost by orders of magnitude, so the
// endpoint with the fewest in flight is the one most likely to answer soonest) or round-robin,
// each bounded by a per-endpoint in-flight limit. Only active endpoints are chosen; ties go to
// the endpoint after the last one chosen, so equal endpoints share the load evenly.
//
// Thread-safe. acquire()/release() take one short lock; cost O(endpoints).
#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "sut/http/endpoint.h"

namespace infermark::sut::http {

enum class Balance { kLeastOutstanding, kRoundRobin };
std::string_view to_string(Balance b);

class EndpointSet {
 public:
  // `max_inflight` per endpoint; 0 = unlimited.
  EndpointSet(Balance balance, int max_inflight) : balance_(balance), max_inflight_(max_inflight) {}

  void add(std::shared_ptr<Endpoint> endpoint);
  // Picks an active endpoint other than `exclude` with room for one more request and counts the
  // request in its in-flight number. Null when none has room.
  std::shared_ptr<Endpoint> acquire(const Endpoint* exclude);
  void release(Endpoint& endpoint);
  // Whether some active endpoint other than `exclude` exists (with room or not).
  bool any_active(const Endpoint* exclude) const;
  // Every endpoint ever added, in the order added.
  std::vector<std::shared_ptr<Endpoint>> all() const;
  std::shared_ptr<Endpoint> find(const Url& url) const;

  Balance balance() const { return balance_; }
  int max_inflight() const { return max_inflight_; }

 private:
  bool eligible(const Endpoint& e, const Endpoint* exclude) const;

  const Balance balance_;
  const int max_inflight_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Endpoint>> endpoints_;
  size_t cursor_ = 0;  // round-robin position / least-outstanding tie-break start
};

}  // namespace infermark::sut::http
