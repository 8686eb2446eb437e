// mlperf_log_trace.json → per-sample (scheduled, completed) times. Only the "Sample" async
// events are kept while parsing, so a long run's trace (hundreds of thousands of scoped and
// counter events) costs little memory.
#include <algorithm>
#include <unordered_map>

#include "report/mlperf_logs.h"
#include "util/error.h"

namespace infermark::report {
namespace {

using util::Json;

// 1-based line of byte offset `byte` (nlohmann reports the offset one past the bad character).
int line_of(std::string_view text, size_t byte) {
  byte = std::min(byte, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + byte, '\n'));
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// MLPerf's LoadGen writes string arguments of its trace events quoted twice
// (`"args":{"key":""loadgen_version""}`, `{"message":""...""}`), which is not JSON; those events
// carry nothing the report reads, so the doubled quotes are undone before parsing: a value that
// opens with `""` and goes on (not the empty string `""` before ',' or '}') loses one quote at
// each end. Returns `text` itself when it has none.
std::string_view undo_doubled_quotes(std::string_view text, std::string& storage) {
  constexpr std::string_view kOpen = "\":\"\"";  // ":""
  size_t at = text.find(kOpen);
  size_t copied = 0;
  while (at != std::string_view::npos) {
    const size_t value = at + kOpen.size();
    const bool doubled = value < text.size() && text[value] != ',' && text[value] != '}';
    size_t close = doubled ? text.find("\"\"", value) : std::string_view::npos;
    while (close != std::string_view::npos && close + 2 < text.size() && text[close + 2] != '}' &&
           text[close + 2] != ',') {
      close = text.find("\"\"", close + 1);
    }
    if (close == std::string_view::npos) {
      at = text.find(kOpen, value);
      continue;
    }
    if (storage.empty()) storage.reserve(text.size());
    storage.append(text.substr(copied, value - 1 - copied));  // up to and with one opening quote
    storage.append(text.substr(value, close + 1 - value));    // the value and one closing quote
    copied = close + 2;
    at = text.find(kOpen, copied);
  }
  if (copied == 0) return text;
  storage.append(text.substr(copied));
  return storage;
}

Json parse_sample_events(std::string_view text, std::string_view origin) {
  // Drops every trace event but "Sample" ones as soon as it is complete.
  const Json::parser_callback_t keep_samples = [](int, Json::parse_event_t event, Json& parsed) {
    if (event != Json::parse_event_t::object_end || !parsed.is_object()) return true;
    const auto name = parsed.find("name");
    if (name == parsed.end() || !parsed.contains("ph")) return true;  // not an event
    return name->is_string() && name->get_ref<const std::string&>() == "Sample";
  };
  try {
    return Json::parse(text, keep_samples);
  } catch (const Json::parse_error& e) {
    throw Error::format("{}: line {}: invalid JSON ({}); the trace is corrupt or truncated", origin,
                        line_of(text, e.byte), e.what());
  } catch (const Json::exception& e) {  // e.g. a number out of range
    throw Error::format("{}: invalid JSON ({}); the trace is corrupt", origin, e.what());
  }
}

const Json& trace_events(const Json& root, std::string_view origin) {
  if (root.is_array()) return root;  // the Chrome trace "JSON array" form
  const auto it = root.is_object() ? root.find("traceEvents") : root.end();
  if (it == root.end() || !it->is_array()) {
    throw Error::format("{}: line 1: expected an object with a \"traceEvents\" array", origin);
  }
  return *it;
}

double number_field(const Json& event, const char* key, size_t index, std::string_view origin) {
  const auto it = event.find(key);
  if (it == event.end() || !it->is_number()) {
    throw Error::format("{}: Sample event #{} has no numeric \"{}\"", origin, index + 1, key);
  }
  return it->get<double>();
}

// Optional numeric begin-event argument, or `fallback`.
double arg_or(const Json& event, const char* key, double fallback) {
  const auto args = event.find("args");
  if (args == event.end() || !args->is_object()) return fallback;
  const auto it = args->find(key);
  return it != args->end() && it->is_number() ? it->get<double>() : fallback;
}

}  // namespace

void parse_trace(std::string_view text, std::string_view origin, MlperfLogs& out) {
  out.samples.clear();
  out.incomplete_samples = 0;
  out.trace_enabled = !is_blank(text);
  if (!out.trace_enabled) return;
  std::string repaired;
  const Json root = parse_sample_events(undo_doubled_quotes(text, repaired), origin);
  const Json& events = trace_events(root, origin);

  std::unordered_map<uint64_t, size_t> open;  // id -> index in out.samples
  std::vector<bool> done;
  for (size_t i = 0; i < events.size(); ++i) {
    const Json& ev = events[i];
    if (!ev.is_object()) continue;
    const auto name = ev.find("name");
    if (name == ev.end() || !name->is_string() || *name != "Sample") continue;
    const auto phase = ev.find("ph");
    if (phase == ev.end() || !phase->is_string()) {
      throw Error::format("{}: Sample event #{} has no string \"ph\" (b or e)", origin, i + 1);
    }
    const std::string& ph = phase->get_ref<const std::string&>();
    const double raw_id = number_field(ev, "id", i, origin);
    if (raw_id < 0) throw Error::format("{}: Sample event #{} has a negative id", origin, i + 1);
    const auto id = static_cast<uint64_t>(raw_id);
    const double ts_s = number_field(ev, "ts", i, origin) / 1e6;
    if (ph == "b") {
      SampleTiming s;
      s.id = id;
      s.scheduled_s = ts_s;
      const double first_ns = arg_or(ev, "first_token_ns", -1);
      s.first_token_s = first_ns < 0 ? -1 : first_ns / 1e9;
      s.n_tokens = static_cast<int64_t>(arg_or(ev, "n_tokens", -1));
      open[id] = out.samples.size();
      out.samples.push_back(s);
      done.push_back(false);
    } else if (ph == "e") {
      const auto it = open.find(id);
      if (it == open.end()) continue;  // an end without its begin: nothing to pair it with
      out.samples[it->second].completed_s = ts_s;
      done[it->second] = true;
      open.erase(it);
    }
  }
  std::vector<SampleTiming> complete;
  complete.reserve(out.samples.size());
  for (size_t i = 0; i < out.samples.size(); ++i) {
    if (done[i]) complete.push_back(out.samples[i]);
  }
  out.incomplete_samples = out.samples.size() - complete.size();
  std::sort(complete.begin(), complete.end(), [](const SampleTiming& a, const SampleTiming& b) {
    return a.scheduled_s != b.scheduled_s ? a.scheduled_s < b.scheduled_s : a.id < b.id;
  });
  out.samples = std::move(complete);
}

}  // namespace infermark::report
