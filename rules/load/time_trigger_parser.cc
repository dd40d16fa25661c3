// Reading time triggers (`on:` as a mapping) and business calendars
// (`calendars:` in a rules file). Formats: rules/README.md, "Time".
#include <algorithm>
#include <cctype>
#include <set>

#include "engine/event.h"
#include "engine/json_time.h"
#include "rules/cel/time_zone.h"
#include "rules/load/rule_loader.h"
#include "rules/load/yaml_values.h"

namespace keel::rules {
namespace {

constexpr std::string_view kTriggerFields[] = {"due", "overdue", "idle", "schedule", "timer", "before", "after", "tz",
                                               "done_statuses"};
constexpr std::string_view kCalendarFields[] = {"timezone", "weekend", "holidays"};
constexpr std::string_view kEntityKinds[] = {"task", "initiative", "goal", "key_result", "kpi", "approval"};
constexpr std::string_view kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
constexpr int64_t kMicrosPerMinute = 60'000'000;
constexpr int64_t kMaxOffsetDays = 3660;

// "2d", "36h", "90m", "1d12h" (a fixed offset) or "2bd" (business days).
bool ParseOffset(std::string_view text, int64_t* micros, int64_t* business_days) {
  *micros = 0;
  *business_days = 0;
  if (text.empty()) return false;
  if (text.size() > 2 && text.substr(text.size() - 2) == "bd") {
    std::string_view digits = text.substr(0, text.size() - 2);
    if (digits.empty() || digits.size() > 4) return false;
    for (char c : digits) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      *business_days = *business_days * 10 + (c - '0');
    }
    return *business_days <= kMaxOffsetDays;
  }
  size_t i = 0;
  std::string units_seen;
  while (i < text.size()) {
    int64_t n = 0;
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - start < 7) n = n * 10 + (text[i++] - '0');
    if (i == start || i == text.size()) return false;
    char unit = text[i++];
    int64_t minutes = unit == 'd' ? 1440 : unit == 'h' ? 60 : unit == 'm' ? 1 : -1;
    if (minutes < 0 || units_seen.find(unit) != std::string::npos) return false;
    if (!units_seen.empty() && minutes >= (units_seen.back() == 'd' ? 1440 : units_seen.back() == 'h' ? 60 : 1)) return false;
    units_seen.push_back(unit);
    *micros += n * minutes * kMicrosPerMinute;
  }
  return *micros <= kMaxOffsetDays * 1440 * kMicrosPerMinute;
}

std::optional<std::string> LiteralString(LoadContext& context, const FieldReader& f, std::string_view name) {
  return ReadLiteralString(context, f.Get(name), f.ValuePosition(name), "on." + std::string(name));
}

bool ReadOffsetField(LoadContext& context, const FieldReader& f, std::string_view name, TimeTrigger* trigger) {
  if (!f.Has(name)) return true;
  auto text = LiteralString(context, f, name);
  if (!text) return false;
  if (!ParseOffset(*text, &trigger->offset_micros, &trigger->offset_business_days)) {
    context.Error(f.ValuePosition(name), "on." + std::string(name) + ": '" + *text +
                                             "' is not an offset: 2d, 36h, 90m, 1d12h (days of 24 hours, hours, "
                                             "minutes), or 2bd (business days), at most 3660 days");
    return false;
  }
  return true;
}

// {due: KIND, before}, {overdue: KIND, after} and {idle: KIND, after}: a
// time that follows one field of each entity of the kind.
bool ReadDueTrigger(LoadContext& context, const FieldReader& f, TimeTrigger* trigger) {
  const bool due = trigger->kind == TimeTrigger::Kind::kDue;
  const bool idle = trigger->kind == TimeTrigger::Kind::kIdle;
  std::string_view field = due ? "due" : idle ? "idle" : "overdue";
  auto kind = LiteralString(context, f, field);
  if (!kind) return false;
  if (std::find(std::begin(kEntityKinds), std::end(kEntityKinds), *kind) == std::end(kEntityKinds)) {
    context.Error(f.ValuePosition(field), "on." + std::string(field) + ": '" + *kind + "' is not an entity kind" +
                                              DidYouMean(*kind, kEntityKinds) +
                                              " (task, initiative, goal, key_result, kpi, approval)");
    return false;
  }
  trigger->entity_kind = *kind;
  std::string_view wrong = due ? "after" : "before";
  if (f.Has(wrong)) {
    context.Error(f.KeyPosition(wrong), due    ? "on.after: a due trigger fires before the due date; for after it, "
                                                 "write {overdue: KIND, after: OFFSET}"
                                        : idle ? "on.before: an idle trigger fires a time after the entity's last "
                                                 "change; write {idle: KIND, after: OFFSET}"
                                               : "on.before: an overdue trigger fires after the due date; for before "
                                                 "it, write {due: KIND, before: OFFSET}");
    return false;
  }
  if (f.Has("tz")) {
    context.Error(f.KeyPosition("tz"), "on.tz: only schedules take a zone; due dates carry their own offset, and "
                                       "business days use the workspace's calendar");
    return false;
  }
  if (!ReadOffsetField(context, f, due ? "before" : "after", trigger)) return false;
  // At 0 it would fire at every change: idleness needs a length.
  if (idle && trigger->offset_micros == 0 && trigger->offset_business_days == 0) {
    context.Error(f.Has("after") ? f.ValuePosition("after") : f.KeyPosition("idle"),
                  "on.after: an idle trigger needs how long the entity sits unchanged: after: 3bd, 48h, ...");
    return false;
  }
  if (f.Has("done_statuses")) {
    auto statuses = ReadLiteralStrings(context, f.Get("done_statuses"), f.ValuePosition("done_statuses"), "on.done_statuses");
    if (!statuses) return false;
    std::sort(statuses->begin(), statuses->end());
    trigger->done_statuses = *statuses;
  }
  return true;
}

