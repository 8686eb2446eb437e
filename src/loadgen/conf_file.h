// LoadGen conf files (mlperf.conf, user.conf, audit.config): parsing and application to
// TestSettings with LoadGen's exact syntax, key lookup order and value conversions
// (loadgen-behaviour.md §2).
//
// Deliberate difference from the official parser: a line the official parser rejects or silently
// drops (no '=', a trailing comment, a non-numeric value, `key=value` without spaces, a key with
// no value) is a hard Error naming the file, line and reason, and nothing from that file is
// applied. Valid lines keep every official quirk (`0x10` = 16, `010` = 8, `k = 8 9` gives 9,
// fractional milliseconds truncated for integer fields, later duplicates win).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/settings.h"

namespace infermark::loadgen {

// Which role a conf file plays; it decides which keys may be read from it (§2.3).
enum class ConfType {
  kMlperf = 0,  // the round's mlperf.conf: every key, including seeds
  kUser = 1,    // user.conf: no seeds, no accuracy_log_probability, no test05 keys
  kAudit = 2,   // audit.config (compliance tests): as user.conf
};

struct ConfValue {
  std::string text;  // the value as written (the last one on its line)
  int line = 0;      // 1-based line number in the file
};

struct ConfFile {
  std::string origin;                   // file name used in messages
  std::map<std::string, ConfValue> kv;  // "model.scenario.key" -> value; a later line wins
  std::vector<std::string> warnings;    // suspicious but valid lines, with line numbers
};

// Parses conf text. Throws Error "<origin>:<line>: <reason>" on the first malformed line.
ConfFile parse_conf(std::string_view text, std::string origin);

// Reads and parses a conf file. Throws Error if it cannot be read or is malformed.
ConfFile load_conf_file(const std::string& path);

// Applies the keys of `conf` that match `model` and `scenario` to `settings`, as LoadGen's
// FromConfig does for `type` (the keys are those of INFERMARK_LOADGEN_TEST_SETTINGS). Keys LoadGen
// would not read from this type of file (seeds in user.conf, say) are reported in `notes` rather
// than silently dropped; so are keys with unknown names. Each field set is recorded in `origins`
// (file, line and key) when given. Throws Error, naming the file, line and key, if `mode` has a
// value outside 0..3 or a millisecond value does not fit in 64-bit nanoseconds.
void apply_conf(const ConfFile& conf, std::string_view model, Scenario scenario, ConfType type,
                TestSettings& settings, std::vector<std::string>* notes,
                SettingsOrigins* origins = nullptr);

// The round's mlperf.conf compiled into the binary (conf/mlperf.conf, v6.1 seeds).
std::string_view embedded_mlperf_conf();

// Where the effective settings of a run come from, in order of application.
struct SettingsSources {
  std::string model;                   // e.g. "llama3_1-8b"
  Scenario scenario = Scenario::kOffline;
  Mode mode = Mode::kPerformanceOnly;
  std::string mlperf_conf_path;        // empty = the embedded mlperf.conf
  std::string user_conf_path;          // empty = none
};

struct LoadedSettings {
  TestSettings settings;
  std::vector<std::string> notes;  // warnings from parsing/applying, for the log
  SettingsOrigins origins;         // which conf line set each field
};

// defaults -> mlperf.conf -> user.conf -> scenario and mode from `src`.
LoadedSettings load_settings(const SettingsSources& src);

}  // namespace infermark::loadgen
