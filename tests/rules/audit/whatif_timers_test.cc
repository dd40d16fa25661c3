// keel whatif with time rules: the candidate's timers fire on the event
// clock within the replayed window; the recorded timer.fired events of the
// old rules are not inputs (rules/README.md, "What if").
#include <algorithm>

#include <gtest/gtest.h>

#include "engine/json_time.h"
#include "rules/react/ruleset_store.h"
#include "rules/audit/whatif.h"
#include "tests/rules/reactor_fixture.h"

namespace keel::rules::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Remind(const std::string& before) {
  return "id: remind\non: {due: task, before: " + before + "}\nthen:\n  - add_comment: \"due soon\"\n";
}

constexpr const char* kDigest =
    "id: digest\non: {schedule: \"0 9 * * MON\", tz: UTC}\nscope: [acme]\n"
    "then:\n  - notify: {recipients: [team], message: digest}\n";

class WhatIfTimersTest : public ReactorTest {
 protected:
  // A recorded log run on the event clock, as `keel run --clock=events`:
  // a task due Friday 2026-03-13 12:00, then events until the 18th.
  void Record(RulePack& pack) {
    LogOptions options;
    options.fire_timers_at_event_time = true;
    Start(pack, options);
    ASSERT_TRUE(ActivateRuleSet(*log_, reactor_->rules(), "2026-03-02T08:00:00Z").ok());
    Ingest({.id = "e1", .type = "task.created", .subject = "task/T-1", .time = "2026-03-02T09:00:00Z",
            .data = {{"title", "Report"}, {"due", "2026-03-13T12:00:00Z"}}});
    Ingest({.id = "e2", .type = "task.assigned", .subject = "task/T-1", .time = "2026-03-18T09:00:00Z",
            .data = {{"from", nullptr}, {"to", "user:bo"}}});
  }

  WhatIfResult Run(RulePack& candidate, WhatIfOptions options = {}) {
    auto result = WhatIf(*log_, candidate.LoadOk(), dir_ / ("scratch" + std::to_string(++runs_)), options);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : WhatIfResult{};
  }

  static Strings Details(const WhatIfResult& result) {
    Strings out;
    for (const EffectDifference& d : result.details) out.push_back(d.change + " " + d.rule + " " + d.type);
    std::sort(out.begin(), out.end());  // details are in id order, and ids are hashes
    return out;
  }

  int runs_ = 0;
};

TEST_F(WhatIfTimersTest, ACandidateOffsetMovesTheReminderItFires) {
  RulePack recorded;
  recorded.Add("rules/remind.yaml", Remind("1d"));
  Record(recorded);
  ASSERT_EQ(OfType("timer.fired").size(), 1u) << "the recorded reminder fired on the event clock";

  RulePack candidate;
  candidate.Add("rules/remind.yaml", Remind("3d"));
  WhatIfResult result = Run(candidate);
  // Same scheduling, so the same ids: each effect changed its time, and the
  // reminder fired where the candidate puts it, not where the log did.
  EXPECT_EQ(Details(result), (Strings{"changed remind comment.added", "changed remind timer.fired",
                                      "changed remind timer.scheduled"}));
  bool saw_fired = false;
  for (const EffectDifference& d : result.details) {
    if (d.type != "timer.fired") continue;
    saw_fired = true;
    EXPECT_NE(d.recorded.find("\"time\":\"2026-03-12T12:00:00Z\""), std::string::npos) << d.recorded;
    EXPECT_NE(d.candidate.find("\"time\":\"2026-03-10T12:00:00Z\""), std::string::npos) << d.candidate;
  }
  EXPECT_TRUE(saw_fired);
  EXPECT_EQ(result.inputs, 2u) << "the recorded timer.fired is not an input";
}

TEST_F(WhatIfTimersTest, ACandidateScheduleFiresInTheWindowUpToItsEnd) {
  RulePack recorded;
  recorded.Add("rules/remind.yaml", Remind("1d"));
  Record(recorded);

  RulePack candidate;
  candidate.Add("rules/remind.yaml", Remind("1d")).Add("rules/digest.yaml", kDigest);
  WhatIfResult result = Run(candidate);
  // Mondays 03-02 (09:00, with the task's creation), 03-09 and 03-16 fall
  // among the inputs.
  EXPECT_EQ(result.by_rule["digest"].added, 1u + 3u * 3u) << "arming, then per Monday: fired, notified, re-armed";
  EXPECT_EQ(result.by_rule["remind"].added + result.by_rule["remind"].removed + result.by_rule["remind"].changed, 0u);

  WhatIfOptions window;
  window.to_micros = ParseRfc3339Micros("2026-03-23T10:00:00Z").value();
  WhatIfResult longer = Run(candidate, window);
  EXPECT_EQ(longer.by_rule["digest"].added, 1u + 4u * 3u) << "the clock runs on to the window's end: 03-23 too";
}

TEST_F(WhatIfTimersTest, RemovingATimeRuleRemovesItsTimersAndWhatTheyDid) {
  RulePack recorded;
  recorded.Add("rules/remind.yaml", Remind("1d"));
  Record(recorded);

  RulePack candidate;
  candidate.Add("rules/other.yaml", SimpleRule("other", "task.archived"));
  WhatIfResult result = Run(candidate);
  EXPECT_EQ(Details(result), (Strings{"removed remind comment.added", "removed remind timer.fired",
                                      "removed remind timer.scheduled"}));
}

// `keel run --until` (or on the wall clock) fires timers after the last
// input. Without --to the candidate's clock runs as far as the recorded
// one is known to have gone, so the same rules show no difference (issue 19).
TEST_F(WhatIfTimersTest, TheSameRulesShowNoDifferenceWhenTheRecordedClockRanPastTheLastInput) {
  RulePack recorded;
  recorded.Add("rules/remind.yaml", Remind("1d")).Add("rules/digest.yaml", kDigest);
  Record(recorded);
  const int64_t until = ParseRfc3339Micros("2026-04-01T00:00:00Z").value();
  for (;;) {
    auto fired = log_->FireDueTimers(until, 100);
    ASSERT_TRUE(fired.ok()) << fired.status().ToString();
    if (*fired == 0) break;
  }
  ASSERT_EQ(OfType("timer.fired").size(), 1u + 5u) << "the reminder, and Mondays 03-02 to 03-30";

  WhatIfResult result = Run(recorded);
  EXPECT_EQ(Details(result), Strings{});
  EXPECT_GT(result.unchanged, 0u);
}

}  // namespace
}  // namespace keel::rules::testing
