#include "loadgen/conf_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <variant>

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
    conf.kv[tok[0]] = {tok.back(), line_no};
  }
  return conf;
}

ConfFile load_conf_file(const std::string& path) {
  return parse_conf(util::read_file(path), path);
}

namespace {

// The conf column of INFERMARK_LOADGEN_TEST_SETTINGS (settings.h).
enum ConfScope { kGiven, kSingleStream, kMultiStream, kServer, kOffline };
enum Conversion { kAsIs, kPercent, kMsToNs, kIsOne, kNonZero };

struct ConfKey {
  std::string_view name;  // empty: no conf file sets the field
  ConfScope scope = kGiven;
  Conversion conversion = kAsIs;
  bool TestSettings::*only_if = nullptr;  // read only when this flag is already set
  bool mlperf_only = false;               // read from mlperf.conf only (seeds, probability)
};

constexpr ConfKey conf(ConfScope scope, std::string_view name, Conversion conversion = kAsIs,
                       bool TestSettings::*only_if = nullptr) {
  return {name, scope, conversion, only_if, false};
}
constexpr ConfKey mlperf_conf(ConfScope scope, std::string_view name,
                              Conversion conversion = kAsIs) {
  return {name, scope, conversion, nullptr, true};
}
constexpr ConfKey no_conf() { return {}; }

using FieldMember = std::variant<double TestSettings::*, uint64_t TestSettings::*,
                                 bool TestSettings::*, int TestSettings::*>;

struct ConfField {
  std::string_view field;  // TestSettings member name
  FieldMember member;
  ConfKey key;
};

// In table order, which is also the order LoadGen needs: use_token_latencies and
// infer_token_latencies come before the keys that are read only when they are set.
const ConfField kConfFields[] = {
#define INFERMARK_CONF_FIELD(type, name, init, requested_log, conf_key) \
  {#name, &TestSettings::name, conf_key},
    INFERMARK_LOADGEN_TEST_SETTINGS(INFERMARK_CONF_FIELD)
#undef INFERMARK_CONF_FIELD
};

// Keys present in mlperf.conf that LoadGen never reads.
constexpr std::string_view kIgnoredKeys[] = {"target_duration"};

bool is_known_key(std::string_view name) {
  if (name == "mode" || std::find(std::begin(kIgnoredKeys), std::end(kIgnoredKeys), name) !=
                            std::end(kIgnoredKeys)) {
    return true;
  }
  return std::any_of(std::begin(kConfFields), std::end(kConfFields),
                     [&](const ConfField& f) { return f.key.name == name; });
}

bool is_mlperf_only_key(std::string_view name) {
  return std::any_of(std::begin(kConfFields), std::end(kConfFields),
                     [&](const ConfField& f) { return f.key.name == name && f.key.mlperf_only; });
}

std::string_view scope_name(ConfScope scope, Scenario running) {
  switch (scope) {
    case kGiven: return to_string(running);
    case kSingleStream: return to_string(Scenario::kSingleStream);
    case kMultiStream: return to_string(Scenario::kMultiStream);
    case kServer: return to_string(Scenario::kServer);
    case kOffline: return to_string(Scenario::kOffline);
  }
  return "?";
}

// A conf line that matched a lookup.
struct Match {
  const std::string& key;  // as written in the file
  const ConfValue& value;
};

class Lookup {
 public:
  Lookup(const ConfFile& conf, std::string_view model) : conf_(conf), model_(model) {}

  // LoadGen's lookupkv order: model.scenario.key, *.scenario.key, model.*.key, *.*.key.
  std::optional<Match> find(std::string_view scenario, std::string_view key) const {
    for (const auto& k :
         {fmt::format("{}.{}.{}", model_, scenario, key), fmt::format("*.{}.{}", scenario, key),
          fmt::format("{}.*.{}", model_, key), fmt::format("*.*.{}", key)}) {
      if (auto it = conf_.kv.find(k); it != conf_.kv.end()) return Match{it->first, it->second};
    }
    return std::nullopt;
  }

 private:
  const ConfFile& conf_;
  std::string model_;
};

// LoadGen's conversions (§2.3): integer fields are strtoull(v, 0, 0) * uint64(multiplier), double
// fields strtod(v) * multiplier, flags an integer compared with 1 or 0.
void convert(const std::string& text, Conversion c, double* out) {
  const double multiplier = c == kPercent ? 0.01 : c == kMsToNs ? 1000.0 * 1000.0 : 1.0;
  *out = std::strtod(text.c_str(), nullptr) * multiplier;
}
void convert(const std::string& text, Conversion c, uint64_t* out) {
  const uint64_t v = std::strtoull(text.c_str(), nullptr, 0);
  if (c == kMsToNs && v > std::numeric_limits<uint64_t>::max() / 1000000) {
    throw Error::format("{} ms does not fit in 64-bit nanoseconds", v);
  }
  *out = v * (c == kMsToNs ? 1000000 : 1);
}
void convert(const std::string& text, Conversion c, bool* out) {
  const uint64_t v = std::strtoull(text.c_str(), nullptr, 0);
  *out = c == kIsOne ? v == 1 : v != 0;
}
void convert(const std::string& text, Conversion, int* out) {
  *out = static_cast<int>(std::strtol(text.c_str(), nullptr, 0));
}

std::string describe(const ConfFile& conf, const Match& m) {
  return fmt::format("{}:{}: {} = {}", conf.origin, m.value.line, m.key, m.value.text);
}

void apply_mode(const ConfFile& conf, const Lookup& kv, Scenario scenario, TestSettings& s,
                SettingsOrigins* origins) {
  const auto m = kv.find(to_string(scenario), "mode");
  if (!m) return;
  const uint64_t v = std::strtoull(m->value.text.c_str(), nullptr, 0);
  if (v > 3) throw Error::format("{}: invalid value for key 'mode' (0..3)", describe(conf, *m));
  s.mode = static_cast<Mode>(v);
  if (origins) (*origins)["mode"] = describe(conf, *m);
}

void apply_field(const ConfFile& conf, const Lookup& kv, const ConfField& f, Scenario scenario,
                 ConfType type, TestSettings& s, SettingsOrigins* origins) {
  const ConfKey& key = f.key;
  if (key.name.empty() || (key.mlperf_only && type != ConfType::kMlperf)) return;
  if (key.only_if != nullptr && !(s.*key.only_if)) return;
  const auto m = kv.find(scope_name(key.scope, scenario), key.name);
  if (!m) return;
  try {
    std::visit([&](auto member) { convert(m->value.text, key.conversion, &(s.*member)); },
               f.member);
  } catch (const Error& e) {
    throw Error::format("{}: {}", describe(conf, *m), e.what());
  }
  if (origins) (*origins)[std::string(f.field)] = describe(conf, *m);
}

void note_unreadable_keys(const ConfFile& conf, ConfType type, std::vector<std::string>* notes) {
  for (const auto& [key, value] : conf.kv) {
    auto last_dot = key.rfind('.');
    std::string_view name = last_dot == std::string::npos
                                ? std::string_view(key)
                                : std::string_view(key).substr(last_dot + 1);
    if (std::count(key.begin(), key.end(), '.') != 2) {
      notes->push_back(fmt::format("{}: key '{}' is not of the form model.scenario.key; ignored",
                                   conf.origin, key));
    } else if (!is_known_key(name)) {
      notes->push_back(fmt::format("{}: unknown key '{}'; ignored", conf.origin, key));
    } else if (type != ConfType::kMlperf && is_mlperf_only_key(name)) {
      notes->push_back(fmt::format(
          "{}: '{}' can only come from mlperf.conf (as in LoadGen); ignored", conf.origin, key));
    }
  }
}

}  // namespace

void apply_conf(const ConfFile& conf, std::string_view model, Scenario scenario, ConfType type,
                TestSettings& s, std::vector<std::string>* notes, SettingsOrigins* origins) {
  if (notes) {
    notes->insert(notes->end(), conf.warnings.begin(), conf.warnings.end());
    note_unreadable_keys(conf, type, notes);
  }
  const Lookup kv(conf, model);
  apply_mode(conf, kv, scenario, s, origins);
  for (const ConfField& f : kConfFields) apply_field(conf, kv, f, scenario, type, s, origins);
}

std::string_view embedded_mlperf_conf() { return embedded::mlperf_conf; }

LoadedSettings load_settings(const SettingsSources& src) {
  LoadedSettings out;
  out.settings.scenario = src.scenario;
  ConfFile mlperf = src.mlperf_conf_path.empty()
                        ? parse_conf(embedded_mlperf_conf(), "mlperf.conf (embedded)")
                        : load_conf_file(src.mlperf_conf_path);
  apply_conf(mlperf, src.model, src.scenario, ConfType::kMlperf, out.settings,
             src.mlperf_conf_path.empty() ? nullptr : &out.notes, &out.origins);
  if (!src.user_conf_path.empty()) {
    ConfFile user = load_conf_file(src.user_conf_path);
    apply_conf(user, src.model, src.scenario, ConfType::kUser, out.settings, &out.notes,
               &out.origins);
  }
  out.settings.scenario = src.scenario;
  out.settings.mode = src.mode;
  return out;
}

}  // namespace infermark::loadgen
