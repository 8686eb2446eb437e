// The adapters between infermark's load-generator interfaces and the official library's
// (compiled only when the library is found; official_loadgen.h is the entry point).
//
//   QslAdapter : mlperf::QuerySampleLibrary over a loadgen::SampleLibrary (names, counts, and
//                load/unload passed through; the indices are the same numbers).
//   SutAdapter : mlperf::SystemUnderTest over a loadgen::SystemUnderTest. IssueQuery hands the
//                samples (same response ids) to the SUT with itself as the responder; the SUT's
//                first_token() and complete() become mlperf::FirstTokenComplete and
//                mlperf::QuerySamplesComplete with the same bytes and n_tokens, which is what
//                llama3.1-8b needs (first token outside Offline, int32 ids and n_tokens >= 2 on
//                completion; the library checks and logs violations itself). A SUT's notes go
//                to the library's detail log (info as generic_message, errors and run-invalid
//                declarations as error_runtime); the first run-invalid reason is kept for the
//                result, since the library itself cannot mark a run invalid or stop it early.
//                It also counts the tokens of the current issue series for the run's result,
//                and, given LiveCounters, samples issued and completed and their tokens for a
//                progress display (not first tokens or latencies: the library keeps the times).
//
// Thread safety: as the interfaces they implement. The library calls IssueQuery from its issue
// thread; the SUT may respond from any thread, concurrently. Cost: one small vector per call.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "loadgen/interfaces.h"
#include "loadgen/live_counters.h"
#include "query_sample_library.h"
#include "system_under_test.h"

namespace infermark::loadgen_official {

class QslAdapter final : public mlperf::QuerySampleLibrary {
 public:
  // `qsl` must outlive the adapter.
  explicit QslAdapter(loadgen::SampleLibrary& qsl) : qsl_(qsl), name_(qsl.name()) {}

  const std::string& Name() override { return name_; }
  size_t TotalSampleCount() override { return qsl_.total_count(); }
  size_t PerformanceSampleCount() override { return qsl_.performance_count(); }
  void LoadSamplesToRam(const std::vector<mlperf::QuerySampleIndex>& samples) override;
  void UnloadSamplesFromRam(const std::vector<mlperf::QuerySampleIndex>& samples) override;

 private:
  loadgen::SampleLibrary& qsl_;
  const std::string name_;
};

class SutAdapter final : public mlperf::SystemUnderTest, private loadgen::Responder {
 public:
  // `sut`, and `live` when given, must outlive the adapter.
  explicit SutAdapter(loadgen::SystemUnderTest& sut, loadgen::LiveCounters* live = nullptr)
      : sut_(sut), name_(sut.name()), live_(live) {}

  const std::string& Name() override { return name_; }
  void IssueQuery(const std::vector<mlperf::QuerySample>& samples) override;
  void FlushQueries() override;

  // Tokens completed in the latest issue series (the library waits for every sample of a series
  // before it issues the next, so a series starts at the first IssueQuery after a flush).
  int64_t series_tokens() const { return series_tokens_.load(); }
  // The reason of the SUT's first SutNote::kRunInvalid; empty when it sent none.
  std::string run_invalid_reason() const;

 private:
  void first_token(std::span<const loadgen::SampleResponse> responses) override;
  void complete(std::span<const loadgen::SampleResponse> responses) override;
  void note(loadgen::SutNote kind, std::string_view text) override;

  loadgen::SystemUnderTest& sut_;
  const std::string name_;
  loadgen::LiveCounters* const live_;
  std::atomic<bool> flushed_{false};
  std::atomic<int64_t> series_tokens_{0};
  mutable std::mutex invalid_mu_;
  std::string run_invalid_reason_;  // guarded by invalid_mu_
};

}  // namespace infermark::loadgen_official
