// A system under test that does no work: it answers every sample from one worker thread, after
// an optional simulated latency, with a fixed response of `n_tokens` int32 token ids. It exists
// to exercise and measure the load generator itself, including every validity path (a slow
// setting makes Server runs miss their TTFT/TPOT limits, a short run misses min duration).
//
// Its worker waits for work by spinning (up to 1 ms) only while loadgen::SpinGovernor allows it,
// and by sleeping otherwise, with the short time slice of loadgen::use_low_latency_scheduling().
//
// cancel() answers every outstanding sample at once (its simulated latency cut short), as the
// SystemUnderTest contract asks. Destruction stops the worker promptly: samples still waiting
// for their simulated latency are dropped, not waited for.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "loadgen/interfaces.h"

namespace infermark::sut {

struct NullSutOptions {
  int64_t n_tokens = 128;          // tokens per response; the load generator wants >= 2
  double ttft_ms = 0;              // simulated time from issue to the first token
  double tpot_ms = 0;              // simulated time per further token
  double serial_ms = 0;            // one-at-a-time service time per sample: a finite capacity
                                   // of 1000/serial_ms samples/s, so latency grows with load
  bool random_latency = false;     // exponentially distributed latencies with the means above
  uint64_t seed = 0;               // for random_latency
  bool report_first_token = true;  // call Responder::first_token before completing
};

class NullSut final : public loadgen::SystemUnderTest {
 public:
  // Throws Error if n_tokens < 1 or a latency is negative.
  explicit NullSut(NullSutOptions options);
  ~NullSut() override;

  std::string name() const override { return "NullSUT"; }
  void issue(std::span<const loadgen::QuerySample> samples, loadgen::Responder& responder) override;
  void cancel() override;

 private:
  struct Event {
    int64_t due_ns;
    uint64_t seq;  // FIFO among equal due times
    loadgen::ResponseId id;
    bool first_token;
    bool operator>(const Event& o) const {
      return due_ns != o.due_ns ? due_ns > o.due_ns : seq > o.seq;
    }
  };
  using Lock = std::unique_lock<std::mutex>;
  void worker();
  // One step of the worker in zero-latency mode / with simulated latencies. Called and
  // returning with `lock` held.
  void serve_pending(Lock& lock);
  void serve_events(Lock& lock);
  // Answer outside the lock, through the responder read under it.
  void respond_now(std::span<const loadgen::QuerySample> batch, loadgen::Responder& responder);
  void schedule(std::span<const loadgen::QuerySample> samples, int64_t now);
  void fire(const Event& e, loadgen::Responder& responder);
  double draw_ms(double mean);

  const NullSutOptions options_;
  const bool delayed_;
  std::vector<int32_t> tokens_;  // the response payload

  std::mutex mu_;  // guards what follows, up to batch_
  // The responder of the latest issue(): every sample is answered through it (the load generator
  // hands one for the life of the process; a SUT is run by one run at a time).
  loadgen::Responder* responder_ = nullptr;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool worker_waiting_ = false;
  std::atomic<bool> has_work_{false};  // lets the worker spin briefly before it sleeps
  std::vector<loadgen::QuerySample> pending_;  // zero-latency mode
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::vector<Event> due_now_;  // cancelled: answered at once, in due order
  uint64_t next_seq_ = 0;
  int64_t busy_until_ns_ = 0;  // serial_ms: when the simulated server is next free
  uint64_t rng_state_;

  std::vector<loadgen::QuerySample> batch_;  // the worker's only: pending_ is swapped into it
  std::thread thread_;
};

}  // namespace infermark::sut
