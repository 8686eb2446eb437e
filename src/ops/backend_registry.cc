// The backends of this build: one line per device. A new backend (its files beside
// cpu_backend.*) adds its line here, guarded by its build option when it needs a toolkit
// (see docs/architecture.md, "Adding a backend").
#include <string>

#include "ops/backend.h"
#include "ops/cpu_backend.h"
#include "util/error.h"

namespace infermark::ops {
namespace {

struct Registration {
  Device device;
  std::unique_ptr<Backend> (*create)(const BackendOptions& options);
};

constexpr Registration kBackends[] = {
    {Device::kCpu, &make_cpu_backend},
};

}  // namespace

std::unique_ptr<Backend> create_backend(const BackendOptions& options) {
  for (const Registration& r : kBackends) {
    if (r.device == options.device) return r.create(options);
  }
  std::string have;
  for (const Registration& r : kBackends) {
    have += (have.empty() ? "" : ", ") + std::string(device_name(r.device));
  }
  throw Error::format("device '{}' has no backend in this build (available: {})",
                      device_name(options.device), have);
}

}  // namespace infermark::ops
