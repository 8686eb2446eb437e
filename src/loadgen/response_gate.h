// The Responder a system under test is handed: it forwards responses to the Responder of the
// series being issued while one is attached, and drops them otherwise. It exists so that a SUT
// answering late — after its series ended, or after the run returned, which a run does 10 s after
// a stop request even if samples are still out — can never touch freed memory: gates are never
// freed. They live in a process-wide pool; a run leases one for its duration and returns it
// detached. A later run may lease the same gate; a stale response reaching it then carries an id
// of an older series, which that run's Recorder refuses as unknown.
//
// How a call is fenced against detach(): each calling thread owns a caller slot (one cache line,
// never freed, reused after the thread exits). A call stores the gate's address in its slot with a
// plain store, reads the gate's state, and clears the slot on the way out (release). detach()
// closes the gate, issues an asymmetric barrier — membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED),
// which runs a full memory barrier on every thread of the process — and then waits for every slot
// that names the gate: a call either saw the gate closed or is visible in its slot. Where
// membarrier is unavailable (old kernels, some sandboxes) and for calls nested inside another
// gate's call, a call counts itself in and out of the gate's state word instead (two atomic
// read-modify-writes), and detach() also waits for that count.
//
// Thread safety: first_token/complete/note from any threads, concurrently; attach/detach from the
// run's thread. Cost per call: two plain stores and a load (the counted path: two atomic
// read-modify-writes on one shared word), plus the target's own work. detach(): one membarrier
// system call (microseconds) plus a walk over the caller slots.
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

  // Whether calls take the slot path (membarrier available) rather than the counted one.
  static bool uses_asymmetric_barrier();

 private:
  friend class ResponseGateLease;
  static constexpr uint64_t kClosed = uint64_t{1} << 63;

  // Runs forward(target) if a target is attached; else does nothing.
  template <typename Forward>
  void pass(Forward&& forward);
  template <typename Forward>
  void pass_counted(Forward&& forward);

  std::atomic<uint64_t> state_{kClosed};  // kClosed bit | number of counted calls inside pass()
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
