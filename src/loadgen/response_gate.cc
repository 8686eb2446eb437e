#include "loadgen/response_gate.h"

#include <deque>
#include <mutex>
#include <thread>

#include "loadgen/clock.h"
#include "util/asymmetric_fence.h"

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

// One calling thread's slot: the gate it is inside, or null. Slots form a list that only grows
// (new slots are pushed at the head; `next` never changes once published), so detach() can walk
// it without a lock while threads come and go; a thread that exits frees its slot for reuse.
struct alignas(64) CallerSlot {
  std::atomic<const ResponseGate*> inside{nullptr};
  std::atomic<bool> owned{true};
  CallerSlot* next = nullptr;
};

std::atomic<CallerSlot*> slot_list{nullptr};

CallerSlot* acquire_slot() {
  for (CallerSlot* s = slot_list.load(std::memory_order_acquire); s != nullptr; s = s->next) {
    bool free = false;
    if (!s->owned.load(std::memory_order_relaxed) &&
        s->owned.compare_exchange_strong(free, true, std::memory_order_acquire)) {
      return s;
    }
  }
  auto* s = new CallerSlot;  // never freed: detach() may be walking the list
  s->next = slot_list.load(std::memory_order_relaxed);
  while (!slot_list.compare_exchange_weak(s->next, s, std::memory_order_release,
                                          std::memory_order_relaxed)) {
  }
  return s;
}

// The calling thread's slot: a trivial thread_local (a plain %fs load on the call path); the
// releaser, which has a destructor, is touched only once per thread, when the slot is taken.
thread_local CallerSlot* this_thread_slot = nullptr;

struct SlotReleaser {
  ~SlotReleaser() {
    if (this_thread_slot != nullptr) this_thread_slot->owned.store(false, std::memory_order_release);
    this_thread_slot = nullptr;
  }
};

[[gnu::noinline]] CallerSlot* take_slot() {
  this_thread_slot = acquire_slot();
  thread_local SlotReleaser releaser;  // releases the slot when this thread exits
  return this_thread_slot;
}

std::atomic<const ResponseGate*>& caller_slot() {
  CallerSlot* s = this_thread_slot;
  if (s == nullptr) [[unlikely]] s = take_slot();
  return s->inside;
}

// Read once at start-up (registers the process for membarrier): the call path tests a constant.
const bool slot_path = asymmetric_fence_available();

void wait_briefly(int spins) {
  if (spins < 1000) {
    cpu_relax();
  } else {
    std::this_thread::yield();
  }
}

}  // namespace

bool ResponseGate::uses_asymmetric_barrier() { return slot_path; }

void ResponseGate::attach(Responder& target) {
  target_.store(&target, std::memory_order_relaxed);
  // Calls that see the gate open (acquire on their read of state_) also see the target.
  state_.fetch_and(~kClosed, std::memory_order_release);
}

void ResponseGate::detach() {
  state_.fetch_or(kClosed, std::memory_order_acq_rel);
  if (slot_path) {
    // Pairs with the light fence in pass(): every call now either saw kClosed or shows in its slot.
    asymmetric_fence_heavy();
    for (CallerSlot* s = slot_list.load(std::memory_order_acquire); s != nullptr; s = s->next) {
      for (int spins = 0; s->inside.load(std::memory_order_acquire) == this; ++spins) {
        wait_briefly(spins);
      }
    }
  }
  for (int spins = 0; (state_.load(std::memory_order_acquire) & ~kClosed) != 0; ++spins) {
    wait_briefly(spins);
  }
  target_.store(nullptr, std::memory_order_relaxed);
}

template <typename Forward>
void ResponseGate::pass(Forward&& forward) {
  if (!slot_path) return pass_counted(forward);
  std::atomic<const ResponseGate*>& inside = caller_slot();
  if (inside.load(std::memory_order_relaxed) != nullptr) return pass_counted(forward);  // nested
  struct Leave {
    std::atomic<const ResponseGate*>& inside;
    ~Leave() { inside.store(nullptr, std::memory_order_release); }
  } leave{inside};
  // Release: detach() reading this store also sees the end of this thread's earlier calls (a
  // later store ends the release sequence of the clearing store in Leave).
  inside.store(this, std::memory_order_release);
  asymmetric_fence_light();  // the slot store is ordered before the read below (see detach())
  if (state_.load(std::memory_order_acquire) & kClosed) return;
  forward(*target_.load(std::memory_order_relaxed));
}

template <typename Forward>
void ResponseGate::pass_counted(Forward&& forward) {
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
