// The reactor reads entity states for a condition only when its evaluation
// reaches them, and a failure to read them is the storage's, never recorded
// as the rule's.
#include <gtest/gtest.h>

#include "engine/schema/event_decoder.h"
#include "engine/schema/schema_registry.h"
#include "rules/react/rule_reactor.h"
#include "tests/rules/rule_pack.h"

namespace keel::rules {
namespace {

using testing::RulePack;

// The state of task/T-1 is {status: blocked}; counts reads, or fails them.
class CountingStates final : public StateReader {
 public:
  Result<std::optional<EntityState>> Get(std::string_view workspace, const EntityRef& entity) override {
    ++gets;
    if (fail) return Status::IOError("disk on fire");
    if (entity.ToString() != "task/T-1") return std::optional<EntityState>();
    return std::optional<EntityState>(
        EntityState::FromCanonical(R"({"id":"T-1","kind":"task","status":"blocked","workspace":"acme"})"));
  }
  Status ForEachEntity(std::string_view, std::string_view,
                       const std::function<bool(std::string_view, const EntityState&)>&) override {
    return Status::OK();
  }
  Result<std::optional<PendingTimer>> GetTimer(std::string_view, std::string_view) override {
    return std::optional<PendingTimer>();
  }
  Status ForEachTimer(std::string_view, const std::function<bool(const PendingTimer&)>&) override {
    return Status::OK();
  }
  Result<std::vector<std::string>> Workspaces() override { return std::vector<std::string>{"acme"}; }

  int gets = 0;
  bool fail = false;
};

// The conditions are no equalities (the rule index would select the rules by
// them, resolving the path to do so, and never evaluate them for other
// actors).
class LateStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RulePack pack;
    pack.Add("rules/a.yaml", R"(rules:
  - id: ann-blocked
    on: comment.added
    if: event.actor.endsWith(":ann") && entity.status.startsWith("blocked")
    then: [{add_comment: "ann on a blocked task"}]
  - id: carol-echo
    on: comment.added
    if: event.actor.endsWith(":carol")
    then: [{add_comment: "echo {{ event.id }}"}]
  - id: dave-status
    on: comment.added
    if: event.actor.endsWith(":dave")
    then: [{add_comment: "status {{ entity.status }}"}]
)");
    reactor_.emplace(pack.LoadOk());
    auto schemas = SchemaRegistry::LoadEmbedded();
    ASSERT_TRUE(schemas.ok()) << schemas.status().ToString();
    schemas_ = std::move(schemas).value();
  }

  // A comment on task/T-1 by `actor`: it changes no state, so the reactor
  // must read the task's state from `states` to evaluate `entity`.
  Event Comment(std::string_view actor, std::string_view subject = "task/T-1") {
    EventDecoder decoder(schemas_.get());
    std::string json = R"({"specversion":"1.0","id":"c-)" + std::string(actor.substr(5)) +
                       R"(","source":"test","type":"comment.added","subject":")" + std::string(subject) +
                       R"(","workspace":"acme",)"
                       R"("time":"2026-03-02T09:00:00Z","actor":")" +
                       std::string(actor) + R"(","data":{"text":"hello"}})";
    Result<Event> event = decoder.DecodeInput(json);
    EXPECT_TRUE(event.ok()) << event.status().ToString();
    return event.ok() ? *event : Event();
  }

  Status React(const Event& event, Reaction* reaction) {
    ReactionInput input{event, nullptr, nullptr, 0};
    return reactor_->React(input, states_, reaction);
  }

  std::unique_ptr<SchemaRegistry> schemas_;
  std::optional<RuleReactor> reactor_;
  CountingStates states_;
};

TEST_F(LateStateTest, AConditionThatFailsBeforeReachingTheEntityReadsNoState) {
  Reaction reaction;
  ASSERT_TRUE(React(Comment("user:bob"), &reaction).ok());
  EXPECT_EQ(states_.gets, 0);
  EXPECT_TRUE(reaction.events.empty());
  EXPECT_TRUE(reaction.failures.empty());
}

TEST_F(LateStateTest, AConditionThatReachesTheEntityReadsItAndDecidesOnIt) {
  Reaction reaction;
  ASSERT_TRUE(React(Comment("user:ann"), &reaction).ok());
  EXPECT_GE(states_.gets, 1);
  ASSERT_EQ(reaction.events.size(), 1u);
  EXPECT_EQ(reaction.events[0].rule_id, "ann-blocked");
  EXPECT_TRUE(reaction.failures.empty());
}

// The previous event's entity must not show through to the next one, which
// reads its own (here: none, so the condition is false, not an error).
TEST_F(LateStateTest, EachEventReadsItsOwnState) {
  Reaction first;
  ASSERT_TRUE(React(Comment("user:ann"), &first).ok());
  ASSERT_EQ(first.events.size(), 1u);
  Event other = Comment("user:ann", "task/T-2");
  Reaction second;
  ASSERT_TRUE(React(other, &second).ok());
  EXPECT_TRUE(second.events.empty());
  EXPECT_EQ(second.failures.size(), 1u);  // entity is null: null.status has no such field
}

TEST_F(LateStateTest, ARuleWhoseActionsReadOnlyTheEventFiresWithoutReadingState) {
  Reaction reaction;
  ASSERT_TRUE(React(Comment("user:carol"), &reaction).ok());
  EXPECT_EQ(states_.gets, 0);
  ASSERT_EQ(reaction.events.size(), 1u);
  EXPECT_NE(reaction.events[0].data_json.find("echo c-carol"), std::string::npos) << reaction.events[0].data_json;
}

TEST_F(LateStateTest, AnActionThatReadsTheEntityReadsItsState) {
  Reaction reaction;
  ASSERT_TRUE(React(Comment("user:dave"), &reaction).ok());
  EXPECT_GE(states_.gets, 1);
  ASSERT_EQ(reaction.events.size(), 1u);
  EXPECT_NE(reaction.events[0].data_json.find("status blocked"), std::string::npos) << reaction.events[0].data_json;
}

TEST_F(LateStateTest, AStateAnActionCannotReadFailsTheReactionNotTheRule) {
  states_.fail = true;
  Reaction reaction;
  Status status = React(Comment("user:dave"), &reaction);
  EXPECT_EQ(status.code(), StatusCode::kIOError) << status.ToString();
  EXPECT_TRUE(reaction.failures.empty());
}

TEST_F(LateStateTest, AStateThatCannotBeReadFailsTheReactionNotTheRule) {
  states_.fail = true;
  Reaction reaction;
  Status status = React(Comment("user:ann"), &reaction);
  EXPECT_EQ(status.code(), StatusCode::kIOError) << status.ToString();
  EXPECT_NE(status.message().find("disk on fire"), std::string::npos) << status.ToString();
  EXPECT_TRUE(reaction.failures.empty());
  EXPECT_TRUE(reaction.events.empty());
  // An event whose condition never reaches the entity is not held up by it.
  Reaction other;
  EXPECT_TRUE(React(Comment("user:bob"), &other).ok());
  EXPECT_TRUE(other.failures.empty());
}

}  // namespace
}  // namespace keel::rules
