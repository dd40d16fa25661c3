// Time triggers in rules: due and overdue dates, schedules, timer names,
// business calendars; how they load, and what they derive inside ingest.
#include <gtest/gtest.h>

#include "engine/json_time.h"
#include "engine/ingest/scheduler.h"
#include "rules/audit/explain.h"
#include "rules/audit/replay.h"
#include "rules/react/ruleset_store.h"
#include "tests/rules/reactor_fixture.h"

namespace keel::rules::testing {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

int64_t Micros(const char* time) { return ParseRfc3339Micros(time).value(); }

std::string Rule(const std::string& on, const std::string& extra = "") {
  return "id: r\non: " + on + "\n" + extra + "then:\n  - add_comment: \"ping\"\n";
}

Strings ProblemsOf(const std::string& text) {
  RulePack pack;
  pack.Add("rules/r.yaml", text);
  EXPECT_FALSE(pack.Load().ok());
  return pack.Problems();
}

TEST(TimeTriggerLoadTest, BadFormsAreRefusedAtTheirPlace) {
  EXPECT_EQ(ProblemsOf(Rule("{schedule: \"0 9 * * MOX\", tz: UTC}", "scope: [acme]\n")),
            (Strings{"rules/r.yaml:2:25: error: [r] on.schedule: '0 9 * * MOX': day of week: unknown name 'MOX' (SUN..SAT)"}));
  Strings zone = ProblemsOf(Rule("{schedule: \"0 9 * * MON\", tz: Europe/Pariss}", "scope: [acme]\n"));
  ASSERT_EQ(zone.size(), 1u);
  EXPECT_EQ(zone[0].substr(0, 52), "rules/r.yaml:2:35: error: [r] on.tz: unknown time zo") << zone[0];
  EXPECT_EQ(ProblemsOf(Rule("{schedule: \"0 9 * * MON\"}")),
            (Strings{"rules/r.yaml:2:6: error: [r] on.schedule: a schedule fires in the workspaces its rule's scope "
                     "names; add scope: [WORKSPACE, ...]"}));
  EXPECT_EQ(ProblemsOf(Rule("{schedule: \"0 0 30 2 *\"}", "scope: [acme]\n")),
            (Strings{"rules/r.yaml:2:16: error: [r] on.schedule: '0 0 30 2 *' never fires (no such day)"}));
  EXPECT_EQ(ProblemsOf(Rule("{due: task, before: 2x}")),
            (Strings{"rules/r.yaml:2:25: error: [r] on.before: '2x' is not an offset: 2d, 36h, 90m, 1d12h (days of 24 "
                     "hours, hours, minutes), or 2bd (business days), at most 3660 days"}));
  EXPECT_EQ(ProblemsOf(Rule("{due: task, after: 1d}")),
            (Strings{"rules/r.yaml:2:17: error: [r] on.after: a due trigger fires before the due date; for after it, "
                     "write {overdue: KIND, after: OFFSET}"}));
  EXPECT_EQ(ProblemsOf(Rule("{due: tsk}")),
            (Strings{"rules/r.yaml:2:11: error: [r] on.due: 'tsk' is not an entity kind; did you mean 'task'? (task, "
                     "initiative, goal, key_result, kpi, approval)"}));
  EXPECT_EQ(ProblemsOf(Rule("{due: task, schedule: \"@daily\"}")),
            (Strings{"rules/r.yaml:2:5: error: [r] on: a time trigger has exactly one of due, overdue, idle, schedule, timer; "
                     "this one has due and schedule"}));
  EXPECT_EQ(ProblemsOf(Rule("{due: task, befor: 2d}"))[0],
            "rules/r.yaml:2:17: error: [r] unknown field 'befor' in on; did you mean 'before'?");
}

TEST(TimeTriggerLoadTest, CalendarsAreCheckedAndPartOfTheHash) {
  RulePack pack;
  pack.Add("rules/calendars.yaml", "calendars:\n  acme:\n    timezone: Europe/Paris\n    weekend: [SAT, SUN]\n"
                                   "    holidays: [2026-05-01, 2026-13-01]\n  globex:\n    weekend: [FUNDAY]\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/calendars.yaml:5:28: error: calendars.acme.holidays: '2026-13-01' is not a date (YYYY-MM-DD)",
                                      "rules/calendars.yaml:7:15: error: calendars.globex.weekend: 'FUNDAY' is not a day (SUN, MON, TUE, WED, THU, FRI, SAT)"}));
  RulePack good;
  good.Add("rules/r.yaml", SimpleRule("r"));
  std::string before = good.LoadOk().hash();
  good.Add("rules/calendars.yaml", "calendars:\n  acme: {holidays: [2026-05-01]}\n");
  RuleSet set = good.LoadOk();
  EXPECT_NE(set.hash(), before) << "a calendar changes what rules derive, so it is in the hash";
  ASSERT_NE(set.CalendarFor("acme"), nullptr);
  EXPECT_EQ(set.CalendarFor("globex"), nullptr);
  EXPECT_FALSE(set.CalendarFor("acme")->IsBusinessDay({2026, 5, 1}, 5));
  EXPECT_TRUE(set.CalendarFor("acme")->IsBusinessDay({2026, 5, 4}, 1));
}

