// Activating a rule set brings the timers already pending in line with it:
// due timers for the entities that exist, offsets that changed, rules and
// schedules that are gone (rules/README.md, "Activating a rule set").
#include <gtest/gtest.h>

#include "engine/json_time.h"
#include "engine/ingest/scheduler.h"
#include "rules/audit/replay.h"
#include "rules/react/ruleset_store.h"
#include "tests/rules/reactor_fixture.h"

namespace keel::rules::testing {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

std::string DueRule(const std::string& id, const std::string& on) {
  return "id: " + id + "\non: " + on + "\nthen:\n  - add_comment: \"" + id + "\"\n";
}

std::string Digest(const std::string& id = "digest") {
  return "id: " + id + "\non: {schedule: \"0 9 * * MON\", tz: UTC}\nscope: [acme]\n"
         "then:\n  - notify: {recipients: [team], message: digest}\n";
}

EventSpec TaskDue(const std::string& id, const std::string& task, const std::string& due,
                  const std::string& workspace = "acme") {
  return {.id = id, .type = "task.created", .subject = "task/" + task, .workspace = workspace,
          .time = "2026-03-02T09:00:00Z", .data = {{"title", "Report"}, {"due", due}}};
}

class ActivationTimersTest : public ReactorTest {
 protected:
  // Plugs in the set of `pack` and activates it at `time`, as `keel run`
  // does with a changed rule pack.
  void SwitchTo(RulePack& pack, const char* time) {
    reactor_ = AttachRuleSet(*log_, pack.LoadOk(), schemas_.get());
    auto seq = ActivateRuleSet(*log_, reactor_->rules(), time);
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    ASSERT_GT(*seq, 0u);
    activation_seq_ = *seq;
  }
  // The timer events the last activation derived: "TYPE WORKSPACE SUBJECT NAME scheduled_for".
  Strings FromActivation() const {
    Strings out;
    for (const StoredEvent& e : All()) {
      if (e.seq <= activation_seq_ || e.event.type.rfind("timer.", 0) != 0) continue;
      json data = Data(e);
      out.push_back(e.event.type + " " + e.event.workspace + " " + e.event.subject + " " +
                    data["name"].get<std::string>() + " " + data.value("scheduled_for", std::string("-")));
    }
    return out;
  }
  size_t FireUntil(const char* time) {
    FakeClock clock(ParseRfc3339Micros(time).value());
    Scheduler scheduler(log_.get(), &clock);
    auto fired = scheduler.FireDue();
    EXPECT_TRUE(fired.ok()) << fired.status().ToString();
    return fired.ok() ? *fired : 0;
  }
  Strings Comments() const {
    Strings out;
    for (const StoredEvent& e : OfType("comment.added")) {
      out.push_back(e.event.workspace + " " + e.event.subject + " " + Data(e)["text"].get<std::string>() + "@" +
                    e.event.time);
    }
    return out;
  }

