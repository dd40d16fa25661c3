#include "connectors/sinks/delivery.h"

namespace keel::sinks {

TryOutcome OutcomeOfStatus(int status) {
  if (status >= 200 && status < 300) return TryOutcome::kDelivered;
  // 408 Request Timeout, 409 Conflict (often a concurrent change), 425 Too
  // Early and 429 Too Many Requests say "not now", as the 5xx do.
  if (status == 408 || status == 409 || status == 425 || status == 429 || status >= 500) return TryOutcome::kRetry;
  return TryOutcome::kPermanent;
}

}  // namespace keel::sinks
