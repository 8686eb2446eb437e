// Numbers read out of text the report did not write (accuracy.txt, early-stopping messages,
// summary values) without std::regex (backtracking, recursion deep enough to overflow the stack
// on a long match) or std::stod (locale-dependent, throws std::invalid_argument /
// std::out_of_range instead of an Error naming the file). Linear scans over string_views; no
// allocation. Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace infermark::report {

// The whole of `s` as a finite decimal number ("38.7792", "8167644", "-1.5e3"); nullopt if `s`
// is empty, has anything else in it, or overflows a double.
std::optional<double> parse_number(std::string_view s);

// The first run of digits N in `text` that stands between `before` and `after` ("Processed N
// queries": before "Processed ", after " queries"); nullopt if there is none or N overflows.
std::optional<int64_t> integer_between(std::string_view text, std::string_view before,
                                       std::string_view after);

// The value written after `key` the way Python prints a dict entry: `key`, then whitespace, an
// optional quote, and the characters [0-9.]; the optional quote after it is not checked.
// Returns the characters (possibly empty when the key is there without a value), or nullopt if
// `key` does not occur.
std::optional<std::string_view> dict_value_after(std::string_view text, std::string_view key);

// The text after `prefix` up to the end of the first line that starts with it; nullopt if no
// line does.
std::optional<std::string_view> line_value(std::string_view text, std::string_view prefix);

}  // namespace infermark::report
