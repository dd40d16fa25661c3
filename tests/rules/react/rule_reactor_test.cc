// Rules inside ingest: failures, the cascade bound, determinism, workspace
// isolation, redelivery, literal template results, roll-ups.
#include <cmath>
#include <optional>

#include "rules/react/ruleset_store.h"
#include "tests/rules/reactor_fixture.h"

namespace keel::rules::testing {
namespace {

using nlohmann::json;

TEST_F(ReactorTest, ARuleWhoseTemplateFailsAppendsRuleFailedAndNothingElseWhileOtherRulesRun) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(id: broken
on: initiative.status_changed
then:
  - add_comment: "first, never appended alone"
  - create_task: {title: "{{ entity.no_such_field }}"}
)");
  pack.Add("rules/b.yaml", "id: fine\non: initiative.status_changed\nthen:\n  - add_comment: ok\n");
  Start(pack);
  Ingest(InitiativeCreated());
  Ingest(InitiativeStarted());
  auto derived = Derived();
  ASSERT_EQ(derived.size(), 2u);
  EXPECT_EQ(derived[0].event.type, "rule.failed");
  json failure = Data(derived[0]);
  EXPECT_EQ(failure["rule"], "broken");
  EXPECT_EQ(failure["trigger"], "e-start");
  EXPECT_EQ(failure["action"], "then[1].create_task");
  EXPECT_NE(failure["reason"].get<std::string>().find("rules/a.yaml:5:"), std::string::npos) << failure;
  EXPECT_NE(failure["reason"].get<std::string>().find("no_such_field"), std::string::npos) << failure;
  EXPECT_EQ(derived[1].event.type, "comment.added");
  EXPECT_EQ(derived[1].event.rule_id, "fine");
  EXPECT_EQ(reactor_->stats().failed, 1u);
}

TEST_F(ReactorTest, AConditionErrorIsReportedAtItsPlaceInTheRuleFile) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: divide\non: initiative.status_changed\nif: 1 / size(entity.labels) > 0\n"
                           "then:\n  - add_comment: x\n");
  Start(pack);
  Ingest(InitiativeCreated());
  Ingest(InitiativeStarted());
  auto failed = OfType("rule.failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(Data(failed[0])["action"], "if");
  EXPECT_EQ(Data(failed[0])["reason"].get<std::string>().rfind("rules/a.yaml:3:5: if: ", 0), 0u) << Data(failed[0]);
}

TEST_F(ReactorTest, ConditionAndScopeDecideWhetherARuleFires) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(rules:
  - id: only-globex
    on: initiative.status_changed
    scope: [globex]
    then: [{add_comment: globex}]
  - id: only-done
    on: initiative.status_changed
    if: event.data.to == "done"
    then: [{add_comment: done}]
  - id: sees-before-and-workspace
    on: initiative.status_changed
    if: before.status == "planned" && entity.status == "in_progress" && workspace == "acme"
    then: [{add_comment: seen}]
)");
  Start(pack);
  Ingest(InitiativeCreated());
  Ingest(InitiativeStarted());
  auto derived = Derived();
  ASSERT_EQ(derived.size(), 1u);
  EXPECT_EQ(derived[0].event.rule_id, "sees-before-and-workspace");
  EXPECT_EQ(reactor_->stats().fired, (std::map<std::string, uint64_t>{{"sees-before-and-workspace", 1}}));
}

