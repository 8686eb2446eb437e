// The machine's ceilings for the kernel benchmarks: the probes of engine/ceilings.h (one
// implementation shared with `infermark bench`), under the names these benchmarks use. Rates are
// kept per wall second and per CPU-second of this process; on a shared machine the latter are
// the stable ones.
#pragma once

#include "engine/ceilings.h"

namespace infermark::bench {

using engine::Rate;
using engine::Stopwatch;
using Ceilings = engine::MachineCeilings;
using Probe = engine::CeilingProbe;

}  // namespace infermark::bench
