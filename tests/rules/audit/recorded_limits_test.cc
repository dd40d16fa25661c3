// Cascade limits other than the defaults (keel run --max-depth and
// --max-derived) are recorded with the rule set's activation: a replay
// derives under them, and so does a what-if of the same rules (issue 19,
// item 4). Activations under the defaults read as they always did, so older
// logs replay byte for byte.
#include <gtest/gtest.h>

#include "rules/audit/replay.h"
#include "rules/react/ruleset_store.h"
#include "rules/audit/whatif.h"
#include "tests/rules/reactor_fixture.h"

namespace keel::rules::testing {
namespace {

// Every comment makes another: a cascade that only a limit ends.
void AddEndlessComments(RulePack* pack) {
  pack->Add("rules/open.yaml", "id: open\non: task.created\nthen: [{add_comment: \"opened\"}]\n");
  pack->Add("rules/echo.yaml", "id: echo\non: comment.added\nthen: [{add_comment: \"echo\"}]\n");
}

class RecordedLimitsTest : public ReactorTest {
 protected:
  // A log run under `options`' limits: activated, then two tasks created.
  void Record(LogOptions options) {
    RulePack pack;
    AddEndlessComments(&pack);
    Start(pack, options);
    auto activated = ActivateRuleSet(*log_, reactor_->rules(), "2026-03-02T08:00:00Z");
    ASSERT_TRUE(activated.ok()) << activated.status().ToString();
    ASSERT_EQ(*activated, 1u);
    CreateTasks(1);
  }

  void CreateTasks(int first) {
    for (int i = first; i < first + 2; ++i) {
      Ingest({.id = "t" + std::to_string(i), .type = "task.created", .subject = "task/T-" + std::to_string(i),
              .time = "2026-03-02T09:0" + std::to_string(i) + ":00Z", .data = {{"title", "Task"}}});
    }
  }

  Result<ReplayResult> ReplayIntoFreshLog() {
    LogOptions defaults;
    defaults.create_if_missing = true;
    defaults.sync = SyncMode::kOff;
    KEEL_ASSIGN_OR_RETURN(replayed_, EventLog::Open(dir_ / ("replay" + std::to_string(++replays_)), defaults));
    return Replay(*log_, *replayed_, {});
  }

  nlohmann::json ActivationData(uint64_t seq) {
    auto stored = log_->Read(seq);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    EXPECT_EQ(stored->event.type, "ruleset.activated");
    return nlohmann::json::parse(stored->event.data());
  }

  size_t Halted() { return OfType("rule.halted").size(); }

  std::unique_ptr<EventLog> replayed_;
  int replays_ = 0;
};

TEST_F(RecordedLimitsTest, TheActivationRecordsADepthOtherThanTheDefault) {
  LogOptions options;
  options.max_cascade_depth = 3;
  Record(options);
  EXPECT_EQ(ActivationData(1)["limits"], (nlohmann::json{{"max_depth", 3}, {"max_derived", 10000}}));
  // Each task: opened, echo, echo (depths 1 to 3), then halted at depth 4.
  EXPECT_EQ(OfType("comment.added").size(), 6u);
  EXPECT_EQ(Halted(), 2u);
}

TEST_F(RecordedLimitsTest, ALogWrittenUnderAnotherDepthReplaysIdentically) {
  LogOptions options;
  options.max_cascade_depth = 3;
  Record(options);
  auto replayed = ReplayIntoFreshLog();
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(replayed->identical) << replayed->first_divergence->seq << "\nexpected "
                                   << replayed->first_divergence->expected << "\nfound "
                                   << replayed->first_divergence->found;
  EXPECT_EQ(replayed_->Head().hash, log_->Head().hash);
}

TEST_F(RecordedLimitsTest, ALogWrittenUnderAnotherDerivedCountReplaysIdentically) {
  LogOptions options;
  options.max_derived_per_input = 4;
  Record(options);
  EXPECT_EQ(ActivationData(1)["limits"], (nlohmann::json{{"max_depth", 10}, {"max_derived", 4}}));
  EXPECT_EQ(Halted(), 2u) << "each task's fifth comment is refused";
  auto replayed = ReplayIntoFreshLog();
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(replayed->identical) << replayed->first_divergence->seq << "\nexpected "
                                   << replayed->first_divergence->expected << "\nfound "
                                   << replayed->first_divergence->found;
}

TEST_F(RecordedLimitsTest, TheDefaultLimitsAreNotWrittenSoActivationsReadAsBefore) {
  Record({});
  EXPECT_FALSE(ActivationData(1).contains("limits")) << ActivationData(1).dump();
  auto replayed = ReplayIntoFreshLog();
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(replayed->identical) << replayed->first_divergence->seq;
}

// The same rule set, run again under other limits, is activated again: the
// log says from where the new limits apply, and a replay switches there.
TEST_F(RecordedLimitsTest, TheSameRulesUnderOtherLimitsAreActivatedAgain) {
  Record({});
  RulePack pack;
  AddEndlessComments(&pack);
  LogOptions deeper;
  deeper.max_cascade_depth = 2;
  Start(pack, deeper);  // the same folder, opened again
  const uint64_t head = log_->Head().seq;
  auto activated = ActivateRuleSet(*log_, reactor_->rules(), "2026-03-02T10:00:00Z");
  ASSERT_TRUE(activated.ok()) << activated.status().ToString();
  ASSERT_EQ(*activated, head + 1) << "other limits: a new activation";
  EXPECT_EQ(ActivationData(head + 1)["limits"]["max_depth"], 2);
  auto again = ActivateRuleSet(*log_, reactor_->rules(), "2026-03-02T10:00:00Z");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u) << "the same rules under the same limits: already active";
  CreateTasks(3);

  auto replayed = ReplayIntoFreshLog();
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(replayed->identical) << replayed->first_divergence->seq << "\nexpected "
                                   << replayed->first_divergence->expected << "\nfound "
                                   << replayed->first_divergence->found;
}

TEST_F(RecordedLimitsTest, AWhatIfOfTheSameRulesRunsUnderTheRecordedLimits) {
  LogOptions options;
  options.max_cascade_depth = 3;
  Record(options);
  RulePack same;
  AddEndlessComments(&same);
  auto result = WhatIf(*log_, same.LoadOk(), dir_ / "whatif", {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->added, 0u);
  EXPECT_EQ(result->removed, 0u);
  EXPECT_EQ(result->changed, 0u);
  EXPECT_EQ(result->unchanged, 8u) << "6 comments and 2 rule.halted";
}

}  // namespace
}  // namespace keel::rules::testing
