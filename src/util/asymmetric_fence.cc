#include "util/asymmetric_fence.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/error.h"

namespace infermark {
namespace {

long membarrier(int cmd) { return syscall(SYS_membarrier, cmd, 0U, 0); }

bool register_private_expedited() {
  const long supported = membarrier(MEMBARRIER_CMD_QUERY);
  if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

}  // namespace

bool asymmetric_fence_available() {
  static const bool available = register_private_expedited();
  return available;
}

void asymmetric_fence_heavy() {
  IM_CHECK(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0);
}

}  // namespace infermark
