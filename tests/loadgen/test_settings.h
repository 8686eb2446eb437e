// Settings helpers for the load generator tests: the v6.1 seeds as in the golden vectors.
#pragma once

#include "loadgen/effective_settings.h"
#include "loadgen/settings.h"

namespace infermark::loadgen::testing {

inline TestSettings v61_settings(Scenario scenario, Mode mode = Mode::kPerformanceOnly) {
  TestSettings s;
  s.scenario = scenario;
  s.mode = mode;
  s.qsl_rng_seed = 2085463073848966840ull;
  s.sample_index_rng_seed = 2747215439041700203ull;
  s.schedule_rng_seed = 16159082839903944936ull;
  return s;
}

}  // namespace infermark::loadgen::testing
