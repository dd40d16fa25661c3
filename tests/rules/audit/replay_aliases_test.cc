// Replay and entity aliases (engine/log/aliases.h): the replay appends the
// stored input events, some of them resolved to a keel entity by an alias;
// the new log resolves them again from what was submitted, by its own
// aliases (the same links, earlier in it), so every event, the rules' included,
// comes out byte for byte, and keel verify finds both logs' indexes right.
#include "engine/audit/verify.h"
#include "rules/audit/replay.h"
#include "rules/react/ruleset_store.h"
#include "tests/rules/reactor_fixture.h"

namespace keel::rules::testing {
namespace {

class ReplayAliasesTest : public ReactorTest {
 protected:
  void SetUp() override {
    RulePack pack;
    pack.Add("rules/a.yaml", R"(id: moved
on: task.status_changed
then: [{add_comment: "moved {{ event.subject }} to {{ event.data.to }}"}]
)");
    Start(pack);
    ASSERT_TRUE(ActivateRuleSet(*log_, reactor_->rules(), "2026-03-01T00:00:00Z").ok());
    Ingest({.id = "c7", .type = "task.created", .subject = "task/T-7", .data = {{"title", "Launch plan"}}});
    // Before the link: stays on the tool's entity.
    Ingest({.id = "w1", .subject = "task/clickup:86a1b2c3", .data = {{"from", "todo"}, {"to", "review"}}});
    Ingest({.id = "l7", .type = "task.linked", .subject = "task/T-7",
            .data = {{"relation", "external"}, {"target", "clickup:86a1b2c3"}}});
    // After it: lands on T-7, and the rule comments there.
    Ingest({.id = "w2", .subject = "task/clickup:86a1b2c3", .data = {{"from", "todo"}, {"to", "doing"}}});
  }
};

TEST_F(ReplayAliasesTest, AResolvedLogReplaysByteForByte) {
  std::vector<StoredEvent> comments = OfType("comment.added");
  ASSERT_EQ(comments.size(), 2u);
  EXPECT_EQ(comments[0].event.subject, "task/clickup:86a1b2c3");
  EXPECT_EQ(comments[1].event.subject, "task/T-7");
  EXPECT_EQ(Data(comments[1]).at("text"), "moved task/T-7 to doing");
  EXPECT_EQ(State("task/T-7").at("status"), "doing");

  LogOptions options;
  options.create_if_missing = true;
  options.sync = SyncMode::kOff;
  auto target = EventLog::Open(dir_ / "replayed", options);
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  auto replayed = Replay(*log_, **target, {});
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(replayed->identical) << replayed->first_divergence->seq << ": " << replayed->first_divergence->expected;
  EXPECT_TRUE(replayed->entities_compared);
  EXPECT_EQ((*target)->Head().hash, log_->Head().hash);
  for (const EventLog* log : {log_.get(), target->get()}) {
    auto report = VerifyLog(*log);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->ok()) << report->problems.front();
  }
  auto alias = (*target)->GetRaw("meta", std::string("alias/acme") + '\0' + "clickup:86a1b2c3");
  ASSERT_TRUE(alias.ok());
  EXPECT_EQ(*alias, "task/T-7");
}

}  // namespace
}  // namespace keel::rules::testing
