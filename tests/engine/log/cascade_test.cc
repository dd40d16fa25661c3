// Cascades through a fake reactor: the engine's half of rule evaluation.
#include <functional>
#include <map>

#include <gtest/gtest.h>

#include "engine/log/event_log.h"
#include "engine/schema/schema_registry.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using testing::MakeEvent;

// A reactor whose rules are one lambda.
class FakeReactor : public Reactor {
 public:
  using Rule = std::function<Status(const ReactionInput&, StateReader&, Reaction*)>;
  explicit FakeReactor(Rule rule) : rule_(std::move(rule)) {}
  const std::string& ruleset_hash() const override { return hash_; }
  Status React(const ReactionInput& input, StateReader& state, Reaction* reaction) override {
    ++calls;
    return rule_(input, state, reaction);
  }
  int calls = 0;

 private:
  Rule rule_;
  std::string hash_ = std::string(64, 'a');
};

class CascadeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { schemas_ = std::move(SchemaRegistry::LoadEmbedded()).value().release(); }

  std::unique_ptr<EventLog> Open(const std::filesystem::path& path, std::shared_ptr<Reactor> reactor,
                                 LogOptions options = {}) {
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    auto log = std::move(EventLog::Open(path, options)).value();
    log->SetReactor(std::move(reactor), schemas_);
    return log;
  }

  static std::vector<StoredEvent> All(const EventLog& log) {
    std::vector<StoredEvent> events;
    EXPECT_TRUE(log.Scan(1, UINT64_MAX, [&](const StoredEvent& e) {
      events.push_back(e);
      return true;
    }).ok());
    return events;
  }

  static Result<std::vector<AppendResult>> Append(EventLog& log, Event event) {
    std::vector<AppendRequest> group;
    group.push_back({std::move(event), std::nullopt});
    return log.Append(std::move(group));
  }

  static Event Done(std::string id, std::string subject = "task/T-1") {
    return MakeEvent({.id = std::move(id), .subject = std::move(subject), .data = {{"to", "done"}}});
  }

  static SchemaRegistry* schemas_;
  testing::TempDir dir_;
};
SchemaRegistry* CascadeTest::schemas_ = nullptr;

// When a task is done, a follow-up task is created (once per trigger).
Status SpawnFollowUp(const ReactionInput& in, StateReader&, Reaction* out) {
  if (in.event.type != "task.status_changed") return Status::OK();
  out->events.push_back({"follow-up", "then[0]", "task.created", "task/" + in.event.entity.id + "-review",
                         R"({"title":"Review the finished work","status":"todo"})", ""});
  return Status::OK();
}

TEST_F(CascadeTest, DerivedEventsCarryTheirCauseRuleAndRuleSetAndShareTheTriggersBatch) {
  auto log = Open(dir_ / "db", std::make_shared<FakeReactor>(SpawnFollowUp));
  ASSERT_TRUE(Append(*log, Done("e1")).ok());
  auto events = All(*log);
  ASSERT_EQ(events.size(), 2u);
  const Event& derived = events[1].event;
  EXPECT_EQ(derived.type, "task.created");
  EXPECT_EQ(derived.subject, "task/T-1-review");
  EXPECT_EQ(derived.causation_id, "e1");
  EXPECT_EQ(derived.correlation_id, "e1");
  EXPECT_EQ(derived.rule_id, "follow-up");
  EXPECT_EQ(derived.ruleset_hash, std::string(64, 'a'));
  EXPECT_EQ(derived.time, events[0].event.time);  // the trigger's time, never the wall clock
  EXPECT_EQ(derived.workspace, "acme");
  EXPECT_EQ(derived.actor, "rule:follow-up");
  auto state = log->GetEntity("acme", {"task", "T-1-review"});
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->GetString("title"), "Review the finished work");
}