class TimeTriggerTest : public ReactorTest {
 protected:
  void Activate(const char* time = "2026-03-02T08:00:00Z") {
    ASSERT_TRUE(ActivateRuleSet(*log_, reactor_->rules(), time).ok());
  }
  size_t FireUntil(const char* time) {
    FakeClock clock(Micros(time));
    Scheduler scheduler(log_.get(), &clock);
    auto fired = scheduler.FireDue();
    EXPECT_TRUE(fired.ok()) << fired.status().ToString();
    return fired.ok() ? *fired : 0;
  }
  std::vector<std::string> Comments() const {
    std::vector<std::string> out;
    for (const StoredEvent& e : OfType("comment.added")) out.push_back(e.event.subject + "@" + e.event.time);
    return out;
  }
  std::vector<std::string> TimerTrail() const {
    std::vector<std::string> out;
    for (const StoredEvent& e : All()) {
      if (e.event.type.rfind("timer.", 0) != 0) continue;
      json data = Data(e);
      out.push_back(e.event.type + " " + data.value("scheduled_for", std::string("-")));
    }
    return out;
  }
};

EventSpec Task(const std::string& id, const std::string& due, const char* time = "2026-03-02T09:00:00Z") {
  return {.id = id, .type = "task.created", .subject = "task/T-1", .time = time, .data = {{"title", "Report"}, {"due", due}}};
}

EventSpec DueMoved(const std::string& id, const std::string& from, const std::string& to, const char* time) {
  return {.id = id, .type = "task.updated", .subject = "task/T-1", .time = time,
          .data = {{"changes", {{"due", {{"from", from}, {"to", to}}}}}}};
}

TEST_F(TimeTriggerTest, DueReminderFiresTwoBusinessDaysBeforeSkippingAHoliday) {
  RulePack pack;
  pack.Add("rules/r.yaml", Rule("{due: task, before: 2bd}"))
      .Add("rules/calendars.yaml", "calendars:\n  acme: {holidays: [2026-03-12]}\n");
  Start(pack);
  // Due Friday 2026-03-13 17:00; Thursday the 12th is a holiday: two business
  // days before is Tuesday the 10th, same time of day.
  Ingest(Task("e1", "2026-03-13T17:00:00Z"));
  EXPECT_EQ(TimerTrail(), (Strings{"timer.scheduled 2026-03-10T17:00:00Z"}));
  EXPECT_EQ(FireUntil("2026-03-10T16:59:59Z"), 0u);
  EXPECT_EQ(FireUntil("2026-03-10T17:00:00Z"), 1u);
  EXPECT_EQ(Comments(), (Strings{"task/T-1@2026-03-10T17:00:00Z"})) << "the rule ran on timer.fired, entity = the task";
}

TEST_F(TimeTriggerTest, ExplainTracesAReminderBackToTheEventThatSetTheDueDate) {
  RulePack pack;
  pack.Add("rules/r.yaml", Rule("{due: task, before: 1d}"));
  Start(pack);
  Ingest(Task("e1", "2026-03-10T12:00:00Z"));
  ASSERT_EQ(FireUntil("2026-03-09T12:00:00Z"), 1u);
  std::vector<StoredEvent> comments = OfType("comment.added");
  ASSERT_EQ(comments.size(), 1u);
  auto explained = Explain(*log_, comments[0].seq);
  ASSERT_TRUE(explained.ok()) << explained.status().ToString();
  Strings causes;
  for (size_t i : explained->ancestors) causes.push_back(explained->nodes[i].stored.event.type);
  EXPECT_EQ(causes, (Strings{"task.created", "timer.scheduled", "timer.fired"}));
}