// The guard is read from the event's bytes before the event is bound; the
// conditions of the rules it selects still see the whole event, its time a
// timestamp, and a guard on a nested field or a number selects as CEL would.
TEST_F(ReactorTest, AGuardReadFromTheEventsBytesSelectsAsTheWholeEventWould) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(id: nested-guard
on: task.updated
if: event.data.changes.points.to == 5 && event.time.getFullYear() == 2026 && event.data.changes.points.from == 3
then: [{add_comment: "five points"}]
)");
  pack.Add("rules/b.yaml", R"(id: other-value
on: task.updated
if: event.data.changes.points.to == 8
then: [{add_comment: "eight points"}]
)");
  Start(pack);
  Ingest({.id = "t1", .type = "task.created", .subject = "task/T-1", .data = {{"title", "Copy"}}});
  Ingest({.id = "u1", .type = "task.updated", .subject = "task/T-1",
          .data = {{"changes", {{"points", {{"from", 3}, {"to", 5.0}}}}}}});
  Ingest({.id = "u2", .type = "task.updated", .subject = "task/T-1",
          .data = {{"changes", {{"points", {{"from", 5}, {"to", 13}}}}}}});
  auto derived = Derived();
  ASSERT_EQ(derived.size(), 1u);
  EXPECT_EQ(derived[0].event.rule_id, "nested-guard");
  EXPECT_EQ(reactor_->stats().fired, (std::map<std::string, uint64_t>{{"nested-guard", 1}}));
}

// Conditions that read the event by member get a map of only those members
// (cel::Program::SelectedMembers); what they decide must not change, and the
// actions of a rule that fires must still see the whole event.
TEST_F(ReactorTest, ConditionsThatReadMembersDecideAsOnTheWholeEventAndActionsSeeItAll) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(rules:
  - id: by-member
    on: task.created
    if: event.actor == "user:alice" && has(event.data) && !has(event.nope) && event.time > timestamp("2026-01-01T00:00:00Z")
    then: [{add_comment: "{{ event.type }} {{ event.id }} {{ event.subject }} {{ event.data.title }}"}]
  - id: missing-member
    on: task.created
    if: event.nope == 1
    then: [{add_comment: never}]
  - id: whole-event
    on: task.created
    if: size(event) >= 8 && "specversion" in event
    then: [{add_comment: "whole"}]
  - id: member-never-true
    on: task.created
    if: event.actor == "user:bob"
    then: [{add_comment: never}]
)");
  Start(pack);
  Ingest({.id = "t1", .type = "task.created", .subject = "task/T-1", .data = {{"title", "Copy"}}});
  std::vector<std::string> texts;
  for (const StoredEvent& stored : OfType("comment.added")) texts.push_back(Data(stored)["text"]);
  EXPECT_EQ(texts, (std::vector<std::string>{"task.created t1 task/T-1 Copy", "whole"}));
  auto failed = OfType("rule.failed");
  ASSERT_EQ(failed.size(), 1u);  // the member it reads is absent, as it is from the whole event
  EXPECT_EQ(Data(failed[0])["rule"], "missing-member");
  EXPECT_NE(Data(failed[0])["reason"].get<std::string>().find("nope"), std::string::npos) << Data(failed[0]);
}

// Envelope attributes bound by member come from the decoded event, not its
// canonical bytes: they must read as the whole event has them, escapes
// decoded.
TEST_F(ReactorTest, EnvelopeMembersReadAsDecodedText) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(rules:
  - id: quoted-actor
    on: task.created
    if: 'event.actor == "user:\"q\"\\x" && event.id == "t\"1" && event.type == "task.created" && event.subject == "task/T-1" && event.workspace == "acme" && event.data.title == "Copy"'
    then: [{add_comment: seen}]
)");
  Start(pack);
  Ingest({.id = "t\"1", .type = "task.created", .subject = "task/T-1", .actor = "user:\"q\"\\x",
          .data = {{"title", "Copy"}}});
  EXPECT_EQ(OfType("rule.failed").size(), 0u);
  EXPECT_EQ(OfType("comment.added").size(), 1u);
}

TEST_F(ReactorTest, ParentIsTheTriggeringEntitysParentState) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(id: parent-title
on: task.created
if: parent != null && parent.title == "Website relaunch"
then: [{add_comment: "part of {{ parent.title }}"}]
)");
  Start(pack);
  Ingest(InitiativeCreated());
  Ingest({.id = "t1", .type = "task.created", .subject = "task/T-1", .data = {{"title", "Copy"}, {"parent", "initiative/IN-1"}}});
  Ingest({.id = "t2", .type = "task.created", .subject = "task/T-2", .data = {{"title", "Orphan"}}});
  auto derived = Derived();
  ASSERT_EQ(derived.size(), 1u);
  EXPECT_EQ(derived[0].event.subject, "task/T-1");
  EXPECT_EQ(Data(derived[0])["text"], "part of Website relaunch");
}

