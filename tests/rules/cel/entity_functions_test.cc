// lookup() and entities(): rules reading entities other than their trigger's,
// in the trigger's workspace only, as the log stands before the event.
#include <gtest/gtest.h>

#include "rules/cel/cel.h"
#include "tests/rules/reactor_fixture.h"

namespace keel::rules::testing {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

EventSpec TaskCreated(const std::string& id, const std::string& task, json data,
                      const std::string& workspace = "acme") {
  return {.id = id, .type = "task.created", .subject = "task/" + task, .workspace = workspace, .data = std::move(data)};
}

EventSpec Assigned(const std::string& id, const std::string& task, const std::string& to) {
  return {.id = id, .type = "task.assigned", .subject = "task/" + task, .data = {{"from", nullptr}, {"to", to}}};
}

class EntityFunctionsTest : public ReactorTest {
 protected:
  Strings Comments() const {
    Strings out;
    for (const StoredEvent& e : OfType("comment.added")) out.push_back(e.event.subject + ": " + Data(e)["text"].get<std::string>());
    return out;
  }
  Strings Failures() const {
    Strings out;
    for (const StoredEvent& e : OfType("rule.failed")) out.push_back(Data(e)["reason"].get<std::string>());
    return out;
  }
};

// Counts the assignee's open high-priority tasks at each assignment.
const char* kCountRule = R"(id: count
on: task.assigned
then:
  - add_comment: >-
      {{ entities("task", {"assignee": event.data.to, "priority": "high"})
         .filter(t, t.id != entity.id && !(has(t.status) && t.status == "done")).size() }} others
)";

TEST_F(EntityFunctionsTest, EntitiesFiltersByFieldsAndSkipsArchivedAndOtherWorkspaces) {
  RulePack pack;
  pack.Add("rules/r.yaml", kCountRule);
  Start(pack);
  Ingest(TaskCreated("c1", "T-1", {{"title", "a"}, {"assignee", "user:ana"}, {"priority", "high"}}));
  Ingest(TaskCreated("c2", "T-2", {{"title", "b"}, {"assignee", "user:ana"}, {"priority", "high"}, {"status", "done"}}));
  Ingest(TaskCreated("c3", "T-3", {{"title", "c"}, {"assignee", "user:ana"}, {"priority", "low"}}));
  Ingest(TaskCreated("c4", "T-4", {{"title", "d"}, {"assignee", "user:ana"}, {"priority", "high"}}));
  Ingest({.id = "c5", .type = "task.archived", .subject = "task/T-4"});
  Ingest(TaskCreated("c6", "T-5", {{"title", "e"}, {"assignee", "user:ana"}, {"priority", "high"}}, "globex"));
  Ingest(TaskCreated("c7", "T-6", {{"title", "f"}, {"priority", "high"}}));
  Ingest(Assigned("a1", "T-6", "user:ana"));
  // T-1 only: T-2 is done, T-3 low, T-4 archived, T-5 in another workspace.
  EXPECT_EQ(Comments(), (Strings{"task/T-6: 1 others"}));
}

TEST_F(EntityFunctionsTest, LookupReadsAnotherEntityOrNull) {
  RulePack pack;
  pack.Add("rules/r.yaml", R"(id: look
on: task.created
then:
  - add_comment: "{{ lookup(entity.parent).title }} / {{ lookup('task/NOPE') }}"
)");
  Start(pack);
  Ingest({.id = "i1", .type = "initiative.created", .subject = "initiative/IN-1", .data = {{"title", "Portal"}}});
  Ingest(TaskCreated("c1", "T-1", {{"title", "a"}, {"parent", "initiative/IN-1"}}));
  EXPECT_EQ(Comments(), (Strings{"task/T-1: Portal / null"}));
}

TEST_F(EntityFunctionsTest, BadArgumentsFailTheRuleWithTheReason) {
  RulePack pack;
  pack.Add("rules/r.yaml", R"(id: bad
on: task.created
if: lookup(entity.title) != null || size(entities(entity.title)) > 0
then:
  - add_comment: "never"
)");
  Start(pack);
  Ingest(TaskCreated("c1", "T-1", {{"title", "nokind"}}));
  Ingest(TaskCreated("c2", "T-2", {{"title", "tusk/T-1"}}));
  Strings failures = Failures();
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_NE(failures[0].find("'nokind' is not KIND/ID"), std::string::npos) << failures[0];
  EXPECT_NE(failures[1].find("'tusk' is not an entity kind"), std::string::npos) << failures[1];
  EXPECT_TRUE(Comments().empty());
}

TEST(EntityFunctionsPlainCelTest, WithoutASourceTheyAreErrorsNotConstants) {
  for (const char* expression : {"lookup('task/T-1')", "entities('task')", "entities('task', {'a': 1})"}) {
    Result<cel::Program> program = cel::Compile(expression);
    ASSERT_TRUE(program.ok()) << program.status().ToString();
    cel::Activation empty;
    Result<cel::Value> value = program->Evaluate(empty);
    ASSERT_FALSE(value.ok()) << expression;
    EXPECT_NE(value.status().message().find("has no entities to read here"), std::string::npos)
        << value.status().message();
  }
  EXPECT_FALSE(cel::Compile("entities(1)").ok()) << "the kind is a string";
  EXPECT_FALSE(cel::Compile("entities('task', [1])").ok()) << "where is a map";
}

// Five tasks, none matching any `where`.
class FiveTasks final : public cel::EntitySource {
 public:
  Result<cel::Value> Lookup(std::string_view, std::string_view) const override { return cel::Value::Null(); }
  Result<int64_t> ForEach(std::string_view, std::span<const cel::MapEntry> where,
                          const std::function<void(cel::Value)>& visit) const override {
    if (where.empty()) {
      for (int i = 0; i < 5; ++i) visit(cel::Value::Int(i));
    }
    return 5;
  }
};

TEST(EntityFunctionsPlainCelTest, CostIsChargedPerEntityReadNotPerMatch) {
  FiveTasks source;
  cel::Activation activation;
  activation.SetEntitySource(&source);
  cel::EvalOptions tight;
  tight.max_cost = 4;
  Result<cel::Value> all = cel::Compile("size(entities('task'))")->Evaluate(activation);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->AsInt(), 5);
  Result<cel::Value> over = cel::Compile("size(entities('task', {'x': 1}))")->Evaluate(activation, tight);
  ASSERT_FALSE(over.ok()) << "five entities read cost five steps, though none matched";
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted) << over.status().ToString();
}

}  // namespace
}  // namespace keel::rules::testing
