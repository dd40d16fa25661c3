// A timer that re-arms itself: a rule on a timer that schedules the same
// timer `after: 0s` once made every pass over the due timers fire it again,
// without end (keel run never finished), while `rules check` said the loop
// "stops at the depth limit" (a timer.fired starts a cascade of its own, so
// the depth limit never applied). A timer armed as a timer fires must now be
// due at least a minute after it (kMinTimerRearmDelayMicros); one due sooner
// is refused with rule.failed, which ends the loop, and the check says so.
#include <gtest/gtest.h>

#include "engine/json_time.h"
#include "tests/rules/reactor_fixture.h"

namespace keel::rules {
namespace {

using testing::ReactorTest;
using testing::RulePack;

// `arm` starts the timer when a task is created; `again` re-arms it `after`.
RulePack ReArmingPack(const std::string& after) {
  RulePack pack;
  pack.Add("rules/r.yaml", "rules:\n"
                           "  - id: arm\n"
                           "    on: task.created\n"
                           "    then: [{schedule: {name: ping, after: 0s}}]\n"
                           "  - id: again\n"
                           "    on: {timer: ping}\n"
                           "    then: [{schedule: {name: ping, after: " + after + "}}]\n");
  return pack;
}

keel::testing::EventSpec TaskCreated() {
  return {.id = "e-1", .type = "task.created", .subject = "task/T-1", .workspace = "acme",
          .time = "2026-03-02T09:00:00Z", .data = {{"title", "Ping"}}};
}

constexpr int64_t kLater = INT64_MAX / 2;  // every timer is due

class TimerRearmTest : public ReactorTest {};

TEST_F(TimerRearmTest, ATimerReArmingItselfAtOnceFiresOnceAndTheReArmFails) {
  RulePack pack = ReArmingPack("0s");
  Start(pack);
  Ingest(TaskCreated());
  // One pass fires the first timer; its cascade may not arm one due at once.
  Result<size_t> fired = log_->FireDueTimers(kLater, 1000);
  ASSERT_TRUE(fired.ok()) << fired.status().ToString();
  EXPECT_EQ(*fired, 1u);
  Result<size_t> again = log_->FireDueTimers(kLater, 1000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 0u);  // nothing left
  EXPECT_EQ(OfType("timer.fired").size(), 1u);
  std::vector<StoredEvent> failed = OfType("rule.failed");
  ASSERT_EQ(failed.size(), 1u);
  nlohmann::json data = Data(failed[0]);
  EXPECT_EQ(data["rule"], "again");
  EXPECT_EQ(data["reason"],
            "timer 'ping' is due at 2026-03-02T09:00:00Z, less than 60s after the timer.fired that armed it "
            "(2026-03-02T09:00:00Z); a timer armed as a timer fires must be due at least that much later, so that "
            "it cannot re-arm itself without end");
}

TEST_F(TimerRearmTest, ATimerReArmingItselfAMinuteLaterRecursWithTheClock) {
  RulePack pack = ReArmingPack("1m");
  Start(pack);
  Ingest(TaskCreated());
  // Up to 09:03 the timer fires at 09:00, 09:01, 09:02 and 09:03.
  Result<int64_t> until = ParseRfc3339Micros("2026-03-02T09:03:00Z");
  ASSERT_TRUE(until.ok());
  size_t total = 0;
  for (int pass = 0; pass < 10; ++pass) {
    Result<size_t> fired = log_->FireDueTimers(*until, 1000);
    ASSERT_TRUE(fired.ok()) << fired.status().ToString();
    total += *fired;
  }
  EXPECT_EQ(total, 4u);
  EXPECT_TRUE(OfType("rule.failed").empty());
}

TEST(TimerRearmCheckTest, TheCheckSaysTheLoopEndsAtTheReArmDelayNotTheDepthLimit) {
  RulePack pack = ReArmingPack("0s");
  pack.LoadOk();
  ASSERT_EQ(pack.Problems().size(), 1u) << pack.Report();
  EXPECT_EQ(pack.Problems()[0],
            "rules/r.yaml:5:9: warning: [again] rule can trigger itself: again emits timer.fired, which it listens "
            "to itself; each turn waits for a timer, and a timer armed as a timer fires must be due at least 1m "
            "later: one due sooner is not armed (rule.failed), which ends the loop");
}

TEST(TimerRearmCheckTest, AReArmAMinuteLaterIsNoCycle) {
  RulePack pack = ReArmingPack("1m");
  pack.LoadOk();
  EXPECT_TRUE(pack.Problems().empty()) << pack.Report();
}

}  // namespace
}  // namespace keel::rules
