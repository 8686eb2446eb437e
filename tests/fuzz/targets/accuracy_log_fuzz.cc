// mlperf_log_accuracy.json text: entries with qsl_idx and hex data, read as int32 token ids.
#include "accuracy/accuracy_log.h"
#include "fuzz_target.h"
#include "util/error.h"

IM_FUZZ_TARGET(accuracy_log) {
  using namespace infermark;
  try {
    const accuracy::AccuracyLog log =
        accuracy::parse_accuracy_log(fuzz::as_text(data, size), "mlperf_log_accuracy.json");
    (void)accuracy::first_entry_per_sample(log);
  } catch (const Error&) {
  }
}
