#include "engine/ingest/scheduler.h"

namespace keel {

Result<uint64_t> Scheduler::FireDueUntil(int64_t micros) {
  uint64_t total = 0;
  while (true) {
    KEEL_ASSIGN_OR_RETURN(size_t taken, log_->FireDueTimers(micros, options_.timers_per_batch));
    total += taken;
    if (taken == 0) return total;
  }
}

}  // namespace keel
