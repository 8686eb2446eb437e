// The machine's ceilings for the kernel benchmarks: the probes of backends/cpu/ceilings.h (one
// implementation shared with `infermark bench`), under the names these benchmarks use. Rates are
// kept per wall second and per CPU-second of this process; on a shared machine the latter are
// the stable ones.
#pragma once

#include "backends/cpu/ceilings.h"

namespace infermark::bench {

using cpu::Rate;
using cpu::Stopwatch;
using Ceilings = cpu::MachineCeilings;
using Probe = cpu::CeilingProbe;

}  // namespace infermark::bench
