#include "loadgen/conf_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>
#include <sstream>

#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::embedded {
extern const std::string_view mlperf_conf;
}

namespace infermark::loadgen {
namespace {

// True if all of `s` parses as strtoul(s, 0) or strtod(s) — LoadGen's value test.
bool is_number(const std::string& s) {
  const char* start = s.c_str();
  char* stop = nullptr;
  (void)std::strtoul(start, &stop, 0);
  if (stop == start + s.size()) return true;
  (void)std::strtod(start, &stop);
  return stop == start + s.size();
}

// Key names that LoadGen's FromConfig reads (and the ones it knowingly ignores).
const std::set<std::string, std::less<>>& known_key_names() {
  static const std::set<std::string, std::less<>> names = {
      "mode", "qsl_rng_seed", "sample_index_rng_seed", "schedule_rng_seed",
      "accuracy_log_probability", "test05", "test05_qsl_rng_seed",
      "test05_sample_index_rng_seed", "test05_schedule_rng_seed", "use_token_latencies",
      "ttft_latency", "tpot_latency", "infer_token_latencies", "token_latency_scaling_factor",
      "target_latency_percentile", "samples_per_query", "target_latency",
      "performance_issue_unique", "performance_issue_same", "performance_issue_same_index",
      "sample_concatenate_permutation", "coalesce_queries", "max_async_queries", "min_duration",
      "max_duration", "min_query_count", "max_query_count", "performance_sample_count_override",
      "accuracy_sample_count_override", "target_qps", "print_timestamps",
      "accuracy_log_rng_seed", "accuracy_log_sampling_target",
      "target_duration"};  // present in mlperf.conf, never read by LoadGen
  return names;
}

}  // namespace

ConfFile parse_conf(std::string_view text, std::string origin) {
  ConfFile conf{std::move(origin), {}, {}};
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int line_no = 1; std::getline(lines, line); ++line_no) {
    std::istringstream words(line);
    std::vector<std::string> tok;
    for (std::string w; words >> w;) tok.push_back(w);
    // "# ..." and a lone "#word" are comments (LoadGen never completes such a key).
    if (tok.empty() || tok[0] == "#" || (tok.size() == 1 && tok[0][0] == '#')) continue;
    auto fail = [&](const std::string& why) -> Error {
      return Error::format("{}:{}: {}: '{}'", conf.origin, line_no, why, line);
    };
    if (tok.size() == 1) {
      throw fail(tok[0].find('=') != std::string::npos
                     ? "expected 'key = value' with spaces around '=' (LoadGen ignores this line)"
                     : "expected 'key = value'");
    }
    if (tok[1] != "=") throw fail("expected 'key = value'");
    if (tok.size() == 2) throw fail("missing value after '='");
    for (size_t i = 2; i < tok.size(); ++i) {
      if (tok[i] == "#" || tok[i][0] == '#') {
        throw fail("comments after a value are not allowed (LoadGen rejects the whole file)");
      }
      if (!is_number(tok[i])) throw fail("value needs to be integer or double");
    }
    if (tok.size() > 3) {
      conf.warnings.push_back(fmt::format("{}:{}: several values; the last one ({}) is used",
                                          conf.origin, line_no, tok.back()));
    }
    conf.kv[tok[0]] = tok.back();
  }
  return conf;
}

ConfFile load_conf_file(const std::string& path) {
  return parse_conf(util::read_file(path), path);
}

namespace {

class Lookup {
 public:
  Lookup(const ConfFile& conf, std::string_view model) : conf_(conf), model_(model) {}

  // LoadGen's lookupkv order: model.scenario.key, *.scenario.key, model.*.key, *.*.key.
  const std::string* find(std::string_view scenario, std::string_view key) const {
    for (const auto& k :
         {fmt::format("{}.{}.{}", model_, scenario, key), fmt::format("*.{}.{}", scenario, key),
          fmt::format("{}.*.{}", model_, key), fmt::format("*.*.{}", key)}) {
      if (auto it = conf_.kv.find(k); it != conf_.kv.end()) return &it->second;
    }
    return nullptr;
  }
  // Integer field: strtoull(v, 0, 0) * uint64(multiplier).
  bool get(std::string_view scenario, std::string_view key, uint64_t* out,
           double multiplier = 1.0) const {
    const std::string* v = find(scenario, key);
    if (!v) return false;
    *out = std::strtoull(v->c_str(), nullptr, 0) * static_cast<uint64_t>(multiplier);
    return true;
  }
  // Double field: strtod(v) * multiplier.
  bool get(std::string_view scenario, std::string_view key, double* out,
           double multiplier = 1.0) const {
    const std::string* v = find(scenario, key);
    if (!v) return false;
    *out = std::strtod(v->c_str(), nullptr) * multiplier;
    return true;
  }

 private:
  const ConfFile& conf_;
  std::string model_;
};

void note_unreadable_keys(const ConfFile& conf, ConfType type, std::vector<std::string>* notes) {
  static const std::set<std::string, std::less<>> mlperf_only = {
      "qsl_rng_seed", "sample_index_rng_seed", "schedule_rng_seed", "accuracy_log_probability",
      "test05", "test05_qsl_rng_seed", "test05_sample_index_rng_seed",
      "test05_schedule_rng_seed"};
  for (const auto& [key, value] : conf.kv) {
    auto last_dot = key.rfind('.');
    std::string_view name = last_dot == std::string::npos
                                ? std::string_view(key)
                                : std::string_view(key).substr(last_dot + 1);
    if (std::count(key.begin(), key.end(), '.') != 2) {
      notes->push_back(fmt::format("{}: key '{}' is not of the form model.scenario.key; ignored",
                                   conf.origin, key));
    } else if (!known_key_names().contains(name)) {
      notes->push_back(fmt::format("{}: unknown key '{}'; ignored", conf.origin, key));
    } else if (type != ConfType::kMlperf && mlperf_only.contains(name)) {
      notes->push_back(fmt::format(
          "{}: '{}' can only come from mlperf.conf (as in LoadGen); ignored", conf.origin, key));
    }
  }
}

}  // namespace

