// ResponseGate: forwarding while attached, dropping after detach, detach waiting for calls in
// progress, and a late SUT racing attach/detach cycles whose targets are freed right after detach
// (a use after free is an ASan/TSan report and a dead-target count here). Both call paths run: the
// slot path (membarrier, where the kernel offers it) and the counted path (calls nested in another
// gate's call).
#include "loadgen/response_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace infermark::loadgen {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kAlive = 0xA11CE;

// Counts calls; checks it is alive when called.
class CountingTarget final : public Responder {
 public:
  ~CountingTarget() { alive_ = 0; }
  void first_token(std::span<const SampleResponse> r) override { record(r.size()); }
  void complete(std::span<const SampleResponse> r) override { record(r.size()); }
  void note(SutNote, std::string_view) override { record(1); }
  int64_t calls() const { return calls_.load(); }
  bool alive() const { return alive_ == kAlive; }

 private:
  void record(size_t) {
    EXPECT_EQ(alive_, kAlive) << "a call reached a target after detach() returned";
    calls_.fetch_add(1, std::memory_order_relaxed);
  }
  volatile uint32_t alive_ = kAlive;
  std::atomic<int64_t> calls_{0};
};

const SampleResponse kOne{ResponseId{8}, {}, 1};

TEST(ResponseGate, ForwardsWhileAttachedAndDropsAfterDetach) {
  CountingTarget target;
  ResponseGateLease lease;
  ResponseGate& gate = lease.gate();
  gate.complete({&kOne, 1});  // not attached yet: dropped
  gate.attach(target);
  gate.first_token({&kOne, 1});
  gate.complete({&kOne, 1});
  gate.note(SutNote::kInfo, "x");
  gate.detach();
  gate.complete({&kOne, 1});
  EXPECT_EQ(target.calls(), 3);
  std::printf("slot path (membarrier): %s\n",
              ResponseGate::uses_asymmetric_barrier() ? "yes" : "no, counted path only");
}

// A target whose complete() holds until released.
class BlockingTarget final : public Responder {
 public:
  void first_token(std::span<const SampleResponse>) override {}
  void complete(std::span<const SampleResponse>) override {
    entered.store(true);
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         !release.load() && std::chrono::steady_clock::now() < deadline;) {
      std::this_thread::sleep_for(1ms);
    }
    left.store(true);
  }
  void note(SutNote, std::string_view) override {}
  std::atomic<bool> entered{false}, release{false}, left{false};
};

void expect_detach_waits_for_call_in_progress(ResponseGate& gate, BlockingTarget& target,
                                              const std::function<void()>& call) {
  gate.attach(target);
  std::thread caller(call);
  while (!target.entered.load()) std::this_thread::sleep_for(1ms);
  std::atomic<bool> detached{false};
  std::thread detacher([&] {
    gate.detach();
    detached.store(true);
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(detached.load()) << "detach() returned while a call was inside the target";
  target.release.store(true);
  detacher.join();
  EXPECT_TRUE(target.left.load()) << "detach() returned before the call left the target";
  caller.join();
}

TEST(ResponseGate, DetachWaitsForACallInProgress) {
  ResponseGateLease lease;
  BlockingTarget target;
  expect_detach_waits_for_call_in_progress(lease.gate(), target,
                                           [&] { lease.gate().complete({&kOne, 1}); });
}

// Forwards each call into an inner gate: the inner call is nested and takes the counted path.
class ForwardingTarget final : public Responder {
 public:
  explicit ForwardingTarget(Responder& inner) : inner_(inner) {}
  void first_token(std::span<const SampleResponse> r) override { inner_.first_token(r); }
  void complete(std::span<const SampleResponse> r) override { inner_.complete(r); }
  void note(SutNote k, std::string_view t) override { inner_.note(k, t); }

 private:
  Responder& inner_;
};

TEST(ResponseGate, NestedCallsTakeTheCountedPathAndAreWaitedFor) {
  ResponseGateLease outer_lease, inner_lease;
  BlockingTarget target;
  ForwardingTarget forward(inner_lease.gate());
  outer_lease.gate().attach(forward);
  expect_detach_waits_for_call_in_progress(inner_lease.gate(), target,
                                           [&] { outer_lease.gate().complete({&kOne, 1}); });
  outer_lease.gate().detach();
}

// Callers answer without pause while the run's thread attaches a fresh target, lets it receive
// calls, detaches and frees it; threads also come and go (slots are released and reused).
TEST(ResponseGate, LateCallersNeverReachAFreedTarget) {
  ResponseGateLease lease;
  ResponseGate& gate = lease.gate();
  std::atomic<bool> stop{false};
  std::atomic<int64_t> calls{0};
  auto answer = [&](int64_t max_calls) {
    for (int64_t i = 0; i < max_calls && !stop.load(std::memory_order_relaxed); ++i) {
      gate.complete({&kOne, 1});
      calls.fetch_add(1, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) callers.emplace_back(answer, int64_t{1'000'000'000});
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  int64_t delivered = 0;
  int cycles = 0;
  for (; cycles < 300 && std::chrono::steady_clock::now() < deadline; ++cycles) {
    auto target = std::make_unique<CountingTarget>();
    gate.attach(*target);
    for (int spins = 0; target->calls() == 0 && spins < 1000; ++spins) std::this_thread::yield();
    if (cycles % 50 == 0) std::thread(answer, 1000).join();  // a short-lived caller thread
    gate.detach();
    const int64_t seen = target->calls();
    std::this_thread::sleep_for(50us);
    EXPECT_EQ(target->calls(), seen) << "a call reached the target after detach() returned";
    delivered += seen;
    target.reset();
  }
  stop.store(true);
  for (std::thread& t : callers) t.join();
  EXPECT_GT(cycles, 10);
  EXPECT_GT(delivered, 0);
  EXPECT_GT(calls.load(), delivered);  // some calls were dropped between cycles
}

}  // namespace
}  // namespace infermark::loadgen
