#include "server/api/rule_stats.h"

#include <nlohmann/json.hpp>

#include "engine/canonical_json.h"
#include "rules/react/ruleset_store.h"

namespace keel::api {
namespace {

constexpr std::string_view kRuleFailed = "rule.failed";
constexpr std::string_view kRuleSetActivated = "ruleset.activated";

std::string StringMember(std::string_view object, std::string_view key) {
  std::string_view raw = FindCanonicalMember(object, key);
  return IsJsonString(raw) ? DecodeJsonString(raw) : std::string();
}

RuleSetActivated ActivationOf(uint64_t seq, std::string_view event) {
  RuleSetActivated activation;
  activation.seq = seq;
  activation.time = StringMember(event, "time");
  std::string_view data = FindCanonicalMember(event, "data");
  activation.hash = StringMember(data, "hash");
  nlohmann::json ids = nlohmann::json::parse(FindCanonicalMember(data, "rules"), nullptr, false);
  if (ids.is_array()) {
    for (const auto& id : ids) {
      if (id.is_string()) activation.rules.push_back(id.get<std::string>());
    }
  }
  return activation;
}

}  // namespace

Status RuleStats::CountNewEvents(const EventLog& log, LogCounts* counts) {
  LogHead head = log.Head();
  if (counts->counted_to > 0) {
    Result<StoredEvent> last = log.Read(counts->counted_to);
    if (!last.ok() || last->hash != counts->counted_hash) *counts = LogCounts();
  }
  if (head.seq == counts->counted_to) return Status::OK();
  // Only a few members of each event are read, straight from its canonical
  // text: no event is decoded.
  KEEL_RETURN_IF_ERROR(log.ScanCanonical(counts->counted_to + 1, head.seq, [&](uint64_t seq, std::string_view event) {
    counts->counted_to = seq;
    std::string type = StringMember(event, "type");
    if (type == kRuleSetActivated) {
      counts->activations.push_back(ActivationOf(seq, event));
      return true;
    }
    std::string rule_id = StringMember(event, "ruleid");
    if (type == kRuleFailed) rule_id = StringMember(FindCanonicalMember(event, "data"), "rule");
    if (rule_id.empty()) return true;
    WorkspaceCounts& workspace = counts->workspaces[StringMember(event, "workspace")];
    RuleCount& count = workspace.rules[rule_id];
    if (type == kRuleFailed) {
      ++count.failed;
      return true;
    }
    if (type == "rule.halted") return true;  // a cascade stopped: neither a firing nor a failure
    std::string trigger = StringMember(event, "causationid");
    std::string& last_trigger = workspace.last_trigger[rule_id];
    if (count.fired == 0 || trigger != last_trigger) {
      ++count.fired;
      last_trigger = std::move(trigger);
    }
    count.last_fired = RuleFiring{seq, StringMember(event, "time"), StringMember(event, "id")};
    return true;
  }));
  counts->counted_to = head.seq;
  counts->counted_hash = head.hash;
  return Status::OK();
}

Result<RuleStatsSnapshot> RuleStats::Of(const EventLog& log, std::string_view workspace) {
  MutexLock lock(&mu_);
  LogCounts& counts = logs_[&log];
  Status counted = CountNewEvents(log, &counts);
  if (!counted.ok()) {
    counts = LogCounts();  // half counted: start again next time
    return counted;
  }
  RuleStatsSnapshot snapshot;
  if (auto it = counts.workspaces.find(workspace); it != counts.workspaces.end()) snapshot.rules = it->second.rules;
  snapshot.activations = counts.activations;
  return snapshot;
}

Result<std::shared_ptr<const rules::RuleSet>> RuleStats::StoredRuleSet(const EventLog& log, const std::string& hash) {
  MutexLock lock(&mu_);
  if (auto it = sets_.find(hash); it != sets_.end()) return it->second;
  KEEL_ASSIGN_OR_RETURN(rules::RuleSet set, rules::LoadStoredRuleSet(log, hash));
  auto shared = std::make_shared<const rules::RuleSet>(std::move(set));
  sets_.emplace(hash, shared);
  return shared;
}

}  // namespace keel::api
