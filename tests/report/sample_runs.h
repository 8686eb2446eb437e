// Short runs made with `infermark run --sut null` (INFERMARK_BIN) for the report tests: made once
// per CLI build and shared by the test processes (cached under INFERMARK_BUILD_DIR/test-data).
// Treat a returned folder as read-only: copy it (copy_run) before writing into it.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace infermark::report::sample_runs {

// Random token latencies; 256 queries at 200 QPS: too few for early stopping, so INVALID.
std::filesystem::path server_run();
std::filesystem::path server_untraced_run();
// 55 samples at 12 ms each: lasts past min_duration, VALID (under lowered settings).
std::filesystem::path offline_valid_run();
// Answers at once: the query ends long before min_duration, INVALID.
std::filesystem::path offline_fast_run();
// One sample at a time, 20 ms each (about 5 s for the 256 queries), stopped with SIGTERM.
std::filesystem::path interrupted_run();

// A writable copy of run folder `from` in the test's temp folder, under `name`.
std::filesystem::path copy_run(const std::filesystem::path& from, const std::string& name);

// Expects HTML that fetches nothing: no URLs, scripts, links or external sources.
void expect_self_contained(const std::string& html);

// Occurrences of `what` in `text`.
size_t count_of(const std::string& text, const std::string& what);

}  // namespace infermark::report::sample_runs