TEST_F(CascadeTest, AThreeLevelCascadeCorrelatesEveryEventToTheRoot) {
  // status_changed -> comment on the task -> status change of the parent -> comment on the parent.
  auto reactor = std::make_shared<FakeReactor>([](const ReactionInput& in, StateReader&, Reaction* out) {
    if (in.event.type == "task.status_changed" && in.event.entity.id == "T-1") {
      out->events.push_back(
          {"note", "then[0]", "comment.added", "task/T-1", R"({"text":"done, telling the parent"})", ""});
    } else if (in.event.type == "comment.added" && in.event.entity.id == "T-1") {
      out->events.push_back({"bubble", "then[0]", "task.status_changed", "task/P-1", R"({"to":"ready"})", ""});
    } else if (in.event.type == "task.status_changed" && in.event.entity.id == "P-1") {
      out->events.push_back({"note", "then[0]", "comment.added", "task/P-1", R"({"text":"children done"})", ""});
    }
    return Status::OK();
  });
  auto log = Open(dir_ / "db", reactor);
  ASSERT_TRUE(Append(*log, Done("root")).ok());
  auto events = All(*log);
  ASSERT_EQ(events.size(), 4u);
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_EQ(events[i].event.correlation_id, "root");
    EXPECT_EQ(events[i].event.causation_id, events[i - 1].event.id);
  }
}

TEST_F(CascadeTest, ARuleThatTriggersItselfHaltsAtTheDepthLimit) {
  auto reactor = std::make_shared<FakeReactor>([](const ReactionInput& in, StateReader&, Reaction* out) {
    out->events.push_back({"echo", "then[0]", "comment.added", in.event.subject, R"({"text":"again"})", ""});
    return Status::OK();
  });
  LogOptions options;
  options.max_cascade_depth = 4;
  auto log = Open(dir_ / "db", reactor, options);
  ASSERT_TRUE(Append(*log, Done("e1")).ok());
  auto events = All(*log);
  ASSERT_EQ(events.size(), 1u + 4u + 1u);  // the input, four levels, the halt
  EXPECT_EQ(events.back().event.type, "rule.halted");
  EXPECT_NE(events.back().event.data().find("cascade depth limit of 4"), std::string::npos);
}

// A fan-out cascade (each comment derives three more) stops at the
// per-input limit with one rule.halted; the next input starts afresh.
TEST_F(CascadeTest, AFanOutStopsAtTheLimitOfEventsDerivedFromOneInput) {
  auto reactor = std::make_shared<FakeReactor>([](const ReactionInput& in, StateReader&, Reaction* out) {
    for (int i = 0; i < 3; ++i) {
      out->events.push_back({"fan-out", "then[" + std::to_string(i) + "]", "comment.added", in.event.subject,
                             R"({"text":"again"})", ""});
    }
    return Status::OK();
  });
  LogOptions options;
  options.max_cascade_depth = 20;  // 3^20 events without the other limit
  options.max_derived_per_input = 50;
  auto log = Open(dir_ / "db", reactor, options);
  ASSERT_TRUE(Append(*log, Done("e1")).ok());
  auto events = All(*log);
  ASSERT_EQ(events.size(), 1u + 50u + 1u);  // the input, the limit, one halt
  EXPECT_EQ(events.back().event.type, "rule.halted");
  EXPECT_NE(events.back().event.data().find("limit of 50 events derived from one input event"), std::string::npos)
      << events.back().event.data();

  ASSERT_TRUE(Append(*log, Done("e2", "task/T-2")).ok());
  EXPECT_EQ(All(*log).size(), 2u * 52u);
}

// Failures count too: a rule set whose every rule fails on every event
// cannot flood the log with rule.failed either.
TEST_F(CascadeTest, RuleFailuresCountTowardsTheLimitOfOneInput) {
  auto reactor = std::make_shared<FakeReactor>([](const ReactionInput& in, StateReader&, Reaction* out) {
    if (in.depth > 0) return Status::OK();
    for (int i = 0; i < 30; ++i) out->failures.push_back({"broken-" + std::to_string(i), "if", "no such field"});
    return Status::OK();
  });
  LogOptions options;
  options.max_derived_per_input = 10;
  auto log = Open(dir_ / "db", reactor, options);
  ASSERT_TRUE(Append(*log, Done("e1")).ok());
  auto events = All(*log);
  ASSERT_EQ(events.size(), 1u + 10u + 1u);
  EXPECT_EQ(events[10].event.type, "rule.failed");
  EXPECT_EQ(events.back().event.type, "rule.halted");
}

