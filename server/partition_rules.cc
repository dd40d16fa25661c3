#include "server/partition_rules.h"

#include "engine/json_time.h"
#include "rules/react/attach_rule_set.h"
#include "rules/react/ruleset_store.h"

namespace keel::server {

PartitionRules::PartitionRules(const rules::RuleSet& set, const SchemaRegistry* schemas,
                               const CascadeLimits& limits, TimeWindow window)
    : set_(set), schemas_(schemas), limits_(limits), window_(window) {}

PartitionHooks PartitionRules::Hooks() {
  PartitionHooks hooks;
  hooks.opened = [this](EventLog& log) { return Opened(log); };
  hooks.before_group = [this](EventLog& log, std::span<const IngestItem> items) -> Status {
    if (IsActive(log)) return Status::OK();
    std::optional<std::string> time = rules::FirstEventTime(items, window_);
    if (!time) return Status::OK();
    return Activate(log, *time);
  };
  // A timer that fell due before any input came (after a restart, say) is
  // the first event the set applies to: it takes effect at its time.
  hooks.before_timers = [this](EventLog& log, int64_t first_due_micros) -> Status {
    if (IsActive(log)) return Status::OK();
    std::optional<std::string> time = FormatRfc3339Micros(first_due_micros);
    if (!time) return Status::InvalidArgument("a timer is due outside the years 0000 to 9999");
    return Activate(log, *time);
  };
  return hooks;
}

Status PartitionRules::Opened(EventLog& log) {
  rules::AttachRuleSet(log, set_, schemas_);
  KEEL_ASSIGN_OR_RETURN(std::optional<std::string> active, log.ActiveRuleSet());
  // Active under other limits (max_depth changed): activated again, so the
  // log records the limits it runs under from here on.
  KEEL_ASSIGN_OR_RETURN(CascadeLimits recorded, log.ActiveRuleSetLimits());
  SetActive(log, active && *active == set_.hash() && recorded == limits_);
  return Status::OK();
}

Status PartitionRules::Activate(EventLog& log, const std::string& time) {
  KEEL_RETURN_IF_ERROR(rules::ActivateRuleSet(log, set_, time).status());
  SetActive(log, true);
  return Status::OK();
}

bool PartitionRules::IsActive(const EventLog& log) {
  MutexLock lock(&mu_);
  auto it = active_.find(&log);
  return it != active_.end() && it->second;
}

void PartitionRules::SetActive(const EventLog& log, bool active) {
  MutexLock lock(&mu_);
  active_[&log] = active;
}

}  // namespace keel::server
