#include "rules/load/edge_guards.h"

#include <algorithm>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/log/timer_rearm.h"

namespace keel::rules {
namespace {

using nlohmann::json;

// The members of the event data an action fixes at load, in the event's
// shape; members computed from the trigger are left out (unknown).
json KnownData(const Action& action) {
  json known = json::object();
  auto put = [&](json* at, const char* key, const ValueTemplate& value) {
    if (value.constant()) (*at)[key] = *value.constant();
  };
  switch (action.kind) {
    case ActionKind::kSetStatus: put(&known, "to", std::get<SetStatus>(action.spec).to); break;
    case ActionKind::kAssign: put(&known, "to", std::get<Assign>(action.spec).to); break;
    case ActionKind::kSetField: {
      const auto& set = std::get<SetField>(action.spec);
      json change = json::object();
      put(&change, "to", set.value);
      known["changes"][set.field] = change;
      break;
    }
    case ActionKind::kLink: {
      const auto& link = std::get<Link>(action.spec);
      put(&known, "relation", link.relation);
      put(&known, "target", link.target);
      break;
    }
    case ActionKind::kEmit: known = std::get<Emit>(action.spec).data.ConstantMembers(); break;
    default: break;
  }
  return known;
}

// What the action's event is known to hold at `path` (event.type, event.data...).
std::optional<json> KnownAt(const std::vector<std::string>& path, std::string_view type, const json& data) {
  if (path.size() == 2 && path[0] == "event" && path[1] == "type") return json(type);
  if (path.size() < 3 || path[0] != "event" || path[1] != "data") return std::nullopt;
  const json* at = &data;
  for (size_t i = 2; i < path.size(); ++i) {
    if (!at->is_object() || !at->contains(path[i])) return std::nullopt;
    at = &(*at)[path[i]];
  }
  return *at;
}

// A schedule's constant name that is not the name `to` listens for.
bool TimerNameDiffers(const Action& action, std::string_view type, const Rule& to) {
  if (type != "timer.fired" || action.kind != ActionKind::kSchedule || !to.time) return false;
  const std::optional<json>& name = std::get<Schedule>(action.spec).name.constant();
  return name && name->is_string() && name->get<std::string>() != TimeTimerName(to);
}

// `schedule` with a constant `after` of at least the engine's re-arm delay
// (kMinTimerRearmDelayMicros): such a timer fires in a later pass, and a
// shorter one armed as a timer fires is refused.
bool FiresStrictlyLater(const Action& action) {
  if (action.kind != ActionKind::kSchedule) return false;
  const OptionalValue& after = std::get<Schedule>(action.spec).after;
  if (!after || !after->constant() || !after->constant()->is_string()) return false;
  static const cel::Program long_enough = [] {
    cel::CompileOptions options;
    options.variables = {{"after", cel::Kind::kString}};
    return *cel::Compile("duration(after) >= duration('" + std::to_string(kMinTimerRearmDelayMicros / 1'000'000) +
                             "s')",
                         options);
  }();
  cel::Activation activation;
  activation.Bind("after", cel::Value::String(after->constant()->get<std::string>()));
  Result<cel::Value> result = long_enough.Evaluate(activation);
  return result.ok() && result->kind() == cel::Kind::kBool && result->AsBool();
}

bool ActionCanMeetGuards(const Action& action, std::string_view type, const Rule& to) {
  if (!std::binary_search(action.emits.begin(), action.emits.end(), type)) return false;
  if (TimerNameDiffers(action, type, to)) return false;
  if (!to.condition) return true;
  json data = KnownData(action);
  for (const cel::EqualityGuard& guard : to.condition->guards()) {
    std::optional<json> known = KnownAt(guard.path, type, data);
    if (known && !cel::FromJson(*known).Equals(guard.value)) return false;
  }
  return true;
}

}  // namespace

bool CanTrigger(const Rule& from, std::string_view type, const Rule& to) {
  return std::any_of(from.actions.begin(), from.actions.end(),
                     [&](const Action& action) { return ActionCanMeetGuards(action, type, to); });
}

bool TriggersOnlyLater(const Rule& from, std::string_view type, const Rule& to) {
  if (type != "timer.fired") return false;
  return std::none_of(from.actions.begin(), from.actions.end(), [&](const Action& action) {
    return ActionCanMeetGuards(action, type, to) && !FiresStrictlyLater(action);
  });
}

}  // namespace keel::rules