bool ReadScheduleTrigger(LoadContext& context, const FieldReader& f, Rule* rule, TimeTrigger* trigger) {
  for (std::string_view wrong : {"before", "after", "done_statuses"}) {
    if (f.Has(wrong)) {
      context.Error(f.KeyPosition(wrong), "on." + std::string(wrong) + ": not a field of a schedule (schedule, tz)");
      return false;
    }
  }
  const YAML::Node node = f.Get("schedule");
  auto text = LiteralString(context, f, "schedule");
  if (!text) return false;
  CronError error;
  std::optional<CronSchedule> cron = ParseCron(*text, &error);
  if (!cron) {
    Position where = f.ValuePosition("schedule");
    ScalarPositions positions(context.file(), NodePosition(node), *text);
    if (positions.exact()) where = positions.At(error.offset);
    context.Error(where, "on.schedule: '" + *text + "': " + error.message);
    return false;
  }
  trigger->cron_text = *text;
  trigger->cron = *cron;
  std::shared_ptr<const cel::TimeZone> zone = cel::TimeZone::Fixed(0);
  if (f.Has("tz")) {
    auto tz = LiteralString(context, f, "tz");
    if (!tz) return false;
    auto loaded = cel::TimeZone::Load(*tz);
    if (!loaded.ok()) {
      context.Error(f.ValuePosition("tz"), "on.tz: " + loaded.status().message());
      return false;
    }
    zone = *loaded;
    trigger->time_zone = *tz;
  }
  // 2026-01-01T00:00:00Z: a schedule that finds no day in nine years never fires.
  if (!NextOccurrence(*cron, *zone, 1767225600)) {
    context.Error(f.ValuePosition("schedule"), "on.schedule: '" + *text + "' never fires (no such day)");
    return false;
  }
  if (rule->scope.empty()) {
    context.Error(f.KeyPosition("schedule"), "on.schedule: a schedule fires in the workspaces its rule's scope names; "
                                              "add scope: [WORKSPACE, ...]");
    return false;
  }
  return true;
}

}  // namespace

bool ReadTimeTrigger(LoadContext& context, const YAML::Node& node, Position where, Rule* rule) {
  FieldReader f(context, node, "on", kTriggerFields, where);
  std::vector<std::string_view> given;
  for (std::string_view name : {"due", "overdue", "idle", "schedule", "timer"}) {
    if (f.Has(name)) given.push_back(name);
  }
  if (given.size() != 1) {
    context.Error(where, given.empty() ? "on: a time trigger needs one of due, overdue, idle, schedule, timer"
                                       : "on: a time trigger has exactly one of due, overdue, idle, schedule, timer; "
                                         "this one has " + std::string(given[0]) + " and " + std::string(given[1]));
    return false;
  }
  TimeTrigger trigger;
  bool ok = false;
  if (given[0] == "timer") {
    trigger.kind = TimeTrigger::Kind::kTimer;
    for (std::string_view wrong : {"before", "after", "tz", "done_statuses"}) {
      if (f.Has(wrong)) {
        context.Error(f.KeyPosition(wrong), "on." + std::string(wrong) + ": not a field of a timer trigger (timer)");
        return false;
      }
    }
    auto name = LiteralString(context, f, "timer");
    ok = name.has_value() && !name->empty();
    if (name && name->empty()) context.Error(f.ValuePosition("timer"), "on.timer: the timer's name is empty");
    if (ok) trigger.timer_name = *name;
  } else if (given[0] == "schedule") {
    trigger.kind = TimeTrigger::Kind::kSchedule;
    ok = ReadScheduleTrigger(context, f, rule, &trigger);
  } else {
    trigger.kind = given[0] == "due"    ? TimeTrigger::Kind::kDue
                   : given[0] == "idle" ? TimeTrigger::Kind::kIdle
                                        : TimeTrigger::Kind::kOverdue;
    ok = ReadDueTrigger(context, f, &trigger);
  }
  if (!ok) return false;
  rule->time = std::move(trigger);
  rule->event_types = {"timer.fired"};
  return true;
}

