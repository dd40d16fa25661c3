#include "rules/react/rule_reactor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "engine/canonical_json.h"
#include "rules/react/action_eval.h"
#include "rules/react/entity_source.h"
#include "rules/react/time_reactions.h"

namespace keel::rules {
namespace {

using nlohmann::json;

json StateJson(const EntityState* state) {
  return state == nullptr ? json(nullptr) : json::parse(state->ToCanonical());
}

Result<cel::Value> StateValue(const EntityState* state) {
  if (state == nullptr || state->empty()) return cel::Value::Null();
  return cel::FromJsonText(state->ToCanonical());
}

}  // namespace

cel::Value EventTime(const Event& event) {
  int64_t seconds = event.time_micros / 1000000;
  int64_t micros = event.time_micros % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --seconds;
  }
  Result<cel::Value> time = cel::Value::Timestamp(seconds, static_cast<int32_t>(micros * 1000));
  return time.ok() ? *time : cel::Value::Null();
}

cel::Value EventValue(const Event& event, const cel::Value& time) {
  Result<cel::Value> value =
      time.kind() == cel::Kind::kTimestamp ? cel::FromJsonText(event.canonical, "time", &time) : cel::FromJsonText(event.canonical);
  return value.ok() ? *value : cel::Value::Null();  // not OK cannot happen: the engine validated the event
}

namespace {

// The decoded text of an envelope attribute the event always has (the
// schemas require each, non-empty), or nullptr for any other member: it need
// not be found in the canonical bytes and decoded again.
const std::string* EnvelopeString(const Event& event, std::string_view name) {
  if (name == "id") return &event.id;
  if (name == "actor") return &event.actor;
  if (name == "type") return &event.type;
  if (name == "subject") return &event.subject;
  if (name == "workspace") return &event.workspace;
  return nullptr;
}

// What a rule's condition and templates see of one event, bound as needed:
// the event always, the states (entity, before, parent) only when an
// evaluation reaches them (or an action reads the entity as JSON), since
// reading them costs lookups: `event.actor.startsWith("x") && entity.status
// == "y"` reads no state for the events of other actors, nor does a rule that
// fires to add a comment that names only the event.
class Bindings final : public cel::LateBinder {
 public:
  // `activation` is the reactor's, reused from event to event: binding the
  // same five names again replaces values in place, without allocating.
  Bindings(const ReactionInput& input, StateReader& state, cel::Activation& activation)
      : activation(activation), input_(input), state_(state) {
    activation.SetLateBinder(this);
  }
  ~Bindings() override { activation.SetLateBinder(nullptr); }
  Bindings(const Bindings&) = delete;
  Bindings& operator=(const Bindings&) = delete;

  // A condition read a state variable: bind the states. A failure to read
  // them is the storage's, not the rule's: the condition sees them unbound,
  // and React returns the failure instead of recording a rule failure.
  void BindOnFirstRead(std::string_view name) override {
    if (state_bound_ || !IsStateVariable(name)) return;
    Status bound = BindState();
    if (!bound.ok() && late_failure_.ok()) late_failure_ = std::move(bound);
  }
  const Status& late_failure() const { return late_failure_; }

  // Binds the whole event (and workspace and now) on first use: most events
  // match no rule, and converting a whole event to CEL values costs more than
  // finding that out from its bytes (see ResolveInEvent).
  void BindEvent() {
    if (event_binding_ == EventBinding::kWhole) return;
    bool context_bound = event_binding_ == EventBinding::kMembers;  // by BindEventMembers, already
    event_binding_ = EventBinding::kWhole;
    cel::Value time = EventTime(input_.event);
    activation.Bind("event", EventValue(input_.event, time));
    if (!context_bound) BindContext(time);
  }

  // Binds, as `event`, a map of only `members` (sorted, no repeats): all the
  // conditions about to run can read of it (cel::Program::SelectedMembers).
  // Most conditions read two or three members, and converting those from
  // the canonical bytes costs a fraction of the whole event. Actions may
  // read anything: BindEvent rebinds the whole event before they run.
  void BindEventMembers(std::span<const std::string_view> members) {
    if (event_binding_ != EventBinding::kNone) return;
    event_binding_ = EventBinding::kMembers;
    const Event& event = input_.event;
    cel::Value time = EventTime(event);
    std::vector<cel::MapEntry> entries;
    entries.reserve(members.size());
    for (std::string_view name : members) {
      if (name == "time" && time.kind() == cel::Kind::kTimestamp) {
        entries.emplace_back(cel::Value::String(name), time);
        continue;
      }
      if (const std::string* field = EnvelopeString(event, name)) {
        entries.emplace_back(cel::Value::String(name), cel::Value::String(*field));
        continue;
      }
      std::string_view text = name == "data" ? event.data() : FindCanonicalMember(event.canonical, name);
      if (text.empty()) continue;  // absent: the whole event would not have it either
      Result<cel::Value> value = cel::FromJsonText(text);
      entries.emplace_back(cel::Value::String(name), value.ok() ? *value : cel::Value::Null());
    }
    Result<cel::Value> map = cel::Value::Map(std::move(entries));
    activation.Bind("event", map.ok() ? *map : cel::Value::Null());  // keys are distinct names: cannot fail
    BindContext(time);
  }

