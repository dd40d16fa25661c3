// rules::Replay over logs of several thousand events: the source is read on
// a thread of its own in batches, and a replay that stops early (at `to`'s
// time) must stop that reader with batches still unread.
#include "rules/audit/replay.h"

#include <cstdio>

#include "rules/react/ruleset_store.h"
#include "tests/rules/reactor_fixture.h"

namespace keel::rules::testing {
namespace {

constexpr int kTasks = 6000;

// Task i is created at minute i past 2026-03-02T00:00Z (i < 1440 * 5).
std::string MinuteTime(int i) {
  char text[32];
  std::snprintf(text, sizeof text, "2026-03-%02dT%02d:%02d:00Z", 2 + i / 1440, i / 60 % 24, i % 60);
  return text;
}

class ReplayTest : public ReactorTest {
 protected:
  void SetUp() override {
    RulePack pack;
    pack.Add("rules/a.yaml", R"(id: tens
on: task.created
if: event.id.endsWith("0")
then: [{add_comment: "tenth {{ event.id }}"}]
)");
    Start(pack);
    // Replay runs the rule set each activation stored.
    ASSERT_TRUE(ActivateRuleSet(*log_, reactor_->rules(), "2026-03-01T00:00:00Z").ok());
    std::vector<AppendRequest> group;
    for (int i = 0; i < kTasks; ++i) {
      group.push_back({MakeEvent({.id = "t" + std::to_string(i), .type = "task.created",
                                  .subject = "task/T-" + std::to_string(i), .time = MinuteTime(i),
                                  .data = {{"title", "Task " + std::to_string(i)}}}),
                       std::nullopt});
      if (group.size() == 500 || i + 1 == kTasks) {
        ASSERT_TRUE(log_->Append(std::move(group)).ok());
        group.clear();
      }
    }
    ASSERT_EQ(log_->Head().seq, static_cast<uint64_t>(1 + kTasks + kTasks / 10));
  }

  Result<ReplayResult> ReplayInto(const std::string& name, const ReplayOptions& options) {
    LogOptions log_options;
    log_options.create_if_missing = true;
    log_options.sync = SyncMode::kOff;
    KEEL_ASSIGN_OR_RETURN(target_, EventLog::Open(dir_ / name, log_options));
    return Replay(*log_, *target_, options);
  }

  std::unique_ptr<EventLog> target_;
};

TEST_F(ReplayTest, AWholeLogReplaysIdentically) {
  auto replayed = ReplayInto("whole", {});
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(replayed->identical) << replayed->first_divergence->seq;
  EXPECT_TRUE(replayed->entities_compared);
  EXPECT_EQ(replayed->events, log_->Head().seq);
  EXPECT_EQ(target_->Head().hash, log_->Head().hash);
}

TEST_F(ReplayTest, AReplayToATimeStopsBeforeTheFirstLaterInputAndStopsItsReader) {
  // After the activation (seq 1), every input is followed by its comment,
  // if any: tasks 0 to 1000 and their 101 comments end at seq 1103.
  ReplayOptions options;
  auto to = ParseAsOf(MinuteTime(1000));
  ASSERT_TRUE(to.ok());
  options.to = *to;
  uint64_t last_progress = 0;
  options.progress = [&](uint64_t read, uint64_t) { last_progress = read; };
  auto replayed = ReplayInto("part", options);
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(replayed->identical) << replayed->first_divergence->seq;
  EXPECT_FALSE(replayed->entities_compared);  // a part of the log: its projections are of a later point
  EXPECT_EQ(replayed->events, 1103u);
  EXPECT_EQ(last_progress, 1103u);
  EXPECT_EQ(target_->Head().seq, 1103u);
}

}  // namespace
}  // namespace keel::rules::testing