  uint64_t activation_seq_ = 0;
};

TEST_F(ActivationTimersTest, NewDueRuleArmsTimersForTheTasksOfEveryWorkspace) {
  RulePack first;
  first.Add("rules/a.yaml", SimpleRule("a", "task.archived"));
  Start(first);
  ASSERT_TRUE(ActivateRuleSet(*log_, reactor_->rules(), "2026-03-01T00:00:00Z").ok());
  Ingest(TaskDue("e1", "T-1", "2026-03-20T12:00:00Z"));
  Ingest(TaskDue("e2", "T-2", "2026-03-03T12:00:00Z"));  // its reminder time is past at the activation
  Ingest(TaskDue("e3", "T-1", "2026-03-25T12:00:00Z", "globex"));  // the same subject, another workspace
  Ingest({.id = "e4", .type = "task.created", .subject = "task/T-4", .data = {{"title", "No date"}}});
  Ingest(TaskDue("e5", "T-5", "2026-03-20T12:00:00Z"));
  Ingest({.id = "e6", .type = "task.status_changed", .subject = "task/T-5", .time = "2026-03-02T10:00:00Z",
          .data = {{"from", nullptr}, {"to", "done"}}});
  EXPECT_TRUE(OfType("timer.scheduled").empty()) << "no due rule yet";

  RulePack second;
  second.Add("rules/remind.yaml", DueRule("remind", "{due: task, before: 1d}"));
  SwitchTo(second, "2026-03-05T00:00:00Z");
  EXPECT_EQ(FromActivation(), (Strings{"timer.scheduled acme task/T-1 due:remind 2026-03-19T12:00:00Z",
                                       "timer.scheduled globex task/T-1 due:remind 2026-03-24T12:00:00Z"}));
  EXPECT_EQ(FireUntil("2026-03-31T00:00:00Z"), 2u);
  EXPECT_EQ(Comments(), (Strings{"acme task/T-1 remind@2026-03-19T12:00:00Z",
                                 "globex task/T-1 remind@2026-03-24T12:00:00Z"}));
}

TEST_F(ActivationTimersTest, ChangedOffsetReschedulesAndARemovedRuleCancels) {
  RulePack first;
  first.Add("rules/remind.yaml", DueRule("remind", "{due: task, before: 1d}"))
      .Add("rules/late.yaml", DueRule("late", "{overdue: task, after: 1d}"));
  Start(first);
  ASSERT_TRUE(ActivateRuleSet(*log_, reactor_->rules(), "2026-03-01T00:00:00Z").ok());
  Ingest(TaskDue("e1", "T-1", "2026-03-20T12:00:00Z"));
  ASSERT_EQ(OfType("timer.scheduled").size(), 2u);

  RulePack second;
  second.Add("rules/remind.yaml", DueRule("remind", "{due: task, before: 3d}"));
  SwitchTo(second, "2026-03-05T00:00:00Z");
  EXPECT_EQ(FromActivation(), (Strings{"timer.cancelled acme task/T-1 due:remind -",
                                       "timer.scheduled acme task/T-1 due:remind 2026-03-17T12:00:00Z",
                                       "timer.cancelled acme task/T-1 overdue:late -"}));
  EXPECT_EQ(FireUntil("2026-04-30T00:00:00Z"), 1u) << "neither the old reminder time nor the gone rule fires";
  EXPECT_EQ(Comments(), (Strings{"acme task/T-1 remind@2026-03-17T12:00:00Z"}));

  // The replay re-activates both sets where the log did and derives the same.
  keel::testing::TempDir fresh;
  LogOptions options;
  options.create_if_missing = true;
  auto target = std::move(EventLog::Open(fresh / "db", options)).value();
  auto replayed = Replay(*log_, *target, {});
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(replayed->identical) << (replayed->first_divergence ? replayed->first_divergence->expected + "\n" +
                                                                        replayed->first_divergence->found
                                                                  : "");
}

TEST_F(ActivationTimersTest, ARuleTurnedFromDueToOverdueAtTheSameTimeIsRenamed) {
  RulePack first;
  first.Add("rules/r.yaml", DueRule("r", "{due: task}"));
  Start(first);
  ASSERT_TRUE(ActivateRuleSet(*log_, reactor_->rules(), "2026-03-01T00:00:00Z").ok());
  Ingest(TaskDue("e1", "T-1", "2026-03-20T12:00:00Z"));

  RulePack second;
  second.Add("rules/r.yaml", DueRule("r", "{overdue: task}"));
  SwitchTo(second, "2026-03-05T00:00:00Z");
  // Same id and time, another name: a timer.fired finds its rule by name.
  EXPECT_EQ(FromActivation(), (Strings{"timer.cancelled acme task/T-1 due:r -",
                                       "timer.scheduled acme task/T-1 overdue:r 2026-03-20T12:00:00Z"}));
  EXPECT_EQ(FireUntil("2026-03-21T00:00:00Z"), 1u);
  EXPECT_EQ(Comments(), (Strings{"acme task/T-1 r@2026-03-20T12:00:00Z"}));
}

TEST_F(ActivationTimersTest, UnchangedRulesLeaveTheirTimersAlone) {
  RulePack first;
  first.Add("rules/remind.yaml", DueRule("remind", "{due: task, before: 1d}"))
      .Add("rules/digest.yaml", Digest());
  Start(first);
  ASSERT_TRUE(ActivateRuleSet(*log_, reactor_->rules(), "2026-03-01T00:00:00Z").ok());
  Ingest(TaskDue("e1", "T-1", "2026-03-20T12:00:00Z"));
  auto pending = log_->GetTimer("acme", Data(OfType("timer.scheduled")[1])["timer"].get<std::string>());
  ASSERT_TRUE(pending.ok() && pending->has_value());

  RulePack second = first;
  second.Add("rules/other.yaml", SimpleRule("other"));
  SwitchTo(second, "2026-03-05T00:00:00Z");
  // The schedule is re-armed from the activation's time, as every
  // activation does; the reminder's timer is not touched.
  EXPECT_EQ(FromActivation(), (Strings{"timer.scheduled acme rule/digest schedule:digest 2026-03-09T09:00:00Z"}));
  auto still = log_->GetTimer("acme", (*pending)->timer_id);
  ASSERT_TRUE(still.ok() && still->has_value());
  EXPECT_EQ(**still, **pending);
}

TEST_F(ActivationTimersTest, RemovedScheduleIsCancelledAndActionTimersStay) {
  RulePack first;
  first.Add("rules/digest.yaml", Digest())
      .Add("rules/nudge.yaml", "id: nudge\non: task.created\nthen:\n  - schedule: {name: nudge, after: 720h}\n");
  Start(first);
  ASSERT_TRUE(ActivateRuleSet(*log_, reactor_->rules(), "2026-03-01T00:00:00Z").ok());
  Ingest(TaskDue("e1", "T-1", "2026-03-20T12:00:00Z"));
  ASSERT_EQ(OfType("timer.scheduled").size(), 2u);

  RulePack second;
  second.Add("rules/other.yaml", SimpleRule("other"));
  SwitchTo(second, "2026-03-05T00:00:00Z");
  EXPECT_EQ(FromActivation(), (Strings{"timer.cancelled acme rule/digest schedule:digest -"}));
  EXPECT_EQ(FireUntil("2026-05-01T00:00:00Z"), 1u) << "the nudge an action scheduled still fires";
  EXPECT_TRUE(OfType("notification.requested").empty());
}

}  // namespace
}  // namespace keel::rules::testing
