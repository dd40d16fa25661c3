// RuleStats: how often each rule fired and failed in each workspace of a log,
// and the log's rule-set activations, kept incrementally: each call counts
// only the events appended since the last one, so the API's rules page
// answers in constant time on a log of millions of events (after the first
// call, which counts the whole log once).
//
// Thread safety: safe for concurrent use; one call counts at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log/event_log.h"
#include "engine/mutex.h"
#include "engine/status.h"
#include "rules/ruleset.h"

namespace keel::api {

struct RuleFiring {
  uint64_t seq = 0;  // of the latest event the firing derived
  std::string time;
  std::string event_id;
};

struct RuleCount {
  // Firings that derived at least one event: derived events with the rule's
  // `ruleid`, one per trigger (a firing that creates four tasks counts once).
  uint64_t fired = 0;
  uint64_t failed = 0;  // rule.failed events naming the rule
  std::optional<RuleFiring> last_fired;
};

struct RuleSetActivated {
  uint64_t seq = 0;
  std::string time;
  std::string hash;
  std::vector<std::string> rules;  // their ids
};

struct RuleStatsSnapshot {
  std::map<std::string, RuleCount> rules;    // of one workspace, by rule id
  std::vector<RuleSetActivated> activations;  // of the whole log, oldest first
};

class RuleStats {
 public:
  // Counts what `log` appended since the last call about it, then answers for
  // `workspace`. Logs are told apart by address; another log at the same
  // address (the event last counted is not there, or has another hash) is
  // counted from the start.
  Result<RuleStatsSnapshot> Of(const EventLog& log, std::string_view workspace);

  // The rule set stored under `hash`, loaded once and kept.
  Result<std::shared_ptr<const rules::RuleSet>> StoredRuleSet(const EventLog& log, const std::string& hash);

 private:
  struct WorkspaceCounts {
    std::map<std::string, RuleCount> rules;
    std::map<std::string, std::string> last_trigger;  // rule id -> causation id of its latest firing
  };
  struct LogCounts {
    uint64_t counted_to = 0;  // every event up to this seq is counted
    Hash counted_hash{};      // the hash of that event
    std::map<std::string, WorkspaceCounts, std::less<>> workspaces;
    std::vector<RuleSetActivated> activations;
  };

  static Status CountNewEvents(const EventLog& log, LogCounts* counts);

  Mutex mu_;
  std::map<const EventLog*, LogCounts> logs_ GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<const rules::RuleSet>> sets_ GUARDED_BY(mu_);
};

}  // namespace keel::api
