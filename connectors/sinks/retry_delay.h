// How long a sink waits before trying an event again: exponential backoff
// with full jitter, or what the receiver asked for with Retry-After.
#pragma once

#include <chrono>
#include <optional>

namespace keel::sinks {

struct RetryPolicy {
  int max_attempts = 8;                         // tries in all, the first included
  std::chrono::milliseconds initial_delay{1000};
  std::chrono::milliseconds max_delay{300000};  // 5 minutes; also caps a Retry-After
};

// The wait after failed try `attempt` (1 for the first): a `retry_after`
// capped at max_delay when the receiver sent one, otherwise
// random(0, min(max_delay, initial_delay * 2^(attempt-1))), where `fraction`
// (uniform in [0, 1)) is the random draw.
std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, int attempt,
                                     std::optional<std::chrono::milliseconds> retry_after, double fraction);

}  // namespace keel::sinks