// Activating a rule set may arm a timer for every existing task, in every
// workspace it serves: each workspace has the whole bound, none more
// (invariant 8: every bound applies to every workspace, the system one's
// triggers included).
TEST_F(CascadeTest, ARuleSetsActivationIsBoundedInEachWorkspace) {
  auto reactor = std::make_shared<FakeReactor>([](const ReactionInput& in, StateReader&, Reaction* out) {
    if (in.event.type != "ruleset.activated") return Status::OK();
    for (std::string workspace : {"acme", "globex"}) {
      for (int i = 0; i < 60; ++i) {
        DerivedEventRequest request{"arm", "on/" + workspace + "[" + std::to_string(i) + "]", "comment.added",
                                    "task/T-" + std::to_string(i), R"({"text":"armed"})", ""};
        request.workspace = workspace;
        out->events.push_back(std::move(request));
      }
    }
    return Status::OK();
  });
  LogOptions options;
  options.max_derived_per_input = 50;
  auto log = Open(dir_ / "db", reactor, options);
  auto activated = log->ActivateRuleSet({.hash = std::string(64, 'a'), .sources = "x", .rule_ids = {"arm"},
                                         .files = {}, .time = "2026-03-02T09:00:00Z", .limits = std::nullopt});
  ASSERT_TRUE(activated.ok()) << activated.status().ToString();
  std::map<std::string, int> comments;
  std::vector<std::string> halts;
  for (const StoredEvent& stored : All(*log)) {
    if (stored.event.type == "comment.added") ++comments[stored.event.workspace];
    if (stored.event.type == "rule.halted") halts.emplace_back(stored.event.data());
  }
  EXPECT_EQ(comments["acme"], 50);
  EXPECT_EQ(comments["globex"], 50);
  ASSERT_EQ(halts.size(), 2u);
  EXPECT_NE(halts[0].find("limit of 50 events derived from one input event reached in workspace 'acme'"),
            std::string::npos) << halts[0];
  EXPECT_NE(halts[1].find("in workspace 'globex'"), std::string::npos) << halts[1];
}

// A derived id already in the workspace (put there by a replay of another
// log, or a hash collision; input events cannot take one) is never appended
// twice, and the automation does not vanish without a word: rule.failed.
TEST_F(CascadeTest, ADerivedIdAlreadyTakenAppendsRuleFailedNamingIt) {
  std::string derived_id;
  {
    auto scratch = Open(dir_ / "scratch", std::make_shared<FakeReactor>(SpawnFollowUp));
    ASSERT_TRUE(Append(*scratch, Done("e1")).ok());
    derived_id = All(*scratch).at(1).event.id;
  }
  auto log = Open(dir_ / "db", nullptr);
  ASSERT_TRUE(Append(*log, MakeEvent({.id = derived_id, .type = "comment.added", .subject = "task/T-9",
                                      .data = {{"text", "took the id first"}}}))
                  .ok());
  log->SetReactor(std::make_shared<FakeReactor>(SpawnFollowUp), schemas_);
  ASSERT_TRUE(Append(*log, Done("e1")).ok());
  auto events = All(*log);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].event.type, "rule.failed");
  EXPECT_NE(events[2].event.data().find(derived_id), std::string::npos) << events[2].event.data();
  EXPECT_NE(events[2].event.data().find("already taken"), std::string::npos) << events[2].event.data();
  auto follow_up = log->GetEntity("acme", {"task", "T-1-review"});
  ASSERT_TRUE(follow_up.ok());
  EXPECT_FALSE(follow_up->has_value());
}

// The same trigger id in another workspace derives the same ids there: both
// workspaces get their automation.
TEST_F(CascadeTest, TheSameTriggerIdInTwoWorkspacesDerivesInBoth) {
  auto log = Open(dir_ / "db", std::make_shared<FakeReactor>(SpawnFollowUp));
  ASSERT_TRUE(Append(*log, Done("e1")).ok());
  Event in_globex = MakeEvent({.id = "e1", .workspace = "globex", .data = {{"to", "done"}}});
  ASSERT_TRUE(Append(*log, std::move(in_globex)).ok());
  auto events = All(*log);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[3].event.type, "task.created");
  EXPECT_EQ(events[3].event.workspace, "globex");
  EXPECT_EQ(events[3].event.id, events[1].event.id);
}