  Status BindState() {
    if (state_bound_) return Status::OK();
    state_bound_ = true;
    const Event& event = input_.event;
    after_ = input_.after;
    const EntityState* before = input_.before;
    if (after_ == nullptr && IsEntityKind(event.entity.kind)) {
      // comment.added and friends change no state: entity and before are the
      // subject as it stands.
      KEEL_ASSIGN_OR_RETURN(current_, state_.Get(event.workspace, event.entity));
      if (current_) after_ = &*current_;
      if (before == nullptr) before = after_;
    }
    KEEL_ASSIGN_OR_RETURN(cel::Value entity_value, StateValue(after_));
    KEEL_ASSIGN_OR_RETURN(cel::Value before_value, StateValue(before));
    cel::Value parent = cel::Value::Null();
    EntityRef parent_ref;
    if (after_ != nullptr && ParseEntityRef(after_->GetString("parent"), &parent_ref) &&
        IsEntityKind(parent_ref.kind)) {
      KEEL_ASSIGN_OR_RETURN(std::optional<EntityState> parent_state, state_.Get(event.workspace, parent_ref));
      if (parent_state) {
        KEEL_ASSIGN_OR_RETURN(parent, StateValue(&*parent_state));
      }
    }
    activation.Bind("entity", std::move(entity_value));
    activation.Bind("before", std::move(before_value));
    activation.Bind("parent", std::move(parent));
    return Status::OK();
  }

  // The entity as JSON, for the actions that read it (roles, roll-ups);
  // parsed on first use. REQUIRES: BindState ran.
  const json& EntityJson() {
    if (!entity_json_) entity_json_ = StateJson(after_);
    return *entity_json_;
  }

  // The value at `path` (variable, field, field...), or nullptr when a step
  // is not a map or lacks the field.
  Result<const cel::Value*> Resolve(const std::vector<std::string>& path) {
    if (path.front() == "entity" || path.front() == "before" || path.front() == "parent") {
      KEEL_RETURN_IF_ERROR(BindState());
    }
    if (path.front() == "event") return ResolveInEvent(path);
    BindEvent();
    const cel::Value* value = activation.Find(path.front());
    for (size_t i = 1; value != nullptr && i < path.size(); ++i) {
      value = value->kind() == cel::Kind::kMap ? value->MapFind(path[i]) : nullptr;
    }
    return value;
  }

  cel::Activation& activation;

 private:
  enum class EventBinding { kNone, kMembers, kWhole };

  static bool IsStateVariable(std::string_view name) {
    return name == "entity" || name == "before" || name == "parent";
  }

  void BindContext(const cel::Value& time) {
    activation.Bind("workspace", cel::Value::String(input_.event.workspace));
    if (time.kind() == cel::Kind::kTimestamp) activation.SetNow(time);
    // Unbound until BindState: a condition that reads them has them bound
    // late (BindOnFirstRead); the previous event's values must not show.
    if (!state_bound_) {
      for (const char* name : {"entity", "before", "parent"}) activation.Unbind(name);
    }
  }

  // An `event.` path before the event is bound: the member is found in the
  // canonical bytes and only it is converted, the same way the whole event
  // would have been. `event.time` is a timestamp, not its text: bind for it.
  Result<const cel::Value*> ResolveInEvent(const std::vector<std::string>& path) {
    if (event_binding_ != EventBinding::kWhole && (path.size() < 2 || path[1] != "time")) {
      std::string_view text = input_.event.canonical;
      for (size_t i = 1; i < path.size(); ++i) {
        if (text.empty() || text.front() != '{') return nullptr;
        text = FindCanonicalMember(text, path[i]);
        if (text.empty()) return nullptr;
      }
      KEEL_ASSIGN_OR_RETURN(member_, cel::FromJsonText(text));
      return &member_;
    }
    BindEvent();
    const cel::Value* value = activation.Find("event");
    for (size_t i = 1; value != nullptr && i < path.size(); ++i) {
      value = value->kind() == cel::Kind::kMap ? value->MapFind(path[i]) : nullptr;
    }
    return value;
  }