std::vector<CalendarDeclaration> ReadCalendars(LoadContext& context, const YAML::Node& root) {
  std::vector<CalendarDeclaration> out;
  if (!IsRuleListDocument(root) || !Member(root, "calendars").IsDefined()) return out;
  const YAML::Node calendars = Member(root, "calendars");
  if (!calendars.IsMap()) {
    context.Error(NodePosition(calendars), "calendars: expected a mapping of workspace to calendar, got " +
                                               DescribeNode(calendars));
    return out;
  }
  for (auto it = calendars.begin(); it != calendars.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string workspace = it->first.Scalar();
    Position where = NodePosition(it->first);
    std::string label = "calendars." + workspace;
    if (!it->second.IsMap()) {
      context.Error(ValuePosition(it->first, it->second), label + ": expected a mapping (timezone, weekend, holidays), got " +
                                                              DescribeNode(it->second));
      continue;
    }
    size_t errors = context.error_count();
    FieldReader f(context, it->second, label, kCalendarFields, where);
    std::string zone = "UTC";
    if (f.Has("timezone")) {
      auto tz = ReadLiteralString(context, f.Get("timezone"), f.ValuePosition("timezone"), label + ".timezone");
      if (tz) {
        if (auto loaded = cel::TimeZone::Load(*tz); !loaded.ok()) {
          context.Error(f.ValuePosition("timezone"), label + ".timezone: " + loaded.status().message());
        } else {
          zone = *tz;
        }
      }
    }
    std::bitset<7> weekend;
    weekend[0] = weekend[6] = true;
    if (f.Has("weekend")) {
      weekend.reset();
      const YAML::Node days = f.Get("weekend");
      if (!days.IsSequence()) {
        context.Error(f.ValuePosition("weekend"), label + ".weekend: expected a list of days (SAT, SUN), got " + DescribeNode(days));
      }
      for (size_t i = 0; days.IsSequence() && i < days.size(); ++i) {
        std::string name = days[i].IsScalar() ? days[i].Scalar() : "";
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
        auto day = std::find(std::begin(kDayNames), std::end(kDayNames), name);
        if (day == std::end(kDayNames)) {
          context.Error(NodePosition(days[i]), label + ".weekend: '" + (days[i].IsScalar() ? days[i].Scalar() : DescribeNode(days[i])) +
                                                   "' is not a day (SUN, MON, TUE, WED, THU, FRI, SAT)");
          continue;
        }
        weekend[day - std::begin(kDayNames)] = true;
      }
    }
    std::set<int64_t> holidays;
    if (f.Has("holidays")) {
      const YAML::Node dates = f.Get("holidays");
      if (!dates.IsSequence()) {
        context.Error(f.ValuePosition("holidays"), label + ".holidays: expected a list of dates (YYYY-MM-DD), got " + DescribeNode(dates));
      }
      for (size_t i = 0; dates.IsSequence() && i < dates.size(); ++i) {
        std::string date = dates[i].IsScalar() ? dates[i].Scalar() : "";
        if (!IsRfc3339FullDate(date)) {
          context.Error(NodePosition(dates[i]), label + ".holidays: '" + (dates[i].IsScalar() ? date : DescribeNode(dates[i])) +
                                                    "' is not a date (YYYY-MM-DD)");
          continue;
        }
        holidays.insert(cel::DaysFromCivil(std::stoi(date.substr(0, 4)), std::stoi(date.substr(5, 2)), std::stoi(date.substr(8, 2))));
      }
    }
    if (context.error_count() != errors) continue;
    if (workspace != "*" && (workspace.empty() || workspace.size() > 64 ||
                             !std::all_of(workspace.begin(), workspace.end(), [](unsigned char c) {
                               return std::isalnum(c) || c == '.' || c == '_' || c == '-';
                             }))) {
      context.Error(where, label + ": '" + workspace + "' is not a workspace name, nor \"*\" for every other one");
      continue;
    }
    out.push_back({workspace, std::make_shared<WorkspaceCalendar>(zone, weekend, std::move(holidays)), where});
  }
  return out;
}

}  // namespace keel::rules