// Each update bumps a counter, which is an update: a loop the depth limit ends.
TEST_F(ReactorTest, ACascadeStopsAtTheDepthLimitWithRuleHalted) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(id: bump
on: task.updated
then:
  - set_field: {field: count, value: "{{ entity.count + 1 }}"}
)");
  LogOptions options;
  options.max_cascade_depth = 3;
  Start(pack, options);
  Ingest({.id = "c0", .type = "task.created", .data = {{"title", "Loop"}, {"count", 0}}});
  Ingest({.id = "u1", .type = "task.updated", .data = {{"changes", {{"count", {{"to", 1}}}}}}});
  auto derived = Derived();
  ASSERT_EQ(derived.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(derived[i].event.type, "task.updated");
  EXPECT_EQ(derived[3].event.type, "rule.halted");
  EXPECT_EQ(Data(derived[3])["rule"], "bump");
  EXPECT_EQ(State("task/T-1")["count"], 4);
}

TEST_F(ReactorTest, ATemplateResultHoldingBracesStaysLiteralData) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(id: copy
on: initiative.created
then:
  - create_task: {title: "Re: {{ entity.title }}"}
)");
  Start(pack);
  EventSpec created = InitiativeCreated();
  created.data["title"] = "{{ event.id }} and {{ 1 + 1 }}";
  Ingest(created);
  auto tasks = OfType("task.created");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(Data(tasks[0])["title"], "Re: {{ event.id }} and {{ 1 + 1 }}");
}

TEST_F(ReactorTest, RulesTouchOnlyTheTriggersWorkspace) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(id: start
on: initiative.status_changed
then:
  - set_field: {field: started, value: true, entity: initiative/IN-1}
  - create_task: {title: "Kickoff", parent: initiative/IN-1}
)");
  Start(pack);
  Ingest(InitiativeCreated("a1", "acme"));
  Ingest(InitiativeCreated("g1", "globex"));
  Ingest(InitiativeStarted("a2", "acme"));
  for (const StoredEvent& e : Derived()) EXPECT_EQ(e.event.workspace, "acme") << e.event.canonical;
  EXPECT_EQ(State("initiative/IN-1", "acme")["started"], true);
  EXPECT_FALSE(State("initiative/IN-1", "globex").contains("started"));
}

TEST_F(ReactorTest, ARedeliveredTriggerSpawnsNothingTwiceEvenAfterAReopen) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: spawn\non: initiative.status_changed\nthen:\n  - create_task: {title: Brief}\n");
  Start(pack);
  Ingest(InitiativeCreated());
  EXPECT_EQ(Ingest(InitiativeStarted()).outcome, AppendOutcome::kAppended);
  EXPECT_EQ(Ingest(InitiativeStarted()).outcome, AppendOutcome::kDuplicate);
  uint64_t head = log_->Head().seq;
  Start(pack);  // the same folder, as after a restart
  EXPECT_EQ(Ingest(InitiativeStarted()).outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(log_->Head().seq, head);
  EXPECT_EQ(OfType("task.created").size(), 1u);
}

TEST_F(ReactorTest, TheSameInputsGiveByteIdenticalLogsInTwoFreshDatabases) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(id: spawn
on: initiative.status_changed
then:
  - apply_template: kickoff
  - schedule: {name: check-in, after: 72h}
)");
  pack.Add("templates/kickoff.yaml", R"(name: kickoff
tasks:
  - {key: brief, title: "Brief for {{ entity.title }}", assignee: {role: owner}, due_in: 2}
  - {key: build, title: Build, assignee: {role: tech_lead}, due_in: 10, depends_on: [brief]}
)");
  std::vector<std::vector<std::pair<std::string, std::string>>> logs;
  for (const char* name : {"one", "two"}) {
    Start(pack, {}, name);
    auto activated = ActivateRuleSet(*log_, reactor_->rules(), "2026-03-02T08:00:00Z");
    ASSERT_TRUE(activated.ok()) << activated.status().ToString();
    Ingest(InitiativeCreated());
    Ingest(InitiativeStarted());
    std::vector<std::pair<std::string, std::string>> events;
    for (const StoredEvent& e : All()) events.emplace_back(e.event.canonical, HashToHex(e.hash));
    logs.push_back(events);
  }
  EXPECT_EQ(logs[0].size(), 7u);  // activation, 2 inputs, 2 tasks, 1 link, 1 timer
  EXPECT_EQ(logs[0], logs[1]);
}

