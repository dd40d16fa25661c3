#include "connectors/sinks/retry_delay.h"

#include <algorithm>
#include <cstdint>

namespace keel::sinks {

std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, int attempt,
                                     std::optional<std::chrono::milliseconds> retry_after, double fraction) {
  using std::chrono::milliseconds;
  if (retry_after) return std::clamp(*retry_after, milliseconds(0), policy.max_delay);
  // Doubling stops at the cap, so a long run of failures cannot overflow.
  int64_t ceiling = std::max<int64_t>(policy.initial_delay.count(), 0);
  for (int n = 1; n < attempt && ceiling < policy.max_delay.count(); ++n) ceiling *= 2;
  ceiling = std::min<int64_t>(ceiling, policy.max_delay.count());
  fraction = std::clamp(fraction, 0.0, 1.0);
  return milliseconds(std::min<int64_t>(static_cast<int64_t>(fraction * static_cast<double>(ceiling)), ceiling));
}

}  // namespace keel::sinks
