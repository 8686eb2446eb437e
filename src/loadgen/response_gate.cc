#include "loadgen/response_gate.h"

#include <deque>
#include <mutex>
#include <thread>

#include "loadgen/clock.h"

namespace infermark::loadgen {
namespace {

struct GatePool {
  std::mutex mu;
  std::deque<ResponseGate> gates;  // a deque never moves its elements
};

// Never destroyed: a SUT thread may still answer through a gate while the process exits.
GatePool& pool() {
  static GatePool* p = new GatePool;
  return *p;
}

}  // namespace

void ResponseGate::attach(Responder& target) {
  target_.store(&target, std::memory_order_relaxed);
  // Calls that see the gate open (acquire on their increment) also see the target.
  state_.fetch_and(~kClosed, std::memory_order_release);
}

void ResponseGate::detach() {
  state_.fetch_or(kClosed, std::memory_order_acq_rel);
  for (int spins = 0; (state_.load(std::memory_order_acquire) & ~kClosed) != 0; ++spins) {
    if (spins < 1000) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
  target_.store(nullptr, std::memory_order_relaxed);
}

template <typename Forward>
void ResponseGate::pass(Forward&& forward) {
  struct Leave {
    std::atomic<uint64_t>& state;
    ~Leave() { state.fetch_sub(1, std::memory_order_release); }
  } leave{state_};
  if (state_.fetch_add(1, std::memory_order_acquire) & kClosed) return;
  forward(*target_.load(std::memory_order_relaxed));
}

void ResponseGate::first_token(std::span<const SampleResponse> responses) {
  pass([&](Responder& r) { r.first_token(responses); });
}

void ResponseGate::complete(std::span<const SampleResponse> responses) {
  pass([&](Responder& r) { r.complete(responses); });
}

void ResponseGate::note(SutNote kind, std::string_view text) {
  pass([&](Responder& r) { r.note(kind, text); });
}

ResponseGateLease::ResponseGateLease()
    : gate_([]() -> ResponseGate& {
        GatePool& p = pool();
        std::lock_guard lock(p.mu);
        for (ResponseGate& g : p.gates) {
          if (!g.leased_) {
            g.leased_ = true;
            return g;
          }
        }
        ResponseGate& g = p.gates.emplace_back();
        g.leased_ = true;
        return g;
      }()) {}

ResponseGateLease::~ResponseGateLease() {
  gate_.detach();
  GatePool& p = pool();
  std::lock_guard lock(p.mu);
  gate_.leased_ = false;
}

}  // namespace infermark::loadgen
