#include "loadgen/trace_log.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>

#include "loadgen/clock.h"
#include "loadgen/log_format.h"

namespace infermark::loadgen {

TraceLog::TraceLog(const std::filesystem::path& path, bool enabled, int64_t origin_ns)
    : file_(std::make_unique<util::AtomicFile>(path)),
      enabled_(enabled),
      origin_ns_(origin_ns),
      pid_(static_cast<int>(::getpid())) {
  origin_epoch_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count() -
                     (now_ns() - origin_ns);
  if (enabled_) file_->write("{\"traceEvents\":[\n");
}

std::string TraceLog::ts(int64_t abs_ns) const { return format_fixed((abs_ns - origin_ns_) / 1e3, 3); }

void TraceLog::scoped(std::string_view name, int64_t start_ns, int64_t end_ns) {
  if (!enabled_) return;
  file_->write(fmt::format(
      "{{\"name\":\"{}\",\"ph\":\"X\",\"pid\":{},\"tid\":0,\"ts\":{},\"dur\":{}}},\n", name, pid_,
      ts(start_ns), format_fixed((end_ns - start_ns) / 1e3, 3)));
}

void TraceLog::series(const Series& s, bool server) {
  if (!enabled_) return;
  const QueryPlan& plan = s.plan();
  std::string buf;
  for (size_t q = 0; q < plan.queries.size(); ++q) {
    const QueryState& qs = s.query(q);
    if (!qs.issued) continue;
    const PlannedQuery& pq = plan.queries[q];
    for (uint64_t i = pq.first_sample; i < pq.first_sample + pq.sample_count; ++i) {
      const SampleState& st = s.sample(i);
      const uint64_t seq = plan.first_sample_sequence_id + i;
      const int64_t done = st.complete_ns == kUnset ? qs.issued_ns : st.complete_ns;
      // LoadGen's args, plus first_token_ns and n_tokens when known (infermark's report draws
      // per-sample TTFT/TPOT from them; other readers ignore unknown args).
      std::string extra;
      if (st.first_token_ns != kUnset) {
        extra += fmt::format(",\"first_token_ns\":{}", st.first_token_ns - origin_ns_);
      }
      if (st.n_tokens != kUnset) extra += fmt::format(",\"n_tokens\":{}", st.n_tokens);
      buf += fmt::format(
          "{{\"name\":\"Sample\",\"cat\":\"default\",\"ph\":\"b\",\"pid\":{},\"id\":{},\"ts\":{},"
          "\"args\":{{\"sample_seq\":{},\"query_seq\":{},\"sample_idx\":{},\"issue_start_ns\":{},"
          "\"complete_ns\":{}{}}}}},\n",
          pid_, seq, ts(qs.scheduled_ns), seq, pq.sequence_id, plan.samples[i],
          qs.issued_ns - origin_ns_, done - origin_ns_, extra);
      buf += fmt::format(
          "{{\"name\":\"Sample\",\"cat\":\"default\",\"ph\":\"e\", \"pid\":{},\"id\":{},\"ts\":{}}},\n",
          pid_, seq, ts(done));
    }
    if (server) {
      buf += fmt::format(
          "{{\"name\":\"Latency\",\"ph\": \"C\",\"pid\":{},\"ts\":{},\"args\":{{ "
          "\"issue_delay\":{},\"issue_to_done\":{}}}}},\n",
          pid_, ts(qs.scheduled_ns), qs.issued_ns - qs.scheduled_ns,
          (qs.all_done_ns == kUnset ? qs.issued_ns : qs.all_done_ns) - qs.issued_ns);
    }
    if (buf.size() > (1 << 20)) {
      file_->write(buf);
      buf.clear();
    }
  }
  file_->write(buf);
}

void TraceLog::commit() {
  if (enabled_) {
    file_->write(fmt::format(
        "{{\"name\":\"LastTrace\"}}\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{{\n"
        "\"ts\":{},\n\"version\":\"MLPerf LoadGen v1.0\"\n}}\n}}\n",
        format_fixed(origin_epoch_ns_ / 1e3, 3)));
  }
  file_->commit();
}

}  // namespace infermark::loadgen
