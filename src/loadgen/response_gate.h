// The Responder a system under test is handed: it forwards responses to the Responder of the
// series being issued while one is attached, and drops them otherwise. It exists so that a SUT
// answering late — after its series ended, or after the run returned, which a run does 10 s after
// a stop request even if samples are still out — can never touch freed memory: gates are never
// freed. They live in a process-wide pool; a run leases one for its duration and returns it
// detached. A later run may lease the same gate; a stale response reaching it then carries an id
// of an older series, which that run's Recorder refuses as unknown.
//
// Thread safety: first_token/complete/note from any threads, concurrently; attach/detach from the
// run's thread. Cost per call: two atomic read-modify-writes on one word (the count
// of calls in flight), plus the target's own work.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string_view>

#include "loadgen/interfaces.h"

namespace infermark::loadgen {

class ResponseGate final : public Responder {
 public:
  // Routes responses to `target` until detach().
  void attach(Responder& target);
  // Stops routing. Returns once no call is inside the target; none will enter it afterwards.
  void detach();

  void first_token(std::span<const SampleResponse> responses) override;
  void complete(std::span<const SampleResponse> responses) override;
  void note(SutNote kind, std::string_view text) override;

 private:
  friend class ResponseGateLease;
  static constexpr uint64_t kClosed = uint64_t{1} << 63;

  // Runs forward(target) if a target is attached; else does nothing.
  template <typename Forward>
  void pass(Forward&& forward);

  std::atomic<uint64_t> state_{kClosed};  // kClosed bit | number of calls inside pass()
  std::atomic<Responder*> target_{nullptr};
  bool leased_ = false;  // guarded by the pool's mutex
};

// A run's lease of a pooled gate: detached and returned to the pool on destruction.
class ResponseGateLease {
 public:
  ResponseGateLease();
  ~ResponseGateLease();
  ResponseGateLease(const ResponseGateLease&) = delete;
  ResponseGateLease& operator=(const ResponseGateLease&) = delete;
  ResponseGate& gate() { return gate_; }

 private:
  ResponseGate& gate_;
};

}  // namespace infermark::loadgen