TEST_F(TimeTriggerTest, WorkspaceCalendarCountsTemplateDueDatesAndAddBusinessDays) {
  RulePack pack;
  pack.Add("rules/r.yaml", "id: r\non: initiative.created\nthen:\n  - apply_template: t\n"
                           "  - create_task: {title: Follow-up, due: \"{{ add_business_days(now(), 1) }}\"}\n")
      .Add("templates/t.yaml", "name: t\ntasks:\n  - key: a\n    title: A\n    due_in: 2\n")
      .Add("rules/calendars.yaml", "calendars:\n  acme: {holidays: [2026-03-03, 2026-03-04]}\n");
  Start(pack);
  // Monday 2026-03-02 09:00; Tuesday and Wednesday are acme's holidays.
  Ingest({.id = "e1", .type = "initiative.created", .subject = "initiative/IN-1", .data = {{"title", "X"}}});
  Ingest({.id = "e2", .type = "initiative.created", .subject = "initiative/IN-2", .workspace = "globex",
          .data = {{"title", "Y"}}});
  Strings due;
  for (const StoredEvent& e : OfType("task.created")) due.push_back(e.event.workspace + " " + Data(e)["due"].get<std::string>());
  EXPECT_EQ(due, (Strings{"acme 2026-03-06T09:00:00Z", "acme 2026-03-05T09:00:00Z", "globex 2026-03-04T09:00:00Z",
                          "globex 2026-03-03T09:00:00Z"}));
}

TEST_F(TimeTriggerTest, MovingTheDueDateCancelsAndReschedulesThroughEvents) {
  RulePack pack;
  pack.Add("rules/r.yaml", Rule("{due: task, before: 1d}"));
  Start(pack);
  Ingest(Task("e1", "2026-03-10T12:00:00Z"));
  Ingest(DueMoved("e2", "2026-03-10T12:00:00Z", "2026-03-20T12:00:00Z", "2026-03-03T09:00:00Z"));
  EXPECT_EQ(TimerTrail(), (Strings{"timer.scheduled 2026-03-09T12:00:00Z", "timer.cancelled -",
                                   "timer.scheduled 2026-03-19T12:00:00Z"}));
  EXPECT_EQ(FireUntil("2026-03-15T00:00:00Z"), 0u) << "the old time fires nothing";
  EXPECT_EQ(FireUntil("2026-03-19T12:00:00Z"), 1u);
  EXPECT_EQ(Comments().size(), 1u);
  // An update that leaves the due date alone touches no timer.
  Ingest({.id = "e3", .type = "task.assigned", .subject = "task/T-1", .time = "2026-03-21T09:00:00Z",
          .data = {{"from", nullptr}, {"to", "user:bo"}}});
  EXPECT_EQ(TimerTrail().size(), 4u);
}

TEST_F(TimeTriggerTest, CompletingTheTaskCancelsItsOverdueTimer) {
  RulePack pack;
  pack.Add("rules/r.yaml", Rule("{overdue: task, after: 1d}"));
  Start(pack);
  Ingest(Task("e1", "2026-03-10"));  // a date: the start of the day (UTC, no calendar)
  EXPECT_EQ(TimerTrail(), (Strings{"timer.scheduled 2026-03-11T00:00:00Z"}));
  Ingest({.id = "e2", .type = "task.status_changed", .subject = "task/T-1", .time = "2026-03-10T15:00:00Z",
          .data = {{"from", nullptr}, {"to", "done"}}});
  EXPECT_EQ(TimerTrail().back(), "timer.cancelled -");
  EXPECT_EQ(FireUntil("2026-04-01T00:00:00Z"), 0u);
  EXPECT_TRUE(Comments().empty());
}

