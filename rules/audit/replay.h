// Replaying a log: its input events run again, in order, through the rule
// set that was active at each point (from `ruleset.activated` and the
// sources stored under its hash), into a fresh log; then the two are
// compared event by event. A faithful log replays byte for byte, hashes
// included (invariant 4): what it derived is exactly what its rules derive.
//
//   KEEL_ASSIGN_OR_RETURN(auto target, EventLog::Open(fresh_dir, create));
//   KEEL_ASSIGN_OR_RETURN(ReplayResult result, rules::Replay(*source, *target, {}));
//   if (!result.identical) ... result.first_divergence->seq ...
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/audit/log_compare.h"
#include "engine/log/event_log.h"
#include "engine/log/projection.h"
#include "engine/status.h"

namespace keel::rules {

struct ReplayOptions {
  // Replay the events up to this point of the source log (a seq, or the
  // last event before the first input event whose time is later).
  AsOf to;
  // Called now and then with (source events read, source events in all).
  std::function<void(uint64_t, uint64_t)> progress;
};

// Where the replay parts from the log: `expected` is what the log holds
// there, `found` what the replay produced (engine/audit/log_compare.h).
using Divergence = LogDivergence;

struct ReplayResult {
  bool identical = false;
  uint64_t events = 0;  // events compared (the source's, up to `to`)
  std::optional<Divergence> first_divergence;
  bool entities_compared = false;  // whole log replayed: projections compared too
};

// Replays `source` into `target`, which must be empty and writable.
Result<ReplayResult> Replay(const EventLog& source, EventLog& target, const ReplayOptions& options);

}  // namespace keel::rules
