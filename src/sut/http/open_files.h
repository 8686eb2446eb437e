// Raising the open-file limit: every connection is a file descriptor, and the default soft limit
// of 1024 breaks large runs (sglang#647, vllm PR #11530). Raised once at start to the hard limit.
#pragma once

#include <cstdint>

namespace infermark::sut::http {

// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft limit now in force.
uint64_t raise_open_file_limit();

}  // namespace infermark::sut::http
