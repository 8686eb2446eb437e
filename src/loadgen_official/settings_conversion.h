// infermark's TestSettings / LogSettings as the official library's mlperf::TestSettings /
// LogSettings (compiled only when the library is found). The structs are field for field the
// same (loadgen/settings.h mirrors test_settings.h), so this is a copy with the enums mapped and
// the log output folder as a string. Pure functions.
//
// Every field is named in one list (kFields in the .cc), used for both directions.
#pragma once

#include "loadgen/settings.h"
#include "test_settings.h"

namespace infermark::loadgen_official {

mlperf::TestSettings to_official(const loadgen::TestSettings& s);
mlperf::LogSettings to_official(const loadgen::LogSettings& s);
loadgen::TestSettings from_official(const mlperf::TestSettings& s);

}  // namespace infermark::loadgen_official
