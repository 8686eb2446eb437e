// The two interfaces a benchmark plugs into the load generator — the system under test and the
// sample library — and the responder through which the SUT reports results. Shapes follow
// MLPerf LoadGen's (query_sample.h, system_under_test.h, query_sample_library.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace infermark::loadgen {

using SampleIndex = uint64_t;  // index into the sample library
using ResponseId = uintptr_t;  // opaque handle of one issued sample; never 0

struct QuerySample {
  ResponseId id;
  SampleIndex index;
};

// What the SUT reports for one sample. `data` is only read during the call (copied if it is to be
// logged). `n_tokens` is the number of generated tokens (LLM benchmarks; must be >= 2 there).
struct SampleResponse {
  ResponseId id;
  std::span<const std::byte> data;
  int64_t n_tokens = 0;
};

// What a SUT tells the load generator besides results (Responder::note).
enum class SutNote {
  kInfo,        // an event worth a line in the detail log (an endpoint joined)
  kError,       // a failure of the SUT's own (a request failed), logged as an error
  kRunInvalid,  // the SUT can no longer give a valid result (every endpoint failed): logged as an
                // error; the result is INVALID with this reason and a performance run stops issuing
};

// Thread-safe and cheap: callable from any SUT thread, concurrently, for any batch size. Each call
// takes one timestamp for its whole batch. Responses for ids that are unknown, from an earlier
// series, or already completed are logged as errors and otherwise ignored; calls made after the
// series ended (after the run returned, say) are dropped.
class Responder {
 public:
  // The first token of each sample (required before complete() outside Offline when token
  // latencies are measured).
  virtual void first_token(std::span<const SampleResponse> responses) = 0;
  // The final result of each sample.
  virtual void complete(std::span<const SampleResponse> responses) = 0;
  // A note for the detail log. Takes a lock: for exceptional events, not for every sample. Like
  // the other calls, dropped once the series has ended.
  virtual void note(SutNote kind, std::string_view text) = 0;

 protected:
  ~Responder() = default;
};

class SystemUnderTest {
 public:
  virtual ~SystemUnderTest() = default;
  virtual std::string name() const = 0;
  // Called from the load generator's issue thread(s); should return quickly and report every
  // sample later through `responder`, which stays valid for the life of the process (a call
  // after the run returned is dropped). An exception ends the run with the SUT's failure.
  virtual void issue(std::span<const QuerySample> samples, Responder& responder) = 0;
  // Called once after each series of issue() calls: nothing more will come for this series.
  // An exception ends the run with the SUT's failure.
  virtual void flush() {}
  // The run was stopped (Ctrl-C) or failed: finish every outstanding sample as soon as possible,
  // with whatever it has so far. Each must still be completed through the responder. Any thread.
  virtual void cancel() {}
};

class SampleLibrary {
 public:
  virtual ~SampleLibrary() = default;
  virtual std::string name() const = 0;
  virtual uint64_t total_count() const = 0;        // >= 1
  virtual uint64_t performance_count() const = 0;  // 1..total_count
  // Makes samples ready for issue (in the order given; may repeat indices).
  virtual void load(std::span<const SampleIndex> indices) = 0;
  virtual void unload(std::span<const SampleIndex> indices) = 0;
};

}  // namespace infermark::loadgen