void apply_conf(const ConfFile& conf, std::string_view model, Scenario scenario, ConfType type,
                TestSettings& s, std::vector<std::string>* notes) {
  if (notes) {
    notes->insert(notes->end(), conf.warnings.begin(), conf.warnings.end());
    note_unreadable_keys(conf, type, notes);
  }
  const Lookup kv(conf, model);
  const std::string_view sc = to_string(scenario);
  uint64_t v = 0;

  if (kv.get(sc, "mode", &v)) {
    if (v > 3) throw Error::format("{}: invalid value {} for key 'mode' (0..3)", conf.origin, v);
    s.mode = static_cast<Mode>(v);
  }
  if (type == ConfType::kMlperf) {
    kv.get(sc, "qsl_rng_seed", &s.qsl_rng_seed);
    kv.get(sc, "sample_index_rng_seed", &s.sample_index_rng_seed);
    kv.get(sc, "schedule_rng_seed", &s.schedule_rng_seed);
    kv.get(sc, "accuracy_log_probability", &s.accuracy_log_probability, 0.01);
    if (kv.get(sc, "test05", &v)) s.test05 = (v == 1);
    kv.get(sc, "test05_qsl_rng_seed", &s.test05_qsl_rng_seed);
    kv.get(sc, "test05_sample_index_rng_seed", &s.test05_sample_index_rng_seed);
    kv.get(sc, "test05_schedule_rng_seed", &s.test05_schedule_rng_seed);
  }
  if (kv.get(sc, "use_token_latencies", &v)) s.use_token_latencies = (v == 1);
  if (s.use_token_latencies) {
    kv.get("Server", "ttft_latency", &s.server_ttft_latency, 1000 * 1000);
    kv.get("Server", "tpot_latency", &s.server_tpot_latency, 1000 * 1000);
  }
  if (kv.get(sc, "infer_token_latencies", &v)) s.infer_token_latencies = (v == 1);
  if (s.infer_token_latencies) {
    kv.get(sc, "token_latency_scaling_factor", &s.token_latency_scaling_factor);
  }

  kv.get("SingleStream", "target_latency_percentile", &s.single_stream_target_latency_percentile,
         0.01);
  kv.get("MultiStream", "target_latency_percentile", &s.multi_stream_target_latency_percentile,
         0.01);
  kv.get("MultiStream", "samples_per_query", &s.multi_stream_samples_per_query);
  kv.get("Server", "target_latency_percentile", &s.server_target_latency_percentile, 0.01);
  kv.get("Server", "target_latency", &s.server_target_latency_ns, 1000 * 1000);

  if (kv.get(sc, "performance_issue_unique", &v)) s.performance_issue_unique = (v != 0);
  if (kv.get(sc, "performance_issue_same", &v)) s.performance_issue_same = (v != 0);
  kv.get(sc, "performance_issue_same_index", &s.performance_issue_same_index);
  if (kv.get(sc, "sample_concatenate_permutation", &v)) {
    s.sample_concatenate_permutation = (v == 1);
  }
  if (kv.get("Server", "coalesce_queries", &v)) s.server_coalesce_queries = (v != 0);
  kv.get("Server", "max_async_queries", &s.server_max_async_queries);

  kv.get(sc, "min_duration", &s.min_duration_ms);
  kv.get(sc, "max_duration", &s.max_duration_ms);
  kv.get(sc, "min_query_count", &s.min_query_count);
  kv.get(sc, "max_query_count", &s.max_query_count);
  kv.get(sc, "performance_sample_count_override", &s.performance_sample_count_override);
  kv.get(sc, "accuracy_sample_count_override", &s.accuracy_sample_count_override);

  kv.get("SingleStream", "target_latency", &s.single_stream_expected_latency_ns, 1000 * 1000);
  kv.get("MultiStream", "target_latency", &s.multi_stream_expected_latency_ns, 1000 * 1000);
  kv.get("Server", "target_qps", &s.server_target_qps);
  kv.get("Offline", "target_qps", &s.offline_expected_qps);
  if (kv.get(sc, "print_timestamps", &v)) s.print_timestamps = (v != 0);

  kv.get(sc, "accuracy_log_rng_seed", &s.accuracy_log_rng_seed);
  kv.get(sc, "accuracy_log_sampling_target", &s.accuracy_log_sampling_target);
}

std::string_view embedded_mlperf_conf() { return embedded::mlperf_conf; }

LoadedSettings load_settings(const SettingsSources& src) {
  LoadedSettings out;
  out.settings.scenario = src.scenario;
  ConfFile mlperf = src.mlperf_conf_path.empty()
                        ? parse_conf(embedded_mlperf_conf(), "mlperf.conf (embedded)")
                        : load_conf_file(src.mlperf_conf_path);
  apply_conf(mlperf, src.model, src.scenario, ConfType::kMlperf, out.settings,
             src.mlperf_conf_path.empty() ? nullptr : &out.notes);
  if (!src.user_conf_path.empty()) {
    ConfFile user = load_conf_file(src.user_conf_path);
    apply_conf(user, src.model, src.scenario, ConfType::kUser, out.settings, &out.notes);
  }
  out.settings.scenario = src.scenario;
  out.settings.mode = src.mode;
  return out;
}

}  // namespace infermark::loadgen