  const ReactionInput& input_;
  StateReader& state_;
  bool state_bound_ = false;
  EventBinding event_binding_ = EventBinding::kNone;
  cel::Value member_;  // what ResolveInEvent found
  std::optional<EntityState> current_;  // the subject's state when the event changed none
  const EntityState* after_ = nullptr;
  std::optional<json> entity_json_;
  Status late_failure_;
};

// The members of the event the conditions of `rules` can read, into
// `members` (sorted, no repeats); false when one needs the whole event: it
// reads `event` other than by member, or has no condition (it fires, and its
// actions may read anything).
bool EventMembersRead(const std::vector<const Rule*>& rules, std::vector<std::string_view>* members) {
  members->clear();
  for (const Rule* rule : rules) {
    if (!rule->condition) return false;
    std::optional<std::span<const std::string>> read = rule->condition->SelectedMembers("event");
    if (!read) return false;
    members->insert(members->end(), read->begin(), read->end());
  }
  std::sort(members->begin(), members->end());
  members->erase(std::unique(members->begin(), members->end()), members->end());
  return true;
}

std::string JoinedPath(const std::vector<std::string>& path) {
  std::string out;
  for (const std::string& step : path) out += (out.empty() ? "" : ".") + step;
  return out;
}

// Lends the activation the event's workspace for lookup() and entities()
// during one React call, so no pointer to it outlives the call.
class EntitySourceScope {
 public:
  EntitySourceScope(cel::Activation& activation, const cel::EntitySource* source) : activation_(activation) {
    activation_.SetEntitySource(source);
  }
  ~EntitySourceScope() { activation_.SetEntitySource(nullptr); }

 private:
  cel::Activation& activation_;
};

std::string Place(const Rule& rule, int line, int col) {
  return rule.file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

}  // namespace

std::optional<std::string> GuardKey(const cel::Value& value) {
  switch (value.kind()) {
    case cel::Kind::kString:
      return "s" + std::string(value.AsString());
    case cel::Kind::kBool:
      return value.AsBool() ? "b1" : "b0";
    case cel::Kind::kInt:
      return "n" + std::to_string(value.AsInt());
    case cel::Kind::kUint:
      return "n" + std::to_string(value.AsUint());
    case cel::Kind::kDouble: {
      double d = value.AsDouble();
      if (d != d) return std::nullopt;  // NaN equals nothing
      if (d == std::trunc(d) && d >= -9.2e18 && d <= 1.8e19) {
        return d < 0 ? "n" + std::to_string(static_cast<int64_t>(d)) : "n" + std::to_string(static_cast<uint64_t>(d));
      }
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), "d%.17g", d);
      return std::string(buffer);
    }
    default:
      return std::nullopt;
  }
}

RuleReactor::RuleReactor(RuleSet rules) : rules_(std::move(rules)) { BuildIndex(); }

void RuleReactor::BuildIndex() {
  for (const std::string& type : rules_.event_types()) {
    std::span<const Rule* const> candidates = rules_.Candidates(type);
    if (candidates.empty()) continue;
    TypeIndex& index = index_[type];
    index.rules.assign(candidates.begin(), candidates.end());
    // The path most of the type's rules guard on.
    std::map<std::string, std::pair<size_t, std::vector<std::string>>> counts;
    for (const Rule* rule : index.rules) {
      if (!rule->condition) continue;
      std::set<std::string> seen;
      for (const cel::EqualityGuard& guard : rule->condition->guards()) {
        std::string joined = JoinedPath(guard.path);
        if (!seen.insert(joined).second) continue;
        auto& entry = counts[joined];
        ++entry.first;
        entry.second = guard.path;
      }
    }
    // Most rules wins; on a tie, a path in `event`, which resolves without
    // reading any entity state.
    size_t best = 0;
    for (const auto& [joined, entry] : counts) {
      size_t score = 2 * entry.first + (entry.second.front() == "event" ? 1 : 0);
      if (score > best) {
        best = score;
        index.guard_path = entry.second;
      }
    }
    for (size_t i = 0; i < index.rules.size(); ++i) {
      std::optional<std::string> key;
      if (!index.guard_path.empty() && index.rules[i]->condition) {
        for (const cel::EqualityGuard& guard : index.rules[i]->condition->guards()) {
          if (guard.path == index.guard_path) {
            key = GuardKey(guard.value);
            break;
          }
        }
      }
      if (key) {
        index.guarded[*key].push_back(i);
      } else {
        index.unguarded.push_back(i);
      }
    }
  }
}

void RuleReactor::Select(const TypeIndex& index, const cel::Value* value, std::vector<const Rule*>* out) const {
  out->clear();
  if (index.guard_path.empty() || value == nullptr) {
    out->assign(index.rules.begin(), index.rules.end());
    return;
  }
  static const std::vector<size_t> kNone;
  const std::vector<size_t>* guarded = &kNone;
  if (std::optional<std::string> key = GuardKey(*value)) {
    if (auto it = index.guarded.find(*key); it != index.guarded.end()) guarded = &it->second;
  }
  // Both lists are in rule order: merge them.
  size_t a = 0, b = 0;
  while (a < index.unguarded.size() || b < guarded->size()) {
    bool take_unguarded = b == guarded->size() || (a < index.unguarded.size() && index.unguarded[a] < (*guarded)[b]);
    out->push_back(index.rules[take_unguarded ? index.unguarded[a++] : (*guarded)[b++]]);
  }
}