TEST_F(ReactorTest, TaskProgressRollsUpToTheKeyResultAndKeyResultsToTheGoal) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(rules:
  - id: tasks-to-kr
    on: [task.status_changed, task.created]
    then: [{roll_up: {from: tasks}}]
  - id: krs-to-goal
    on: key_result.updated
    if: "'progress' in event.data.changes"
    then: [{roll_up: {from: key_results, weight_field: weight}}]
)");
  Start(pack);
  Ingest({.id = "g", .type = "goal.created", .subject = "goal/G-1", .data = {{"title", "Grow"}}});
  Ingest({.id = "k1", .type = "key_result.created", .subject = "key_result/KR-1",
          .data = {{"title", "Signups"}, {"parent", "goal/G-1"}, {"weight", 3}}});
  Ingest({.id = "k2", .type = "key_result.created", .subject = "key_result/KR-2",
          .data = {{"title", "Churn"}, {"parent", "goal/G-1"}, {"progress", 0}}});
  for (const char* id : {"T-1", "T-2", "T-3", "T-4"}) {
    Ingest({.id = std::string("c") + id, .type = "task.created", .subject = std::string("task/") + id,
            .data = {{"title", id}, {"parent", "key_result/KR-1"}, {"status", "todo"}}});
  }
  Ingest({.id = "x", .type = "task.created", .subject = "task/X", .data = {{"title", "no parent"}}});
  EXPECT_EQ(State("key_result/KR-1")["progress"], 0);
  Ingest({.id = "d1", .subject = "task/T-1", .data = {{"from", "todo"}, {"to", "done"}}});
  EXPECT_EQ(State("key_result/KR-1")["progress"], 25);
  EXPECT_EQ(State("goal/G-1")["progress"], 18.75);  // (3 * 25 + 1 * 0) / 4
  Ingest({.id = "a4", .type = "task.archived", .subject = "task/T-4", .data = json::object()});
  Ingest({.id = "d2", .subject = "task/T-2", .data = {{"from", "todo"}, {"to", "done"}}});
  EXPECT_EQ(State("key_result/KR-1")["progress"], 66.67);  // 2 of the 3 members left
  EXPECT_TRUE(OfType("rule.failed").empty());
}

TEST_F(ReactorTest, ActivatingARuleSetStoresItsSourcesAndAppendsRulesetActivatedOnce) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\nthen: [{add_comment: x}]\n");
  Start(pack);
  const RuleSet& set = reactor_->rules();
  auto seq = ActivateRuleSet(*log_, set, "2026-03-02T08:00:00Z");
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_EQ(*seq, 1u);
  auto again = ActivateRuleSet(*log_, set, "2026-03-03T08:00:00Z");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);  // already active: nothing written
  EXPECT_EQ(log_->Head().seq, 1u);

  auto activation = OfType("ruleset.activated");
  ASSERT_EQ(activation.size(), 1u);
  EXPECT_EQ(Data(activation[0]), json({{"hash", set.hash()}, {"rules", {"a"}}, {"files", {"rules/a.yaml"}}}));
  EXPECT_EQ(activation[0].event.workspace, "system");
  EXPECT_EQ(*log_->ActiveRuleSet(), std::optional<std::string>(set.hash()));
  auto stored = LoadStoredRuleSet(*log_, set.hash());
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->sources(), set.sources());

  RulePack changed;
  changed.Add("rules/a.yaml", "id: a\non: task.created\nthen: [{add_comment: y}]\n");
  RuleSet next = changed.LoadOk();
  auto next_seq = ActivateRuleSet(*log_, next, "2026-03-04T08:00:00Z");
  ASSERT_TRUE(next_seq.ok());
  EXPECT_EQ(*next_seq, 2u);
  EXPECT_EQ(*log_->ActiveRuleSet(), std::optional<std::string>(next.hash()));
  // Back to the first set: a new activation, its sources already stored.
  EXPECT_EQ(*ActivateRuleSet(*log_, set, "2026-03-05T08:00:00Z"), 3u);
  EXPECT_EQ(OfType("ruleset.activated").size(), 3u);
}

