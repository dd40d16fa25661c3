// Verification of a stored log: the hash chain, the indexes against the
// events, the head record, the projections against a rebuild, and the rule
// sets (content-addressed sources, one stored for every `ruleset.activated`,
// meta `ruleset` naming the last one activated), and the pending timers
// against a rebuild from the timer events.
#pragma once

#include <cstdint>
#include <functional>

#include "engine/audit/report.h"
#include "engine/log/event_log.h"

namespace keel {

struct VerifyOptions {
  bool check_indexes = true;
  bool check_projections = true;
  bool check_rulesets = true;
  bool check_timers = true;  // the `timers` family against a rebuild from the timer events
  // Called now and then with the events checked so far, for progress bars.
  std::function<void(uint64_t checked, uint64_t total)> progress;
};

// Returns an error only when the log cannot be read at all; what is wrong
// with its contents goes into the report.
Result<VerifyReport> VerifyLog(const EventLog& log, const VerifyOptions& options = {});

}  // namespace keel
