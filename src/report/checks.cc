// The validity checks of a run in plain words (loadgen-behaviour.md §9): each check states what
// was measured and what was required, and a failed one says what happened, with the run's
// numbers, and what to change.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "report/analysis.h"
#include "report/html.h"
#include "report/text_scan.h"

namespace infermark::report {
namespace {

using html::duration_ns;

double num(const MlperfLogs& logs, std::string_view key) { return logs.number(key).value_or(-1); }

std::string count(double v) { return v < 0 ? "n/a" : html::integer(std::llround(v)); }

// "1 query", "256 queries".
std::string queries(int64_t n) {
  return n == 1 ? "1 query" : fmt::format("{} queries", count(static_cast<double>(n)));
}

// Rounds up to 3 significant digits: 2540700.3 -> 2550000.
double round_up_3(double v) {
  if (v <= 0) return v;
  const double scale = std::pow(10.0, std::floor(std::log10(v)) - 2);
  return std::ceil(v / scale) * scale;
}

std::string secs(double s) { return s < 0 ? "n/a" : duration_ns(s * 1e9); }

// The first integer N in `text` written as `before`N`after`, or -1.
int64_t find_int(std::string_view text, std::string_view before, std::string_view after) {
  return integer_between(text, before, after).value_or(-1);
}

bool is_interruption(const LogMessage& m) {
  return m.text.find("interrupted") != std::string::npos;
}

bool interrupted(const MlperfLogs& logs) {
  for (const LogMessage& m : logs.errors) {
    if (is_interruption(m)) return true;
  }
  return logs.text("result_invalid_reason").value_or("").find("interrupted") != std::string::npos;
}

// Why LoadGen may have stopped issuing before the planned end, as a clause.
std::string early_stop_reason(const MlperfLogs& logs) {
  if (interrupted(logs)) return " because the run was interrupted";
  const double max_q = num(logs, "effective_max_query_count");
  if (max_q > 0) return fmt::format(" because max_query_count = {} capped it", count(max_q));
  const double max_ms = num(logs, "effective_max_duration_ms");
  if (max_ms > 0)
    return fmt::format(" because max_duration = {} cut it", duration_ns(max_ms * 1e6));
  if (!logs.errors.empty()) return " after an error (see Errors below)";
  return "";
}

std::string min_duration_explanation(const MlperfLogs& logs, const RunAnalysis& a) {
  const std::string min = duration_ns(num(logs, "effective_min_duration_ms") * 1e6);
  if (a.scenario == "Offline") {
    double rate = a.duration_s > 0 ? static_cast<double>(a.sample_count) / a.duration_s : -1;
    for (const Metric& m : a.metrics) {
      if (m.unit == "samples/s") rate = m.value;  // as the summary states it
    }
    return fmt::format(
        "The Offline query's last sample completed after {}, short of min_duration = {}: LoadGen "
        "sized the query ({} samples) from the expected QPS of {}, and the system ran it at {} "
        "samples/s. Raise the Offline target_qps in user.conf to at least {} so the query lasts "
        "the minimum duration.",
        secs(a.duration_s), min, count(num(logs, "effective_samples_per_query")),
        html::number(a.target_qps), html::number(rate), html::number(round_up_3(rate * 1.1)));
  }
  if (a.scenario == "SingleStream") {
    return fmt::format(
        "The last query was issued at {}, before min_duration = {}: LoadGen pre-generated "
        "queries for an expected latency of {} each, but the median query took {}. Lower the "
        "SingleStream target_latency in user.conf to about {} so it generates enough queries.",
        secs(a.duration_s), min,
        duration_ns(num(logs, "requested_single_stream_expected_latency_ns")),
        duration_ns(a.e2e.at(0.5)), duration_ns(a.e2e.at(0.9)));
  }
  return fmt::format(
      "The last query was {} at {}, before min_duration = {}: LoadGen stopped issuing early{}. "
      "Let the run finish and keep max_query_count and max_duration at 0 (no cap); if the "
      "schedule itself was short, raise target_qps.",
      a.scenario == "Server" ? "scheduled" : "issued", secs(a.duration_s), min,
      early_stop_reason(logs));
}

Check min_duration_check(const MlperfLogs& logs, const RunAnalysis& a) {
  Check c{"Min duration"};
  c.passed = logs.flag("result_min_duration_met").value_or(true);
  const char* what = a.scenario == "Offline"  ? "last completion"
                     : a.scenario == "Server" ? "last query scheduled"
                                              : "last query issued";
  c.measured = fmt::format("{} at {}", what, secs(a.duration_s));
  c.required = "≥ " + duration_ns(num(logs, "effective_min_duration_ms") * 1e6);
  if (!c.passed) c.explanation = min_duration_explanation(logs, a);
  return c;
}

Check min_queries_check(const MlperfLogs& logs, const RunAnalysis& a) {
  Check c{"Min queries"};
  c.passed = logs.flag("result_min_queries_met").value_or(true);
  const double min_q = num(logs, "effective_min_query_count");
  const double min_s = num(logs, "effective_min_sample_count");
  c.measured = fmt::format("{}, {} samples", queries(a.query_count),
                           count(static_cast<double>(a.sample_count)));
  c.required = fmt::format("≥ {}, ≥ {} samples", queries(std::llround(min_q)), count(min_s));
  if (!c.passed) {
    c.explanation = fmt::format(
        "Only {} ({} samples) were issued, but the run needs at least {} queries and {} "
        "samples: LoadGen stopped early{}. Let the run finish and keep max_query_count and "
        "max_duration at 0 (no cap).",
        queries(a.query_count), count(static_cast<double>(a.sample_count)), count(min_q),
        count(min_s), early_stop_reason(logs));
  }
  return c;
}

Check latency_check(const MlperfLogs& logs, const RunAnalysis& a) {
  Check c{"Latency constraints"};
  c.passed = logs.flag("result_perf_constraints_met").value_or(true);
  const double p = a.target_percentile;
  const std::string pl = fmt::format("p{:g}", p * 100);
  if (!a.token_latencies) {
    const double target = num(logs, "effective_target_latency_ns");
    c.measured = fmt::format("{} latency {}", pl, duration_ns(a.e2e.at(p)));
    c.required = "≤ " + duration_ns(target);
    if (!c.passed) {
      c.explanation = fmt::format(
          "The {} latency was {}, over the {} target: the system could not keep up with "
          "target_qps = {}. Lower target_qps or make the system faster.",
          pl, duration_ns(a.e2e.at(p)), duration_ns(target), html::number(a.target_qps));
    }
    return c;
  }
  const double ttft = a.ttft.at(p), tpot = a.tpot.at(p);
  c.measured = fmt::format("TTFT {} {}, TPOT {} {}", pl, duration_ns(ttft), pl, duration_ns(tpot));
  c.required = fmt::format("TTFT ≤ {}, TPOT ≤ {}", duration_ns(a.ttft_limit_ns),
                           duration_ns(a.tpot_limit_ns));
  if (c.passed) return c;
  std::vector<std::string> over;
  if (ttft > a.ttft_limit_ns) {
    over.push_back(fmt::format("TTFT {} was {}, over the {} limit", pl, duration_ns(ttft),
                               duration_ns(a.ttft_limit_ns)));
  }
  if (tpot > a.tpot_limit_ns) {
    over.push_back(fmt::format("TPOT {} was {}, over the {} limit", pl, duration_ns(tpot),
                               duration_ns(a.tpot_limit_ns)));
  }
  c.explanation = fmt::format(
      "{}: the system could not serve target_qps = {} within the limits. Lower target_qps, or "
      "make {} faster.",
      over.empty() ? "A latency limit was exceeded" : fmt::format("{}", fmt::join(over, " and ")),
      html::number(a.target_qps),
      ttft > a.ttft_limit_ns ? "first tokens (queueing and prefill)" : "decoding");
  return c;
}

// One failed Server early-stopping text (" * Run unsuccessful. * Processed Q queries. * Would
// need to run at least K more queries, ...") in words.
std::string server_early_stopping(const std::string& what, const std::string& text, double limit_ns,
                                  const MlperfLogs& logs, const RunAnalysis& a) {
  const int64_t q = find_int(text, "Processed ", " queries");
  const int64_t k = find_int(text, "at least ", " more");
  if (q < 0 || k < 0) return "Early stopping failed for " + what + ": " + text;
  const double need_s = a.target_qps > 0 ? static_cast<double>(q + k) / a.target_qps : -1;
  return fmt::format(
      "With {} queries, early stopping cannot show with 99% confidence that the {} {} stays "
      "under its {} limit: it needs at least {} more queries, all under the limit. Run longer: "
      "raise min_duration (now {}) to at least {} so that target_qps x min_duration gives {} "
      "queries or more; the rules' 600 s is enough at any realistic QPS.",
      count(static_cast<double>(q)), fmt::format("p{:g}", a.target_percentile * 100), what,
      duration_ns(limit_ns), count(static_cast<double>(k)),
      duration_ns(num(logs, "effective_min_duration_ms") * 1e6), secs(need_s * 1.05),
      count(static_cast<double>(q + k)));
}

// Early stopping after an interruption: too few queries because the run was cut short.
std::string interrupted_early_stopping(const MlperfLogs& logs, const RunAnalysis& a) {
  return fmt::format(
      "Only {} were processed, too few for early stopping to bound the p{:g} latency. This "
      "follows from the interruption: the complete run would have issued {} queries.",
      queries(a.query_count), a.target_percentile * 100, count(num(logs, "generated_query_count")));
}

std::string early_stopping_explanation(const MlperfLogs& logs, const RunAnalysis& a) {
  if (interrupted(logs)) return interrupted_early_stopping(logs, a);
  const std::string ttft = logs.display("early_stopping_ttft_result");
  const std::string tpot = logs.display("early_stopping_tpot_result");
  const std::string plain = logs.display("early_stopping_result");
  if (a.scenario == "Server") {
    std::string out;
    if (tpot.find("unsuccessful") != std::string::npos) {
      out = server_early_stopping("TPOT", tpot, a.tpot_limit_ns, logs, a);
      if (ttft.empty()) out += " (TTFT early stopping is not evaluated once TPOT fails.)";
    }
    if (ttft.find("unsuccessful") != std::string::npos) {
      out +=
          (out.empty() ? "" : " ") + server_early_stopping("TTFT", ttft, a.ttft_limit_ns, logs, a);
    }
    if (plain.find("unsuccessful") != std::string::npos) {
      out += server_early_stopping("latency", plain, num(logs, "effective_target_latency_ns"), logs,
                                   a);
    }
    if (!out.empty()) return out;
  }
  const std::string all = ttft + " " + tpot + " " + plain;
  const int64_t q = find_int(all, "Only processed ", " queries");
  const int64_t h = find_int(all, "at least ", " queries for early stopping");
  if (q >= 0 && h >= 0) {
    return fmt::format(
        "Only {} queries were processed, but early stopping needs at least {} to estimate the "
        "p{:g} latency. Run longer: raise min_duration (now {}) so that LoadGen issues more "
        "queries.",
        count(static_cast<double>(q)), count(static_cast<double>(h)), a.target_percentile * 100,
        duration_ns(num(logs, "effective_min_duration_ms") * 1e6));
  }
  return "Early stopping failed: " + all;
}

Check early_stopping_check(const MlperfLogs& logs, const RunAnalysis& a) {
  Check c{"Early stopping"};
  c.passed = logs.flag("early_stopping_met").value_or(true);
  c.measured = queries(a.query_count);
  c.required = fmt::format("enough to bound p{:g} at 99% confidence", a.target_percentile * 100);
  if (!c.passed) c.explanation = early_stopping_explanation(logs, a);
  return c;
}

Check errors_check(const MlperfLogs& logs) {
  Check c{"LoadGen errors"};
  std::vector<const LogMessage*> errors;
  for (const LogMessage& m : logs.errors) {
    if (!is_interruption(m)) errors.push_back(&m);
  }
  c.passed = errors.empty();
  c.measured = errors.size() == 1 ? "1 error" : fmt::format("{} errors", errors.size());
  c.required = "none";
  if (!c.passed) {
    c.explanation = fmt::format(
        "LoadGen logged {}; the first is {}: \"{}\" (detail log line {}). Logs with errors are "
        "not accepted for submission: fix the cause and run again.",
        c.measured, errors[0]->key, errors[0]->text, errors[0]->line);
  }
  return c;
}

Check completion_check(const MlperfLogs& logs, const RunAnalysis& a) {
  Check c{"Run completed"};
  c.passed = !interrupted(logs);
  c.measured = c.passed ? "ran to the end" : "interrupted";
  c.required = "not interrupted";
  if (!c.passed) {
    c.explanation = fmt::format(
        "The run was stopped by a stop request (Ctrl-C or SIGTERM){}, so its results cover only "
        "the {} samples completed by then. Run it again and let it finish; it takes at least "
        "min_duration = {}.",
        a.duration_s >= 0 ? " after " + secs(a.duration_s) : "",
        count(static_cast<double>(a.sample_count)),
        duration_ns(num(logs, "effective_min_duration_ms") * 1e6));
  }
  return c;
}

}  // namespace

std::vector<Check> validity_checks(const MlperfLogs& logs, const RunAnalysis& a) {
  std::vector<Check> out;
  if (a.performance) {
    out.push_back(min_duration_check(logs, a));
    out.push_back(min_queries_check(logs, a));
    if (a.scenario == "Server") out.push_back(latency_check(logs, a));
    if (a.scenario != "Offline") out.push_back(early_stopping_check(logs, a));
  }
  out.push_back(errors_check(logs));
  out.push_back(completion_check(logs, a));
  return out;
}

}  // namespace infermark::report
