#include "rules/react/time_reactions.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "engine/canonical_json.h"
#include "engine/json_time.h"
#include "rules/cel/time_values.h"
#include "rules/cel/time_zone.h"
#include "engine/derived_ids.h"

namespace keel::rules {
namespace {

using nlohmann::json;
using Kind = TimeTrigger::Kind;

constexpr int64_t kMicros = 1'000'000;

// A timer's time as timer events hold it: RFC 3339 in UTC, the fraction in
// as few digits as say it. Empty past the year 9999, which no date-time can
// hold: the derived event is then refused as any other malformed one.
std::string Rfc3339(int64_t micros) {
  return FormatRfc3339(InstantFromMicros(micros), Rfc3339Fraction::kShortest).value_or("");
}

const Rule* FindTimeRule(const RuleSet& rules, std::string_view name) {
  for (const Rule* rule : rules.time_rules()) {
    if (TimeTimerName(*rule) == name) return rule;
  }
  return nullptr;
}

Result<std::shared_ptr<const cel::TimeZone>> ScheduleZone(const RuleSet& rules, const Rule& rule,
                                                          std::string_view workspace) {
  if (!rule.time->time_zone.empty()) return cel::TimeZone::Load(rule.time->time_zone);
  const cel::BusinessCalendar* calendar = rules.CalendarFor(workspace);
  return cel::TimeZone::Load(calendar ? calendar->TimeZone() : "UTC");
}

// The next occurrence after `after_micros` as RFC 3339 in UTC; nullopt when none.
Result<std::optional<std::string>> NextScheduled(const RuleSet& rules, const Rule& rule, std::string_view workspace,
                                                 int64_t after_micros) {
  KEEL_ASSIGN_OR_RETURN(auto zone, ScheduleZone(rules, rule, workspace));
  std::optional<int64_t> next = NextOccurrence(rule.time->cron, *zone, cel::FloorDiv(after_micros, kMicros));
  if (!next) return std::optional<std::string>();
  return std::optional<std::string>(Rfc3339(*next * kMicros));
}

std::string ScheduleTimerId(const Rule& rule, std::string_view workspace) {
  return DerivedEntityId("sch-", workspace, rule.id, "on.schedule");
}

// add_business_days(start, days) in the calendar, as templates count them.
Result<int64_t> AddBusinessDays(int64_t micros, int64_t days, const cel::BusinessCalendar* calendar) {
  static const cel::Program program = [] {
    cel::CompileOptions options;
    options.variables = {{"start", cel::Kind::kTimestamp}, {"days", cel::Kind::kInt}};
    return *cel::Compile("add_business_days(start, days)", options);
  }();
  cel::Activation activation;
  int64_t seconds = cel::FloorDiv(micros, kMicros);
  KEEL_ASSIGN_OR_RETURN(cel::Value start, cel::Value::Timestamp(seconds, static_cast<int32_t>((micros - seconds * kMicros) * 1000)));
  activation.Bind("start", start);
  activation.Bind("days", cel::Value::Int(days));
  activation.SetCalendar(calendar);
  KEEL_ASSIGN_OR_RETURN(cel::Value moved, program.Evaluate(activation));
  return moved.TimestampSeconds() * kMicros + moved.TimestampNanos() / 1000;
}

// `due` in microseconds: an RFC 3339 date-time, or a date (YYYY-MM-DD),
// which is the start of that day in the calendar's zone.
Result<std::optional<int64_t>> DueMicros(std::string_view due, const cel::BusinessCalendar* calendar) {
  if (auto micros = TryParseRfc3339Micros(due)) return std::optional<int64_t>(*micros);
  std::optional<int64_t> day = ParseRfc3339FullDate(due);
  if (!day) return std::optional<int64_t>();
  KEEL_ASSIGN_OR_RETURN(auto zone, cel::TimeZone::Load(calendar ? calendar->TimeZone() : "UTC"));
  return std::optional<int64_t>(zone->ToUtc(*day * 86400) * kMicros);
}

std::string StringOf(std::string_view raw) { return IsJsonString(raw) ? DecodeJsonString(raw) : std::string(); }

DerivedEventRequest TimerRequest(const Rule& rule, std::string path, std::string type, std::string subject, json data) {
  return {rule.id, std::move(path), std::move(type), std::move(subject), data.dump(), {}};
}

// How many occurrences a schedule may fire late in a row (after keel was
// down, or when the event clock jumps): a schedule this many occurrences or
// more behind the clock skips to the first one after it instead.
constexpr int kMaxScheduleCatchUp = 10;

// Arms a schedule's next occurrence after `fired`. It counts from this
// occurrence's time, not the clock, so a replay arms the same timers and
// occurrences missed while keel was down fire, in order; but at most
// kMaxScheduleCatchUp of them: one workspace's far past (or a long outage)
// must not make a schedule fire 100,000 times. The clock is the fired_at the
// engine recorded on a late firing, so a replay skips the same way.
Status RearmSchedule(const RuleSet& rules, const Rule& rule, const Event& fired, const std::string& name,
                     std::vector<DerivedEventRequest>* out) {
  KEEL_ASSIGN_OR_RETURN(auto zone, ScheduleZone(rules, rule, fired.workspace));
  const CronSchedule& cron = rule.time->cron;
  std::optional<int64_t> next = NextOccurrence(cron, *zone, cel::FloorDiv(fired.time_micros, kMicros));
  json data = {{"timer", StringOf(FindCanonicalMember(fired.data(), "timer"))}, {"name", name}};
  std::optional<int64_t> clock = TryParseRfc3339Micros(StringOf(FindCanonicalMember(fired.data(), "fired_at")));
  if (next && clock) {
    int behind = 0;
    for (std::optional<int64_t> at = next; at && *at * kMicros <= *clock && behind < kMaxScheduleCatchUp;
         at = NextOccurrence(cron, *zone, *at)) {
      ++behind;
    }
    if (behind >= kMaxScheduleCatchUp) {
      data["skipped_from"] = Rfc3339(*next * kMicros);
      next = NextOccurrence(cron, *zone, cel::FloorDiv(*clock, kMicros));
    }
  }
  if (!next) return Status::OK();
  data["scheduled_for"] = Rfc3339(*next * kMicros);
  out->push_back(TimerRequest(rule, "on.schedule/next", "timer.scheduled", fired.subject, std::move(data)));
  return Status::OK();
}

std::string DueTimerId(std::string_view subject, const std::string& rule_id) {
  return DerivedEntityId("tm-", subject, rule_id, "on");
}

// The rule id a time timer belongs to, when `timer` is one the reactor armed
// (its name says the rule and its id is the one derived for it); nullopt for
// timers of `schedule` actions, which no activation touches.
std::optional<std::string> TimeRuleIdOf(const PendingTimer& timer) {
  for (std::string_view prefix : {"due:", "overdue:", "idle:", "schedule:"}) {
    if (timer.name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rule_id = timer.name.substr(prefix.size());
    bool derived = prefix == "schedule:"
                       ? timer.timer_id == DerivedEntityId("sch-", timer.workspace, rule_id, "on.schedule")
                       : timer.timer_id == DueTimerId(timer.subject, rule_id);
    if (derived) return rule_id;
  }
  return std::nullopt;
}

DerivedEventRequest CancelRequest(const std::string& rule_id, const PendingTimer& timer, std::string reason) {
  DerivedEventRequest request{rule_id,
                              "on/activation/" + timer.workspace + "/" + timer.timer_id + "/cancel",
                              "timer.cancelled",
                              timer.subject,
                              json{{"timer", timer.timer_id}, {"name", timer.name}, {"reason", std::move(reason)}}.dump(),
                              timer.workspace};
  return request;
}

// The due timers `rules` implies in `workspace`, against the pending ones
// (`owned`, by timer id); the ones met are taken out of `owned`.
Status ReconcileDueTimers(const RuleSet& rules, const Event& activation, const std::string& workspace,
                          StateReader& state, std::map<std::string, PendingTimer>* owned,
                          std::vector<DerivedEventRequest>* out) {
  const cel::BusinessCalendar* calendar = rules.CalendarFor(workspace);
  for (const Rule* rule : rules.time_rules()) {
    const TimeTrigger& trigger = *rule->time;
    if (trigger.kind == Kind::kSchedule || !rule->AppliesTo(workspace)) continue;
    Status visited = Status::OK();
    KEEL_RETURN_IF_ERROR(state.ForEachEntity(workspace, trigger.entity_kind, [&](std::string_view id,
                                                                                 const EntityState& entity) {
      std::string subject = trigger.entity_kind + "/" + std::string(id);
      std::string timer = DueTimerId(subject, rule->id);
      Result<std::optional<int64_t>> fire = DueFireTime(trigger, &entity, calendar);
      if (!fire.ok()) {
        visited = fire.status();
        return false;
      }
      std::optional<PendingTimer> pending;
      if (auto found = owned->find(timer); found != owned->end()) {
        pending = std::move(found->second);
        owned->erase(found);
      }
      // The name too: a rule that turned from due to overdue keeps its timer
      // id, and a timer.fired finds its rule by name.
      if (pending && *fire && pending->fire_micros == **fire && pending->name == TimeTimerName(*rule)) return true;
      if (pending) {
        out->push_back(CancelRequest(rule->id, *pending,
                                     *fire ? "the rule set changed its trigger" : "no longer due under the rule set"));
      }
      // A time already past when the set goes live is not caught up: the
      // set did not exist then, and an unchanged rule's timer fired already.
      if (*fire && **fire > activation.time_micros) {
        DerivedEventRequest request = TimerRequest(
            *rule, "on/activation/" + workspace + "/" + subject + "/schedule", "timer.scheduled", subject,
            {{"timer", timer}, {"name", TimeTimerName(*rule)}, {"scheduled_for", Rfc3339(**fire)}});
        request.workspace = workspace;
        out->push_back(std::move(request));
      }
      return true;
    }));
    KEEL_RETURN_IF_ERROR(visited);
  }
  return Status::OK();
}

}  // namespace

Result<std::optional<int64_t>> DueFireTime(const TimeTrigger& trigger, const EntityState* state,
                                           const cel::BusinessCalendar* calendar) {
  if (state == nullptr || state->empty() || state->Get("archived") == "true") return std::optional<int64_t>();
  std::string status = state->GetString("status");
  if (std::binary_search(trigger.done_statuses.begin(), trigger.done_statuses.end(), status)) {
    return std::optional<int64_t>();
  }
  // An idle trigger counts from the entity's last change (`updated`, which
  // every event that changes its state sets) as an overdue one counts from `due`.
  std::string_view base = trigger.kind == Kind::kIdle ? "updated" : "due";
  KEEL_ASSIGN_OR_RETURN(std::optional<int64_t> due, DueMicros(state->GetString(base), calendar));
  if (!due) return due;
  int64_t sign = trigger.kind == Kind::kDue ? -1 : 1;
  if (trigger.offset_business_days != 0) {
    KEEL_ASSIGN_OR_RETURN(int64_t moved, AddBusinessDays(*due, sign * trigger.offset_business_days, calendar));
    return std::optional<int64_t>(moved);
  }
  return std::optional<int64_t>(*due + sign * trigger.offset_micros);
}

Status ArmSchedules(const RuleSet& rules, const Event& activation, std::vector<DerivedEventRequest>* out) {
  if (StringOf(FindCanonicalMember(activation.data(), "hash")) != rules.hash()) return Status::OK();
  for (const Rule* rule : rules.time_rules()) {
    if (rule->time->kind != Kind::kSchedule) continue;
    for (const std::string& workspace : rule->scope) {
      KEEL_ASSIGN_OR_RETURN(std::optional<std::string> next, NextScheduled(rules, *rule, workspace, activation.time_micros));
      if (!next) continue;
      DerivedEventRequest request = TimerRequest(
          *rule, "on.schedule/" + workspace, "timer.scheduled", "rule/" + rule->id,
          {{"timer", ScheduleTimerId(*rule, workspace)}, {"name", TimeTimerName(*rule)}, {"scheduled_for", *next}});
      request.workspace = workspace;
      out->push_back(std::move(request));
    }
  }
  return Status::OK();
}

Status ReconcileTimers(const RuleSet& rules, const Event& activation, StateReader& state,
                       std::vector<DerivedEventRequest>* out) {
  if (StringOf(FindCanonicalMember(activation.data(), "hash")) != rules.hash()) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(std::vector<std::string> workspaces, state.Workspaces());
  for (const std::string& workspace : workspaces) {
    std::map<std::string, PendingTimer> owned;
    KEEL_RETURN_IF_ERROR(state.ForEachTimer(workspace, [&](const PendingTimer& timer) {
      if (TimeRuleIdOf(timer)) owned.emplace(timer.timer_id, timer);
      return true;
    }));
    KEEL_RETURN_IF_ERROR(ReconcileDueTimers(rules, activation, workspace, state, &owned, out));
    // What is left: timers of rules the set no longer has (or not here, or
    // not with this trigger), except schedules it keeps, re-armed above.
    for (const auto& [id, timer] : owned) {
      std::string rule_id = *TimeRuleIdOf(timer);
      const Rule* rule = FindTimeRule(rules, timer.name);
      bool kept_schedule = rule != nullptr && rule->time->kind == Kind::kSchedule &&
                           std::binary_search(rule->scope.begin(), rule->scope.end(), workspace);
      if (!kept_schedule) out->push_back(CancelRequest(rule_id, timer, "its rule is not in the rule set"));
    }
  }
  return Status::OK();
}

Status KeepDueTimers(const RuleSet& rules, const ReactionInput& input, StateReader& state,
                     std::vector<DerivedEventRequest>* out) {
  const Event& event = input.event;
  if (input.after == nullptr && input.before == nullptr) return Status::OK();
  const cel::BusinessCalendar* calendar = rules.CalendarFor(event.workspace);
  for (const Rule* rule : rules.time_rules()) {
    const TimeTrigger& trigger = *rule->time;
    if (trigger.kind == Kind::kSchedule || trigger.entity_kind != event.entity.kind) continue;
    if (!rule->AppliesTo(event.workspace)) continue;
    KEEL_ASSIGN_OR_RETURN(std::optional<int64_t> was, DueFireTime(trigger, input.before, calendar));
    KEEL_ASSIGN_OR_RETURN(std::optional<int64_t> now, DueFireTime(trigger, input.after, calendar));
    if (was == now) continue;
    std::string timer = DueTimerId(event.subject, rule->id);
    KEEL_ASSIGN_OR_RETURN(std::optional<PendingTimer> pending, state.GetTimer(event.workspace, timer));
    if (pending) {
      std::string reason = trigger.kind == Kind::kIdle
                               ? (now ? "changed: the idle time starts again" : "no longer idle (done or archived)")
                               : (now ? "the due date moved" : "no longer due (done, archived or no due date)");
      out->push_back(TimerRequest(*rule, "on/cancel", "timer.cancelled", event.subject,
                                  {{"timer", timer}, {"name", TimeTimerName(*rule)}, {"reason", reason}}));
    }
    if (now) {
      out->push_back(TimerRequest(*rule, "on/schedule", "timer.scheduled", event.subject,
                                  {{"timer", timer}, {"name", TimeTimerName(*rule)}, {"scheduled_for", Rfc3339(*now)}}));
    }
  }
  return Status::OK();
}

Result<const Rule*> TimeRuleFor(const RuleSet& rules, const Event& fired, StateReader& state,
                                std::vector<DerivedEventRequest>* out) {
  std::string name = StringOf(FindCanonicalMember(fired.data(), "name"));
  const Rule* rule = FindTimeRule(rules, name);
  if (rule == nullptr || !rule->AppliesTo(fired.workspace)) return static_cast<const Rule*>(nullptr);
  if (rule->time->kind == Kind::kSchedule) {
    KEEL_RETURN_IF_ERROR(RearmSchedule(rules, *rule, fired, name, out));
    return rule;
  }
  // A due timer whose entity is done meanwhile stays quiet, whatever the
  // order its cancellation and its firing met in.
  KEEL_ASSIGN_OR_RETURN(std::optional<EntityState> entity, state.Get(fired.workspace, fired.entity));
  KEEL_ASSIGN_OR_RETURN(std::optional<int64_t> fire_time,
                        DueFireTime(*rule->time, entity ? &*entity : nullptr, rules.CalendarFor(fired.workspace)));
  if (!fire_time) return static_cast<const Rule*>(nullptr);
  return rule;
}

}  // namespace keel::rules