Status RuleReactor::React(const ReactionInput& input, StateReader& state, Reaction* reaction) {
  const Event& event = input.event;
  // The engine's own event: rules see it only to arm their schedules and
  // bring the timers already pending in line with the set.
  if (event.type == "ruleset.activated") {
    KEEL_RETURN_IF_ERROR(ArmSchedules(rules_, event, &reaction->events));
    return ReconcileTimers(rules_, event, state, &reaction->events);
  }
  const Rule* time_rule = nullptr;
  if (!rules_.time_rules().empty()) {
    KEEL_RETURN_IF_ERROR(KeepDueTimers(rules_, input, state, &reaction->events));
    if (event.type == "timer.fired") {
      KEEL_ASSIGN_OR_RETURN(time_rule, TimeRuleFor(rules_, event, state, &reaction->events));
    }
  }
  auto found = index_.find(event.type);
  const TypeIndex* index = found == index_.end() ? nullptr : &found->second;
  bool any = time_rule != nullptr;
  if (index != nullptr) {
    for (const Rule* rule : index->rules) any = any || rule->AppliesTo(event.workspace);
  }
  if (!any) return Status::OK();

  activation_.SetCalendar(rules_.CalendarFor(event.workspace));
  WorkspaceEntities entities(state, event.workspace);
  EntitySourceScope entity_scope(activation_, &entities);
  Bindings bindings(input, state, activation_);
  std::vector<const Rule*> selected;
  if (index != nullptr) {
    const cel::Value* guard_value = nullptr;
    if (!index->guard_path.empty()) {
      KEEL_ASSIGN_OR_RETURN(guard_value, bindings.Resolve(index->guard_path));
    }
    Select(*index, guard_value, &selected);
  }
  if (time_rule != nullptr) selected.push_back(time_rule);
  if (selected.empty()) return Status::OK();
  if (EventMembersRead(selected, &event_members_)) {
    bindings.BindEventMembers(event_members_);
  } else {
    bindings.BindEvent();
  }
  std::string timer_name;  // of a timer.fired, for {timer: NAME} rules
  if (event.type == "timer.fired") {
    std::string_view raw = FindCanonicalMember(event.data(), "name");
    if (IsJsonString(raw)) timer_name = DecodeJsonString(raw);
  }

  for (const Rule* rule : selected) {
    if (!rule->AppliesTo(event.workspace)) continue;
    if (rule->time && rule->time->kind == TimeTrigger::Kind::kTimer && rule->time->timer_name != timer_name) continue;
    auto fail = [&](std::string action, std::string reason) {
      reaction->failures.push_back({rule->id, std::move(action), std::move(reason)});
      ++stats_.failed;
    };
    if (rule->condition) {
      Result<cel::Value> holds = rule->condition->Evaluate(bindings.activation);
      KEEL_RETURN_IF_ERROR(bindings.late_failure());
      if (!holds.ok()) {
        fail("if", Place(*rule, rule->condition_line, rule->condition_col) + ": if: " + holds.status().message());
        continue;
      }
      if (holds->kind() != cel::Kind::kBool) {
        fail("if", Place(*rule, rule->condition_line, rule->condition_col) + ": if: the condition gave " +
                       holds->DebugString() + ", not a bool");
        continue;
      }
      if (!holds->AsBool()) continue;
    }
    ++stats_.fired[rule->id];
    // Actions may read anything of the event; the states are bound for
    // their templates when these first read them, as for conditions.
    bindings.BindEvent();
    static const json kNoEntity;
    bool reads_entity = std::any_of(rule->actions.begin(), rule->actions.end(), [](const Action& a) {
      return a.kind == ActionKind::kApplyTemplate || a.kind == ActionKind::kRollUp;
    });
    if (reads_entity) KEEL_RETURN_IF_ERROR(bindings.BindState());
    ActionScope scope{event, *rule, bindings.activation, reads_entity ? bindings.EntityJson() : kNoEntity, state};
    std::vector<DerivedEventRequest> events;
    Status done;
    for (const Action& action : rule->actions) {
      done = EvaluateAction(action, scope, &events);
      KEEL_RETURN_IF_ERROR(bindings.late_failure());
      if (!done.ok()) {
        fail(action.path + "." + std::string(ActionName(action.kind)), done.message());
        break;
      }
    }
    if (!done.ok()) continue;  // all of a rule's events, or none
    for (DerivedEventRequest& request : events) reaction->events.push_back(std::move(request));
  }
  return entities.storage_failure();
}

}  // namespace keel::rules
