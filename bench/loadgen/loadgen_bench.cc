// Load generator overhead with the null SUT (instant answers from one worker thread):
//   Server at several QPS: is the Poisson schedule held (completed rate vs scheduled rate), what
//     are the p50/p99 latencies (scheduled -> completed) and issue delays (issued - scheduled);
//   Offline with N samples in one query: completions handled per second.
// Usage: loadgen_bench [--server-qps 10000,100000,200000] [--duration-ms 5000]
//                      [--offline-samples 1000000] [--out DIR] [--wait sleep|adaptive]
// Logs go to DIR (default /tmp/infermark-loadgen-bench); the trace is disabled.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "loadgen/loadgen.h"
#include "loadgen/spin_governor.h"
#include "sut/null_qsl.h"
#include "sut/null_sut.h"

namespace lg = infermark::loadgen;

namespace {

int64_t percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(v.size() * p))];
}

lg::TestSettings base(lg::Scenario sc) {
  lg::TestSettings t;
  t.scenario = sc;
  t.qsl_rng_seed = 2085463073848966840ull;
  t.sample_index_rng_seed = 2747215439041700203ull;
  t.schedule_rng_seed = 16159082839903944936ull;
  return t;
}

lg::RunResult run(const lg::TestSettings& t, const std::string& out) {
  infermark::sut::NullSutOptions o;
  o.n_tokens = 2;
  o.report_first_token = false;
  infermark::sut::NullSut sut(o);
  infermark::sut::NullSampleLibrary qsl(1024, 1024);
  lg::LogSettings ls;
  ls.outdir = out;
  ls.enable_trace = false;
  return lg::run(sut, qsl, t, ls);
}

void server(double qps, uint64_t duration_ms, const std::string& out) {
  const lg::SpinGovernor::Stats before = lg::SpinGovernor::shared().stats();
  lg::TestSettings t = base(lg::Scenario::kServer);
  t.server_target_qps = qps;
  t.min_duration_ms = duration_ms;
  t.server_target_latency_ns = 10'000'000;
  const lg::RunResult r = run(t, out + "/server_" + std::to_string(static_cast<long>(qps)));
  const lg::SpinGovernor::Stats after = lg::SpinGovernor::shared().stats();
  const lg::PerformanceSummary& p = *r.performance;
  const double scheduled = (p.sample_count - 1.0) / p.outcome.final_query_scheduled_time_s;
  const double completed = (p.sample_count - 1.0) / p.outcome.final_query_all_samples_done_time_s;
  std::printf(
      "server  qps=%-7.0f queries=%-8llu scheduled/s=%-10.1f completed/s=%-10.1f held=%5.1f%%  "
      "latency p50=%6.1f us p99=%7.1f us max=%8.1f us  issue-delay p50=%5.1f us p99=%6.1f us  "
      "errors=%d  spin gaps preempted=%lld paused=%lld holds=%lld\n",
      qps, static_cast<unsigned long long>(p.sample_count), scheduled, completed,
      100.0 * completed / scheduled, p.latency.percentiles[0] / 1e3,
      p.latency.percentiles[4] / 1e3, p.latency.max / 1e3,
      percentile(r.issue_delays_ns, 0.50) / 1e3, percentile(r.issue_delays_ns, 0.99) / 1e3,
      r.errors, static_cast<long long>(after.preempted - before.preempted),
      static_cast<long long>(after.paused - before.paused),
      static_cast<long long>(after.holds - before.holds));
}

void offline(uint64_t samples, const std::string& out) {
  lg::TestSettings t = base(lg::Scenario::kOffline);
  t.min_query_count = samples;
  t.min_duration_ms = 0;
  const lg::RunResult r = run(t, out + "/offline");
  const lg::PerformanceSummary& p = *r.performance;
  std::printf("offline samples=%llu  all completed in %.3f s  samples/s=%.0f  errors=%d\n",
              static_cast<unsigned long long>(p.sample_count), p.outcome.max_latency_s,
              p.sample_count / p.outcome.max_latency_s, r.errors);
}

std::vector<double> parse_list(const std::string& s) {
  std::vector<double> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(std::stod(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string qps_list = "10000,100000,200000", out = "/tmp/infermark-loadgen-bench";
  uint64_t duration_ms = 5000, offline_samples = 1000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--server-qps") qps_list = v;
    else if (a == "--duration-ms") duration_ms = std::stoull(v);
    else if (a == "--offline-samples") offline_samples = std::stoull(v);
    else if (a == "--out") out = v;
    else if (a == "--wait") {
      const auto policy = lg::parse_wait_policy(v);
      if (!policy) {
        std::fprintf(stderr, "loadgen_bench: --wait %s is not sleep or adaptive\n", v.c_str());
        return 2;
      }
      lg::SpinGovernor::shared().set_policy(*policy);
    }
    else {
      std::fprintf(stderr, "loadgen_bench: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  for (double qps : parse_list(qps_list)) server(qps, duration_ms, out);
  if (offline_samples > 0) offline(offline_samples, out);
  return 0;
}
