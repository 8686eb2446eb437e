#include "loadgen/issue_series.h"

#include "loadgen/clock.h"
#include "util/error.h"

namespace infermark::loadgen {
namespace {

static_assert(sizeof(ResponseId) == 8, "response ids hold a series tag and a slot");
static_assert(kMaxPlannedSamples < (uint64_t{1} << 29), "slots fit in bits 3..31");

uint64_t next_series_tag() {
  static std::atomic<uint32_t> counter{0};
  return uint64_t{counter.fetch_add(1, std::memory_order_relaxed) % 0xffffffffu} + 1;  // never 0
}

}  // namespace

Series::Series(QueryPlan plan, std::vector<bool> log_accuracy)
    : tag_(next_series_tag()),
      plan_(std::move(plan)),
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
      issue_list_[i] = {(tag_ << 32) | ((i + 1) << 3), plan_.samples[i]};
    }
  }
}

std::span<const QuerySample> Series::issue_span(size_t first_query, size_t last_query) const {
  const PlannedQuery& a = plan_.queries[first_query];
  const PlannedQuery& b = plan_.queries[last_query];
  return {issue_list_.data() + a.first_sample, b.first_sample + b.sample_count - a.first_sample};
}

Recorder::Recorder(DetailLog& log, AccuracyLogWriter& accuracy, bool use_tokens,
                   bool needs_first_token, LiveCounters* live)
    : log_(log),
      accuracy_(accuracy),
      use_tokens_(use_tokens),
      needs_first_token_(needs_first_token),
      live_(live) {}

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
  uint64_t firsts = 0;
  int64_t ttft_sum_ns = 0;
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
    if (live_) {
      ++firsts;
      ttft_sum_ns += ts - s->query(st.query).scheduled_ns;
    }
  }
  if (live_ && firsts > 0) {
    live_->first_tokens.fetch_add(firsts, std::memory_order_relaxed);
    live_->ttft_sum_ns.fetch_add(ttft_sum_ns, std::memory_order_relaxed);
  }
}

void Recorder::complete(std::span<const SampleResponse> responses) {
  const int64_t ts = now_ns();
  Series* s = series_.load(std::memory_order_acquire);
  uint64_t done = 0, tokens = 0, tpots = 0;
  int64_t tpot_sum_ns = 0;
  for (const SampleResponse& r : responses) {
    const int64_t slot = s ? s->slot_of(r.id) : -1;
    if (slot < 0) {
      unknown_id(r.id);
      continue;
    }
    if (!record_completion(*s, slot, r, ts)) continue;
    ++done;
    if (!live_) continue;
    tokens += r.n_tokens > 0 ? static_cast<uint64_t>(r.n_tokens) : 0;
    const SampleState& st = s->sample(slot);
    if ((st.flags.load(std::memory_order_acquire) & SampleState::kFirstToken) && r.n_tokens > 1) {
      tpot_sum_ns += (ts - st.first_token_ns) / (r.n_tokens - 1);
      ++tpots;
    }
  }
  if (done == 0) return;
  s->samples_completed.fetch_add(done, std::memory_order_acq_rel);
  if (live_) {
    live_->completed.fetch_add(done, std::memory_order_relaxed);
    live_->tokens.fetch_add(tokens, std::memory_order_relaxed);
    live_->tpot_sum_ns.fetch_add(tpot_sum_ns, std::memory_order_relaxed);
    live_->tpot_samples.fetch_add(tpots, std::memory_order_relaxed);
  }
}

bool Recorder::record_completion(Series& s, int64_t slot, const SampleResponse& r, int64_t ts) {
  SampleState& st = s.sample(slot);
  // Claim the completion first so that a duplicate can never count twice.
  const uint8_t prev = st.flags.fetch_or(SampleState::kComplete, std::memory_order_acq_rel);
  if (prev & SampleState::kComplete) {
    log_.error("error_runtime", "Attempted to complete a sample twice.");
    return false;
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
  return true;
}

}  // namespace infermark::loadgen
