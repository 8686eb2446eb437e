#include "loadgen/issue_series.h"

#include "loadgen/clock.h"
#include "util/error.h"

namespace infermark::loadgen {

Series::Series(QueryPlan plan, std::vector<bool> log_accuracy)
    : plan_(std::move(plan)),
      log_accuracy_(std::move(log_accuracy)),
      queries_(std::make_unique<QueryState[]>(plan_.queries.size())),
      samples_(std::make_unique<SampleState[]>(plan_.samples.size())) {
  IM_CHECK(log_accuracy_.size() == plan_.samples.size());
  issue_list_.resize(plan_.samples.size());
  for (size_t q = 0; q < plan_.queries.size(); ++q) {
    const PlannedQuery& pq = plan_.queries[q];
    queries_[q].remaining.store(pq.sample_count, std::memory_order_relaxed);
    for (uint64_t i = pq.first_sample; i < pq.first_sample + pq.sample_count; ++i) {
      samples_[i].query = static_cast<uint32_t>(q);
      issue_list_[i] = {reinterpret_cast<ResponseId>(&samples_[i]), plan_.samples[i]};
    }
  }
}

std::span<const QuerySample> Series::issue_span(size_t first_query, size_t last_query) const {
  const PlannedQuery& a = plan_.queries[first_query];
  const PlannedQuery& b = plan_.queries[last_query];
  return {issue_list_.data() + a.first_sample, b.first_sample + b.sample_count - a.first_sample};
}

int64_t Series::slot_of(ResponseId id) const {
  const auto base = reinterpret_cast<uintptr_t>(samples_.get());
  const uintptr_t size = plan_.samples.size() * sizeof(SampleState);
  if (id < base || id >= base + size || (id - base) % sizeof(SampleState) != 0) return -1;
  return static_cast<int64_t>((id - base) / sizeof(SampleState));
}

Recorder::Recorder(DetailLog& log, AccuracyLogWriter& accuracy, bool use_tokens,
                   bool needs_first_token)
    : log_(log),
      accuracy_(accuracy),
      use_tokens_(use_tokens),
      needs_first_token_(needs_first_token) {}

void Recorder::set_series(Series* series) {
  series_.store(series, std::memory_order_release);
  std::lock_guard lock(token_data_mu_);
  token_data_.clear();
}

void Recorder::note(SutNote kind, std::string_view text) {
  switch (kind) {
    case SutNote::kInfo:
      log_.message("SUT: " + std::string(text));
      return;
    case SutNote::kError:
      log_.error("error_runtime", "SUT: " + std::string(text));
      return;
    case SutNote::kRunInvalid: {
      log_.error("error_runtime", "SUT: the run is invalid: " + std::string(text));
      std::lock_guard lock(invalid_mu_);
      if (!run_invalid_.load(std::memory_order_relaxed)) run_invalid_reason_ = text;
      run_invalid_.store(true, std::memory_order_release);
      return;
    }
  }
}

std::string Recorder::run_invalid_reason() const {
  std::lock_guard lock(invalid_mu_);
  return run_invalid_reason_;
}

void Recorder::unknown_id(ResponseId id) {
  log_.error("error_runtime",
             fmt::format("Received completion for an old or unknown sample (id {:#x}).", id));
}

void Recorder::first_token(std::span<const SampleResponse> responses) {
  const int64_t ts = now_ns();
  Series* s = series_.load(std::memory_order_acquire);
  for (const SampleResponse& r : responses) {
    const int64_t slot = s ? s->slot_of(r.id) : -1;
    if (slot < 0) {
      unknown_id(r.id);
      continue;
    }
    SampleState& st = s->sample(slot);
    const uint8_t prev = st.flags.load(std::memory_order_acquire);
    if (prev & SampleState::kComplete) {
      log_.error("error_runtime", "Attempted to record token latency after sample was completed");
      continue;
    }
    if (prev & SampleState::kFirstToken) continue;  // keep the first report
    if (s->logs_accuracy(slot)) {
      std::lock_guard lock(token_data_mu_);
      token_data_[slot].assign(r.data.begin(), r.data.end());
    }
    // Publish the time before the flag, so whoever sees the flag also sees the time.
    st.first_token_ns = ts;
    st.flags.fetch_or(SampleState::kFirstToken, std::memory_order_release);
  }
}

void Recorder::complete(std::span<const SampleResponse> responses) {
  const int64_t ts = now_ns();
  Series* s = series_.load(std::memory_order_acquire);
  uint64_t done = 0;
  for (const SampleResponse& r : responses) {
    const int64_t slot = s ? s->slot_of(r.id) : -1;
    if (slot < 0) {
      unknown_id(r.id);
      continue;
    }
    record_completion(*s, slot, r, ts);
    ++done;
  }
  if (done > 0) {
    s->samples_completed.fetch_add(done, std::memory_order_acq_rel);
  }
}

void Recorder::record_completion(Series& s, int64_t slot, const SampleResponse& r, int64_t ts) {
  SampleState& st = s.sample(slot);
  // Claim the completion first so that a duplicate can never count twice.
  const uint8_t prev = st.flags.fetch_or(SampleState::kComplete, std::memory_order_acq_rel);
  if (prev & SampleState::kComplete) {
    log_.error("error_runtime", "Attempted to complete a sample twice.");
    return;
  }
  int64_t n_tokens = r.n_tokens;
  if (use_tokens_) {
    if (needs_first_token_ && !(prev & SampleState::kFirstToken)) {
      log_.error("error_runtime",
                 "Attempted to record a sample latency before it's first token latency");
    }
    if (n_tokens == 0) {
      log_.error("error_runtime",
                 "n_tokens argument missing or attempted to record 0 as number of tokens");
    } else if (n_tokens < 0) {
      log_.error("error_runtime", fmt::format("n_tokens is negative ({})", n_tokens));
      n_tokens = 0;
    } else if (n_tokens == 1) {
      log_.error("error_runtime", "Number of tokens need to be greater than 1");
      n_tokens = 0;
    }
  }
  st.complete_ns = ts;
  st.n_tokens = n_tokens;
  if (s.logs_accuracy(slot)) {
    AccuracyLogWriter::Entry e{s.plan().first_sample_sequence_id + slot,
                               s.plan().samples[slot],
                               {r.data.begin(), r.data.end()},
                               std::nullopt,
                               std::nullopt};
    if (use_tokens_) {
      e.token_count = r.n_tokens;
      if (needs_first_token_) {
        std::lock_guard lock(token_data_mu_);
        auto it = token_data_.find(slot);
        e.token_data = it == token_data_.end() ? std::vector<std::byte>{} : it->second;
      }
    }
    accuracy_.add(std::move(e));
  }
  QueryState& q = s.query(st.query);
  if (q.remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    q.all_done_ns = ts;
    s.queries_completed.fetch_add(1, std::memory_order_acq_rel);
  }
}

}  // namespace infermark::loadgen
