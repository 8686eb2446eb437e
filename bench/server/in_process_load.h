// The in-process side of serve_load: the same closed-loop load as over HTTP, submitted straight to
// an engine::Engine with the options `infermark serve` gives it, so that HTTP throughput can be
// quoted as a fraction of what the engine does alone.
#pragma once

#include <memory>

#include "engine/engine.h"
#include "load_report.h"

namespace infermark::bench {

LoadReport run_in_process_load(engine::Engine& engine, const LoadShape& shape);

}  // namespace infermark::bench
