// {idle: KIND, after: OFFSET}: a rule that fires when an entity has not
// changed for OFFSET; every change starts the count again, through events.
#include <gtest/gtest.h>

#include "engine/json_time.h"
#include "engine/ingest/scheduler.h"
#include "tests/rules/reactor_fixture.h"

namespace keel::rules::testing {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

std::string IdleRule(const std::string& trigger, const std::string& action = "notify: {recipients: [\"user:o\"], message: idle}") {
  return "id: r\non: " + trigger + "\nthen:\n  - " + action + "\n";
}

Strings ProblemsOf(const std::string& text) {
  RulePack pack;
  pack.Add("rules/r.yaml", text);
  EXPECT_FALSE(pack.Load().ok());
  return pack.Problems();
}

TEST(IdleTriggerLoadTest, NeedsAKindAndALengthAfter) {
  EXPECT_EQ(ProblemsOf(IdleRule("{idle: task}")),
            (Strings{"rules/r.yaml:2:6: error: [r] on.after: an idle trigger needs how long the entity sits unchanged: "
                     "after: 3bd, 48h, ..."}));
  EXPECT_EQ(ProblemsOf(IdleRule("{idle: task, before: 1d}")),
            (Strings{"rules/r.yaml:2:18: error: [r] on.before: an idle trigger fires a time after the entity's last "
                     "change; write {idle: KIND, after: OFFSET}"}));
  EXPECT_EQ(ProblemsOf(IdleRule("{idle: tsk, after: 1d}"))[0].substr(0, 60),
            "rules/r.yaml:2:12: error: [r] on.idle: 'tsk' is not an entit");
  EXPECT_EQ(ProblemsOf(IdleRule("{idle: task, due: task, after: 1d}"))[0],
            "rules/r.yaml:2:5: error: [r] on: a time trigger has exactly one of due, overdue, idle, schedule, timer; "
            "this one has due and idle");
}

class IdleTriggerTest : public ReactorTest {
 protected:
  size_t FireUntil(const char* time) {
    FakeClock clock(ParseRfc3339Micros(time).value());
    Scheduler scheduler(log_.get(), &clock);
    auto fired = scheduler.FireDue();
    EXPECT_TRUE(fired.ok()) << fired.status().ToString();
    return fired.ok() ? *fired : 0;
  }
  Strings Trail() const {
    Strings out;
    for (const StoredEvent& e : All()) {
      if (e.event.type.rfind("timer.", 0) != 0 && e.event.type != "notification.requested") continue;
      json data = Data(e);
      out.push_back(e.event.type + " " + (e.event.type == "timer.scheduled" ? data["scheduled_for"].get<std::string>()
                                                                            : e.event.time));
    }
    return out;
  }
};

EventSpec Created(const char* time) {
  return {.id = "c", .type = "task.created", .subject = "task/T-1", .time = time, .data = {{"title", "Handoff"}}};
}
EventSpec Moved(const std::string& id, const char* to, const char* time) {
  return {.id = id, .type = "task.status_changed", .subject = "task/T-1", .time = time,
          .data = {{"from", nullptr}, {"to", to}}};
}

TEST_F(IdleTriggerTest, FiresBusinessDaysAfterTheLastChangeAndEachChangeRestartsIt) {
  RulePack pack;
  pack.Add("rules/r.yaml", IdleRule("{idle: task, after: 2bd}"));
  Start(pack);
  Ingest(Created("2026-03-05T10:00:00Z"));                 // Thursday: 2bd is Monday
  Ingest(Moved("m1", "review", "2026-03-06T09:00:00Z"));   // Friday: now Tuesday
  EXPECT_EQ(FireUntil("2026-03-09T12:00:00Z"), 0u) << "the first timer was cancelled";
  EXPECT_EQ(FireUntil("2026-03-10T09:00:00Z"), 1u);
  EXPECT_EQ(Trail(), (Strings{"timer.scheduled 2026-03-09T10:00:00Z", "timer.cancelled 2026-03-06T09:00:00Z",
                              "timer.scheduled 2026-03-10T09:00:00Z", "timer.fired 2026-03-10T09:00:00Z",
                              "notification.requested 2026-03-10T09:00:00Z"}));
}

TEST_F(IdleTriggerTest, ANotificationIsNoChangeButACommentIs) {
  RulePack pack;
  pack.Add("rules/r.yaml", IdleRule("{idle: task, after: 1d}", "add_comment: still waiting"));
  Start(pack);
  Ingest(Created("2026-03-02T10:00:00Z"));
  EXPECT_EQ(FireUntil("2026-03-03T10:00:00Z"), 1u);
  // The comment changed the task: the idle count starts again from it.
  EXPECT_EQ(Trail().back(), "timer.scheduled 2026-03-04T10:00:00Z");
}

TEST_F(IdleTriggerTest, DoneTasksAreNeverIdle) {
  RulePack pack;
  pack.Add("rules/r.yaml", IdleRule("{idle: task, after: 1d}"));
  Start(pack);
  Ingest(Created("2026-03-02T10:00:00Z"));
  Ingest(Moved("m1", "done", "2026-03-02T12:00:00Z"));
  EXPECT_EQ(Trail().back(), "timer.cancelled 2026-03-02T12:00:00Z");
  EXPECT_EQ(Data(OfType("timer.cancelled").back())["reason"], "no longer idle (done or archived)");
  EXPECT_EQ(FireUntil("2026-04-01T00:00:00Z"), 0u);
  EXPECT_TRUE(OfType("notification.requested").empty());
}

}  // namespace
}  // namespace keel::rules::testing