TEST(RuleSetSourcesTest, TheStoredBytesAreWhatTheHashCoversAndParseBack) {
  RuleSetSources sources = {{"rules/a.yaml", "id: a\n"}, {"templates/t.yaml", std::string("x\0y", 3)}};
  std::string bytes = SerializeRuleSetSources(sources);
  auto parsed = ParseRuleSetSources(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, sources);
  EXPECT_FALSE(ParseRuleSetSources(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(ParseRuleSetSources("rules/a.yaml").ok());
}

}  // namespace
}  // namespace keel::rules::testing

namespace keel::rules::testing {
namespace {

TEST(EqualityGuardTest, TopLevelConjunctsComparingAFieldPathWithAConstantAreGuards) {
  auto guards = [](const std::string& expression) {
    auto program = cel::Compile(expression);
    EXPECT_TRUE(program.ok()) << program.status().ToString();
    std::vector<std::string> out;
    for (const cel::EqualityGuard& g : program->guards()) {
      std::string path;
      for (const std::string& step : g.path) path += (path.empty() ? "" : ".") + step;
      out.push_back(path + "=" + g.value.DebugString());
    }
    return out;
  };
  using Strings = std::vector<std::string>;
  EXPECT_EQ(guards(R"(event.data.to == "done" && size(entity.title) > 3)"), (Strings{R"(event.data.to="done")"}));
  EXPECT_EQ(guards(R"("it" == entity.team && event.data.to == "done" && entity.n == 2)"),
            (Strings{R"(entity.team="it")", R"(event.data.to="done")", "entity.n=2"}));
  EXPECT_EQ(guards(R"(event.data.to == "done" || entity.team == "it")"), Strings{});
  EXPECT_EQ(guards(R"(!(event.data.to == "done"))"), Strings{});
  EXPECT_EQ(guards(R"(event.data.to == entity.status)"), Strings{});
  EXPECT_EQ(guards(R"(has(entity.x) && entity.x == 1.5)"), (Strings{"entity.x=1.5"}));
}

TEST(EqualityGuardTest, UsesVariableSaysWhichVariablesAnExpressionReads) {
  auto program = cel::Compile(R"(event.id.endsWith("3") && [1, 2].exists(x, x == size(workspace)))");
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  EXPECT_TRUE(program->UsesVariable("event"));
  EXPECT_TRUE(program->UsesVariable("workspace"));
  EXPECT_FALSE(program->UsesVariable("entity"));
  EXPECT_FALSE(program->UsesVariable("parent"));
}

TEST(EqualityGuardTest, SelectedMembersAreWhatAnExpressionCanReadOfAVariable) {
  using Strings = std::vector<std::string>;
  auto members = [](const char* expression, const char* variable) -> std::optional<Strings> {
    auto program = cel::Compile(expression);
    EXPECT_TRUE(program.ok()) << program.status().ToString();
    if (!program.ok()) return std::nullopt;
    auto selected = program->SelectedMembers(variable);
    if (!selected) return std::nullopt;
    return Strings(selected->begin(), selected->end());
  };
  EXPECT_EQ(members(R"(event.id.endsWith("3") && event.actor == "a" && event.id != "")", "event"),
            (Strings{"actor", "id"}));
  EXPECT_EQ(members(R"(has(event.data) && event.data.to == "done")", "event"), Strings{"data"});
  EXPECT_EQ(members(R"(entity.status == "blocked")", "event"), Strings{});
  EXPECT_EQ(members(R"(size(event) > 2)", "event"), std::nullopt);
  EXPECT_EQ(members(R"(event["id"] == "x")", "event"), std::nullopt);
  EXPECT_EQ(members(R"(event.id == "x" || event == {})", "event"), std::nullopt);
  // A comprehension variable named like the event can only widen the answer.
  EXPECT_EQ(members(R"([1].exists(event, event > 0) && event.id == "x")", "event"), std::nullopt);
  EXPECT_EQ(members(R"(entity.status == before.status)", "entity"), Strings{"status"});
}

TEST(EqualityGuardTest, JsonTextBecomesTheSameValuesAsParsedJson) {
  const std::string text = R"({"a":[1,-2,18446744073709551615,2.5,"x",true,null],"b":{"c":{}}})";
  auto from_text = cel::FromJsonText(text);
  ASSERT_TRUE(from_text.ok());
  EXPECT_EQ(from_text->DebugString(), cel::FromJson(nlohmann::json::parse(text)).DebugString());
  EXPECT_FALSE(cel::FromJsonText("{\"a\":").ok());
  EXPECT_FALSE(cel::FromJsonText(R"({"a":1,"a":2})").ok());
}

TEST(EqualityGuardTest, EqualValuesShareAKey) {
  EXPECT_EQ(GuardKey(cel::Value::Int(2)), GuardKey(cel::Value::Double(2.0)));
  EXPECT_EQ(GuardKey(cel::Value::Uint(2)), GuardKey(cel::Value::Int(2)));
  EXPECT_NE(GuardKey(cel::Value::Int(2)), GuardKey(cel::Value::String("2")));
  EXPECT_NE(GuardKey(cel::Value::Double(2.5)), GuardKey(cel::Value::Int(2)));
  EXPECT_FALSE(GuardKey(cel::Value::Double(std::nan(""))).has_value());
}

// Indexing by guard changes which rules are evaluated, never what happens.
TEST_F(ReactorTest, GuardedRulesFireExactlyAsTheirConditionsSay) {
  RulePack pack;
  std::string rules = "rules:\n";
  for (int i = 0; i < 40; ++i) {
    rules += "  - id: to-s" + std::to_string(i) + "\n    on: task.status_changed\n    if: event.data.to == \"s" +
             std::to_string(i) + "\" && entity.title != \"\"\n    then: [{add_comment: \"s" + std::to_string(i) + "\"}]\n";
  }
  rules += "  - id: any\n    on: task.status_changed\n    if: entity.title == \"Copy\"\n    then: [{add_comment: any}]\n";
  rules += "  - id: updated-status\n    on: task.updated\n    if: event.data.changes.status.to == \"x\"\n"
           "    then: [{add_comment: x}]\n";
  rules += "  - id: numeric\n    on: task.updated\n    if: event.data.changes.status.to == \"y\" && entity.n == 2\n"
           "    then: [{add_comment: n}]\n";
  pack.Add("rules/a.yaml", rules);
  Start(pack);
  Ingest({.id = "c", .type = "task.created", .data = {{"title", "Copy"}, {"n", 2.0}}});
  Ingest({.id = "s", .data = {{"to", "s7"}}});
  Ingest({.id = "u1", .type = "task.updated", .data = {{"changes", {{"title", {{"to", "Copy"}}}}}}});
  Ingest({.id = "u2", .type = "task.updated", .data = {{"changes", {{"status", {{"to", "y"}}}}}}});
  std::vector<std::string> seen;
  for (const StoredEvent& e : Derived()) seen.push_back(e.event.type + ":" + e.event.rule_id);
  // u1 has no status change: the guard path does not resolve, so both rules
  // are evaluated and fail on the missing field, exactly as unindexed.
  EXPECT_EQ(seen, (std::vector<std::string>{"comment.added:any", "comment.added:to-s7", "rule.failed:numeric",
                                            "rule.failed:updated-status", "comment.added:numeric"}));
}

}  // namespace
}  // namespace keel::rules::testing
