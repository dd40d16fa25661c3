// The rule set of `keel serve` in every partition log: each log gets a
// reactor of its own (a reactor binds each event into its own activation,
// and partitions are appended on several threads at once), and the set is
// activated in each log at the time of the first event it sees there.
#pragma once

#include <map>
#include <string>

#include "connectors/kafka/kafka_partition.h"
#include "engine/log/event_log.h"
#include "engine/mutex.h"
#include "engine/schema/schema_registry.h"
#include "engine/schema/time_window.h"
#include "rules/ruleset.h"

namespace keel::server {

class PartitionRules {
 public:
  // `set` and `schemas` must outlive it; `limits` are the partition logs'
  // (serve.yaml's max_depth); an event outside `window` never activates the
  // set (it is dead-lettered for its time).
  PartitionRules(const rules::RuleSet& set, const SchemaRegistry* schemas, const CascadeLimits& limits,
                 TimeWindow window);

  // The hooks the partitions call; they refer to this object.
  PartitionHooks Hooks();

 private:
  Status Opened(EventLog& log);
  Status Activate(EventLog& log, const std::string& time);
  bool IsActive(const EventLog& log);
  void SetActive(const EventLog& log, bool active);

  const rules::RuleSet& set_;
  const SchemaRegistry* schemas_;
  const CascadeLimits limits_;
  const TimeWindow window_;
  Mutex mu_;  // partitions call the hooks from several threads
  std::map<const EventLog*, bool> active_ GUARDED_BY(mu_);  // by open log; set again whenever a log opens
};

}  // namespace keel::server
