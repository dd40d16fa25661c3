// What if a candidate rule set had been active? Its rules run over the
// recorded input events, in a scratch log, never the recorded one; the
// derived events they produce are compared with those the log holds.
// Derived ids depend only on the trigger, the rule id and the action's path,
// so the same automation has the same id in both: it is added, removed, or
// changed (same id, other content; the rule-set hash is not compared).
// Timers run on the event clock: the candidate is activated where the log
// begins, its timers fire among the inputs and on to `to_micros` (by
// default to the time of the recorded log's latest event, where its own
// clock is known to have been), and the recorded timer.fired events are not
// inputs but effects compared like derived ones (rules/README.md, "What
// if"). The candidate runs under the cascade limits recorded with the log's
// active rule set.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/log/event_log.h"
#include "engine/status.h"
#include "rules/ruleset.h"

namespace keel::rules {

struct WhatIfOptions {
  std::optional<int64_t> from_micros;  // derived events whose time is in [from, to] are compared
  std::optional<int64_t> to_micros;    // input events after `to` are not run; timers fire up to it
  std::function<void(uint64_t, uint64_t)> progress;
};

struct EffectDifference {
  std::string change;  // "added", "removed" or "changed"
  std::string rule;
  std::string id;       // the derived event's id
  std::string type;
  std::string subject;
  std::string trigger;  // its causation id
  std::string recorded;   // canonical event without rulesethash; empty when added
  std::string candidate;  // the same for the candidate; empty when removed
};

struct RuleCounts {
  uint64_t added = 0, removed = 0, changed = 0;
};

struct WhatIfResult {
  uint64_t inputs = 0;  // input events run
  uint64_t added = 0, removed = 0, changed = 0, unchanged = 0;
  std::map<std::string, RuleCounts> by_rule;
  std::vector<EffectDifference> details;  // by rule, then id
};

// Runs `candidate` over the input events of `recorded` in a fresh log under
// `scratch_dir` (removed by the caller).
Result<WhatIfResult> WhatIf(const EventLog& recorded, const RuleSet& candidate, const std::filesystem::path& scratch_dir,
                            const WhatIfOptions& options);

}  // namespace keel::rules
