#include "server/api/rules_query.h"

#include "rules/rule_lines.h"

namespace keel::api {
namespace {

using nlohmann::json;

json RuleJson(const rules::RuleSet& set, const rules::Rule& rule, const RuleCount& count) {
  std::optional<rules::RuleLines> lines = rules::LinesOfRule(set, rule);
  json last = nullptr;
  if (count.last_fired) {
    last = {{"seq", count.last_fired->seq}, {"time", count.last_fired->time}, {"event_id", count.last_fired->event_id}};
  }
  return {{"id", rule.id},
          {"description", rule.description},
          {"on", rule.on.empty() ? rule.event_types : rule.on},
          {"source", lines ? lines->text : std::string()},
          {"fired", count.fired},
          {"failed", count.failed},
          {"last_fired", std::move(last)}};
}

}  // namespace

Result<json> RulesOf(const EventLog& log, std::string_view workspace, RuleStats& stats) {
  KEEL_ASSIGN_OR_RETURN(RuleStatsSnapshot snapshot, stats.Of(log, workspace));
  KEEL_ASSIGN_OR_RETURN(std::optional<std::string> active, log.ActiveRuleSet());
  json out = {{"ruleset", nullptr}, {"rules", json::array()}};
  if (!active) return out;
  // The latest activation of the active set (a set activated again after
  // another counts from its last activation).
  for (auto it = snapshot.activations.rbegin(); it != snapshot.activations.rend(); ++it) {
    if (it->hash != *active) continue;
    out["ruleset"] = {{"hash", *active}, {"activated_seq", it->seq}, {"activated_time", it->time}};
    break;
  }
  if (out["ruleset"].is_null()) out["ruleset"] = {{"hash", *active}, {"activated_seq", 0}, {"activated_time", ""}};
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<const rules::RuleSet> set, stats.StoredRuleSet(log, *active));
  static const RuleCount kNever;
  for (const rules::Rule& rule : set->rules()) {
    if (!rule.AppliesTo(workspace)) continue;
    auto count = snapshot.rules.find(rule.id);
    out["rules"].push_back(RuleJson(*set, rule, count == snapshot.rules.end() ? kNever : count->second));
  }
  return out;
}

Result<json> RuleSetsOf(const EventLog& log, RuleStats& stats) {
  KEEL_ASSIGN_OR_RETURN(RuleStatsSnapshot snapshot, stats.Of(log, kSystemWorkspace));
  json activations = json::array();
  for (const RuleSetActivated& a : snapshot.activations) {
    activations.push_back({{"seq", a.seq}, {"time", a.time}, {"hash", a.hash}, {"rules", a.rules}});
  }
  return json{{"activations", std::move(activations)}};
}

}  // namespace keel::api