TEST_F(TimeTriggerTest, DateOnlyDueStartsTheDayInTheCalendarsZone) {
  RulePack pack;
  pack.Add("rules/r.yaml", Rule("{due: task}"))
      .Add("rules/calendars.yaml", "calendars:\n  \"*\": {timezone: America/New_York}\n");
  Start(pack);
  Ingest(Task("e1", "2026-03-10"));
  EXPECT_EQ(TimerTrail(), (Strings{"timer.scheduled 2026-03-10T04:00:00Z"}));  // midnight EDT
}

TEST_F(TimeTriggerTest, WeeklyScheduleIsArmedOnActivationAndRearmsWhenItFires) {
  RulePack pack;
  pack.Add("rules/r.yaml", "id: digest\non: {schedule: \"0 9 * * MON\", tz: Europe/Paris}\nscope: [acme, globex]\n"
                           "then:\n  - notify: {recipients: [team], message: \"weekly digest\"}\n");
  Start(pack);
  Activate("2026-03-20T10:00:00Z");  // a Friday
  std::vector<StoredEvent> armed = OfType("timer.scheduled");
  ASSERT_EQ(armed.size(), 2u);
  EXPECT_EQ(armed[0].event.workspace, "acme");
  EXPECT_EQ(armed[1].event.workspace, "globex");
  EXPECT_EQ(Data(armed[0])["scheduled_for"], "2026-03-23T08:00:00Z");
  // Three Mondays pass, the middle one after the change to summer time.
  EXPECT_EQ(FireUntil("2026-04-06T12:00:00Z"), 6u);
  Strings acme;
  for (const StoredEvent& e : OfType("notification.requested")) {
    if (e.event.workspace == "acme") acme.push_back(e.event.time);
  }
  EXPECT_EQ(acme, (Strings{"2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z", "2026-04-06T07:00:00Z"}));
  auto next = log_->GetTimer("acme", Data(armed[0])["timer"].get<std::string>());
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ((*next)->scheduled_for, "2026-04-13T07:00:00Z");
}

TEST_F(TimeTriggerTest, TimerTriggerMatchesItsNameOnly) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\nthen:\n  - schedule: {name: nudge, after: 1h}\n"
                           "  - schedule: {name: other, after: 2h}\n")
      .Add("rules/b.yaml", "id: b\non: {timer: nudge}\nthen:\n  - add_comment: \"nudged\"\n");
  Start(pack);
  Ingest(Task("e1", "2026-04-01T00:00:00Z"));
  EXPECT_EQ(FireUntil("2026-03-03T00:00:00Z"), 2u);
  EXPECT_EQ(Comments(), (Strings{"task/T-1@2026-03-02T10:00:00Z"}));
}

TEST_F(TimeTriggerTest, ReplayOfALogWithTimersIsIdentical) {
  RulePack pack;
  pack.Add("rules/due.yaml", Rule("{due: task, before: 2bd}"))
      .Add("rules/digest.yaml", "id: digest\non: {schedule: \"30 2 * * *\", tz: Europe/Paris}\nscope: [acme]\n"
                                "then:\n  - notify: {recipients: [team], message: daily}\n")
      .Add("rules/calendars.yaml", "calendars:\n  acme: {timezone: Europe/Paris, holidays: [2026-03-27]}\n");
  Start(pack);
  Activate("2026-03-25T00:00:00Z");
  Ingest(Task("e1", "2026-03-31T17:00:00Z", "2026-03-25T09:00:00Z"));
  EXPECT_GT(FireUntil("2026-03-29T12:00:00Z"), 0u);
  Ingest(DueMoved("e2", "2026-03-31T17:00:00Z", "2026-04-02T17:00:00Z", "2026-03-29T13:00:00Z"));
  EXPECT_GT(FireUntil("2026-04-01T00:00:00Z"), 0u);
  keel::testing::TempDir fresh;
  LogOptions options;
  options.create_if_missing = true;
  auto target = std::move(EventLog::Open(fresh / "db", options)).value();
  auto replayed = Replay(*log_, *target, {});
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(replayed->identical) << (replayed->first_divergence ? replayed->first_divergence->expected + "\n" +
                                                                        replayed->first_divergence->found
                                                                  : "");
  EXPECT_TRUE(replayed->entities_compared);
  // The replay's timers are the log's.
  EXPECT_EQ(*target->NextTimerDue(), *log_->NextTimerDue());
}

}  // namespace
}  // namespace keel::rules::testing