TEST_F(CascadeTest, AnInvalidDerivedEventBecomesRuleFailedAndOtherRulesStillRun) {
  auto reactor = std::make_shared<FakeReactor>([](const ReactionInput& in, StateReader&, Reaction* out) {
    if (in.event.type != "task.status_changed") return Status::OK();
    out->events.push_back({"broken", "then[0]", "task.status_changed", "task/T-1", R"({"to":5})", ""});
    out->events.push_back({"fine", "then[0]", "comment.added", "task/T-1", R"({"text":"still here"})", ""});
    out->failures.push_back({"template", "then[1]", "no such key: owner"});
    return Status::OK();
  });
  auto log = Open(dir_ / "db", reactor);
  ASSERT_TRUE(Append(*log, Done("e1")).ok());
  auto events = All(*log);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].event.type, "rule.failed");
  EXPECT_NE(events[1].event.data().find("no such key: owner"), std::string::npos);
  EXPECT_EQ(events[2].event.type, "rule.failed");
  EXPECT_EQ(events[2].event.rule_id, "broken");
  EXPECT_NE(events[2].event.data().find("data.to"), std::string::npos);
  EXPECT_EQ(events[3].event.rule_id, "fine");
}

TEST_F(CascadeTest, ARedeliveredTriggerSpawnsNothingTwice) {
  auto log = Open(dir_ / "db", std::make_shared<FakeReactor>(SpawnFollowUp));
  ASSERT_TRUE(Append(*log, Done("e1")).ok());
  auto again = Append(*log, Done("e1"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(All(*log).size(), 2u);
}

TEST_F(CascadeTest, TheSameInputsGiveByteIdenticalLogs) {
  std::vector<std::vector<StoredEvent>> logs;
  for (const char* name : {"a", "b"}) {
    auto log = Open(dir_ / name, std::make_shared<FakeReactor>(SpawnFollowUp));
    ASSERT_TRUE(Append(*log, Done("e1")).ok());
    ASSERT_TRUE(Append(*log, Done("e2", "task/T-2")).ok());
    logs.push_back(All(*log));
  }
  ASSERT_EQ(logs[0].size(), 4u);
  ASSERT_EQ(logs[0].size(), logs[1].size());
  for (size_t i = 0; i < logs[0].size(); ++i) {
    EXPECT_EQ(logs[0][i].event.canonical, logs[1][i].event.canonical);
    EXPECT_EQ(logs[0][i].hash, logs[1][i].hash);
  }
}

TEST_F(CascadeTest, AReactorErrorWritesNothingOfTheBatch) {
  auto reactor = std::make_shared<FakeReactor>([](const ReactionInput&, StateReader&, Reaction*) {
    return Status::Internal("evaluator broke");
  });
  auto log = Open(dir_ / "db", reactor);
  EXPECT_FALSE(Append(*log, Done("e1")).ok());
  EXPECT_EQ(log->Head().seq, 0u);
  EXPECT_TRUE(All(*log).empty());
}

TEST_F(CascadeTest, TheReactorSeesStateBeforeAndAfterAndTheBatchInHand) {
  std::string seen;
  auto reactor = std::make_shared<FakeReactor>([&](const ReactionInput& in, StateReader& state, Reaction*) {
    if (in.event.type != "task.status_changed") return Status::OK();
    seen = (in.before ? in.before->GetString("status") : "-") + ">" + in.after->GetString("status");
    auto other = state.Get("acme", {"task", "T-2"});  // created earlier in this same batch
    if (other.ok() && other->has_value()) seen += " T-2:" + (*other)->GetString("title");
    return Status::OK();
  });
  auto log = Open(dir_ / "db", reactor);
  std::vector<AppendRequest> group;
  group.push_back({MakeEvent({.id = "c1", .type = "task.created", .data = {{"title", "One"}, {"status", "todo"}}}), {}});
  group.push_back({MakeEvent({.id = "c2", .type = "task.created", .subject = "task/T-2", .data = {{"title", "Two"}}}), {}});
  group.push_back({Done("e1"), {}});
  ASSERT_TRUE(log->Append(std::move(group)).ok());
  EXPECT_EQ(seen, "todo>done T-2:Two");
}

}  // namespace
}  // namespace keel
