// roll_up: a key result's progress from its tasks, a goal's from its key
// results (rules/README.md has the exact definition).
//
// Members are found by reading every entity of the member kind in the
// workspace: correct, including the batch's own changes, and linear in the
// workspace's size. A reverse index (target -> members) would make it
// constant; it is not built yet.
#include <algorithm>
#include <cmath>

#include "rules/react/action_eval.h"

namespace keel::rules {
namespace {

using nlohmann::json;

bool IsMember(const EntityState& state, const RollUp& roll_up, const std::string& target) {
  if (state.Get("archived") == "true") return false;
  if (roll_up.relation == "parent") return state.GetString("parent") == target;
  std::string_view links = state.Get("links");
  if (links.find(target) == std::string_view::npos) return false;  // the common case, without parsing
  json parsed = json::parse(links, nullptr, false);
  if (!parsed.is_array()) return false;
  for (const json& link : parsed) {
    if (link.value("relation", "") == roll_up.relation && link.value("target", "") == target) return true;
  }
  return false;
}

double NumberOr(std::string_view raw, double otherwise) {
  if (raw.empty()) return otherwise;
  json value = json::parse(raw, nullptr, false);
  return value.is_number() ? value.get<double>() : otherwise;
}

// Two decimals: progress is shown to people, and 100/3 should read 33.33.
double Round2(double value) { return std::round(value * 100.0) / 100.0; }

// The roll-up into one target, written under `path` (unique per target).
Status RollUpInto(const Action& action, const RollUp& roll_up, const ActionScope& scope, const EntityRef& target,
                  std::string path, std::vector<DerivedEventRequest>* out) {
  bool from_tasks = roll_up.from == RollUp::Source::kTasks;
  // Tasks roll up into key results, key results into goals; a task whose
  // parent is an initiative or another task has nothing to roll up into.
  if (target.kind != (from_tasks ? "key_result" : "goal")) return Status::OK();

  const std::string target_text = target.ToString();
  size_t members = 0, done = 0;
  double weighted = 0, weights = 0;
  KEEL_RETURN_IF_ERROR(scope.state.ForEachEntity(
      scope.event.workspace, from_tasks ? "task" : "key_result", [&](std::string_view, const EntityState& state) {
        if (!IsMember(state, roll_up, target_text)) return true;
        ++members;
        if (from_tasks) {
          std::string status = state.GetString("status");
          for (const std::string& d : roll_up.done_statuses) done += status == d ? 1 : 0;
        } else {
          double weight = roll_up.weight_field.empty() ? 1.0 : NumberOr(state.Get(roll_up.weight_field), 1.0);
          weighted += weight * NumberOr(state.Get("progress"), 0.0);
          weights += weight;
        }
        return true;
      }));
  double value = 0;
  if (from_tasks && members > 0) value = 100.0 * static_cast<double>(done) / static_cast<double>(members);
  if (!from_tasks && weights > 0) value = weighted / weights;
  value = Round2(value);

  KEEL_ASSIGN_OR_RETURN(json state, StateOf(target, scope));
  json change = {{"to", value}};
  if (state.is_object() && state.contains(roll_up.field)) {
    const json& current = state[roll_up.field];
    if (current.is_number() && current.get<double>() == value) return Status::OK();
    change["from"] = current;
  }
  json data = {{"changes", {{roll_up.field, change}}}};
  out->push_back({scope.rule.id, std::move(path), target.kind + ".updated", target_text, data.dump(), {}});
  return Status::OK();
}

// `to: linked`: the targets are the entity's links with the roll-up's relation,
// each once, in the order they were linked.
Status RollUpIntoLinked(const Action& action, const RollUp& roll_up, const ActionScope& scope,
                        std::vector<DerivedEventRequest>* out) {
  if (!scope.entity.is_object() || !scope.entity.contains("links") || !scope.entity["links"].is_array()) {
    return Status::OK();
  }
  std::vector<std::string> seen;
  for (const json& link : scope.entity["links"]) {
    if (!link.is_object() || link.value("relation", "") != roll_up.relation) continue;
    std::string text = link.value("target", "");
    EntityRef target;
    if (!ParseEntityRef(text, &target) || std::find(seen.begin(), seen.end(), text) != seen.end()) continue;
    seen.push_back(text);
    // The target in the path keeps the derived ids of the targets apart.
    KEEL_RETURN_IF_ERROR(RollUpInto(action, roll_up, scope, target, action.path + "/" + text, out));
  }
  return Status::OK();
}

}  // namespace

Status EvaluateRollUp(const Action& action, const RollUp& roll_up, const ActionScope& scope,
                      std::vector<DerivedEventRequest>* out) {
  if (roll_up.to_linked) return RollUpIntoLinked(action, roll_up, scope, out);
  if (roll_up.to_parent && !(scope.entity.is_object() && scope.entity.contains("parent") &&
                             scope.entity["parent"].is_string())) {
    return Status::OK();  // no parent: nothing to roll up to
  }
  KEEL_ASSIGN_OR_RETURN(json to, roll_up.to.Evaluate(scope.activation));
  if (to.is_null()) return Status::OK();
  EntityRef target;
  if (!to.is_string() || !ParseEntityRef(to.get<std::string>(), &target)) {
    return Status::InvalidArgument("roll_up.to: expected KIND/ID, got " + to.dump());
  }
  return RollUpInto(action, roll_up, scope, target, action.path, out);
}

}  // namespace keel::rules
