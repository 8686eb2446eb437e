#include "loadgen_official/adapters.h"

#include <span>
#include <type_traits>

#include "loadgen.h"
#include "logging.h"
#include "query_sample.h"

namespace infermark::loadgen_official {
namespace {

// The two libraries' sample indices and response ids are the same integer types, so index
// vectors and ids pass through unconverted.
static_assert(std::is_same_v<mlperf::QuerySampleIndex, loadgen::SampleIndex>);
static_assert(std::is_same_v<mlperf::ResponseId, loadgen::ResponseId>);

std::vector<mlperf::QuerySampleResponse> to_official(
    std::span<const loadgen::SampleResponse> responses) {
  std::vector<mlperf::QuerySampleResponse> out;
  out.reserve(responses.size());
  for (const auto& r : responses) {
    out.emplace_back(r.id, reinterpret_cast<uintptr_t>(r.data.data()), r.data.size(),
                     r.n_tokens);
  }
  return out;
}

}  // namespace

void QslAdapter::LoadSamplesToRam(const std::vector<mlperf::QuerySampleIndex>& samples) {
  qsl_.load(samples);
}

void QslAdapter::UnloadSamplesFromRam(const std::vector<mlperf::QuerySampleIndex>& samples) {
  qsl_.unload(samples);
}

void SutAdapter::IssueQuery(const std::vector<mlperf::QuerySample>& samples) {
  if (flushed_.exchange(false)) series_tokens_.store(0);
  std::vector<loadgen::QuerySample> ours;
  ours.reserve(samples.size());
  for (const auto& s : samples) ours.push_back({s.id, s.index});
  if (live_) live_->issued.fetch_add(ours.size(), std::memory_order_relaxed);
  sut_.issue(ours, *this);
}

void SutAdapter::FlushQueries() {
  flushed_.store(true);
  sut_.flush();
}

void SutAdapter::first_token(std::span<const loadgen::SampleResponse> responses) {
  auto official = to_official(responses);
  mlperf::FirstTokenComplete(official.data(), official.size());
}

void SutAdapter::complete(std::span<const loadgen::SampleResponse> responses) {
  int64_t tokens = 0;
  for (const auto& r : responses) tokens += r.n_tokens;
  series_tokens_.fetch_add(tokens);
  if (live_) {
    live_->completed.fetch_add(responses.size(), std::memory_order_relaxed);
    live_->tokens.fetch_add(static_cast<uint64_t>(tokens), std::memory_order_relaxed);
  }
  auto official = to_official(responses);
  mlperf::QuerySamplesComplete(official.data(), official.size());
}

void SutAdapter::note(loadgen::SutNote kind, std::string_view text) {
  std::string message = "SUT: " + std::string(text);
  switch (kind) {
    case loadgen::SutNote::kInfo:
      mlperf::LogDetail([message = std::move(message)](mlperf::AsyncDetail& detail) {
        MLPERF_LOG(detail, "generic_message", message);
      });
      return;
    case loadgen::SutNote::kRunInvalid: {
      std::lock_guard lock(invalid_mu_);
      if (run_invalid_reason_.empty()) run_invalid_reason_ = text.empty() ? "(no reason)" : text;
      message = "SUT: the run is invalid: " + std::string(text);
      [[fallthrough]];
    }
    case loadgen::SutNote::kError:
      mlperf::LogDetail([message = std::move(message)](mlperf::AsyncDetail& detail) {
        MLPERF_LOG_ERROR(detail, "error_runtime", message);
      });
      return;
  }
}

std::string SutAdapter::run_invalid_reason() const {
  std::lock_guard lock(invalid_mu_);
  return run_invalid_reason_;
}

}  // namespace infermark::loadgen_official
