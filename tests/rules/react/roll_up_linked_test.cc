// roll_up with `to: linked`: a task rolls up into every key result it links
// to with the roll-up's relation, each under its own derived id.
#include <set>

#include "tests/rules/reactor_fixture.h"

namespace keel::rules::testing {
namespace {

using nlohmann::json;

json ContributesTo(std::initializer_list<const char*> key_results) {
  json links = json::array();
  for (const char* kr : key_results) links.push_back({{"relation", "contributes_to"}, {"target", kr}});
  return links;
}

class RollUpLinkedTest : public ReactorTest {
 protected:
  void StartWithLinkedRollUp() {
    RulePack pack;
    pack.Add("rules/a.yaml", R"(id: tasks-to-krs
on: [task.created, task.status_changed, task.linked]
then: [{roll_up: {from: tasks, relation: contributes_to, to: linked}}]
)");
    Start(pack);
    for (const char* kr : {"KR-1", "KR-2"}) {
      Ingest({.id = std::string("k") + kr, .type = "key_result.created", .subject = std::string("key_result/") + kr,
              .data = {{"title", kr}}});
    }
  }
};

TEST_F(RollUpLinkedTest, ATaskContributingToTwoKeyResultsMovesBoth) {
  StartWithLinkedRollUp();
  Ingest({.id = "c1", .type = "task.created", .subject = "task/T-1",
          .data = {{"title", "both"}, {"status", "todo"}, {"links", ContributesTo({"key_result/KR-1", "key_result/KR-2"})}}});
  Ingest({.id = "c2", .type = "task.created", .subject = "task/T-2",
          .data = {{"title", "one"}, {"status", "todo"}, {"links", ContributesTo({"key_result/KR-1"})}}});
  Ingest({.id = "d1", .subject = "task/T-1", .data = {{"from", "todo"}, {"to", "done"}}});
  EXPECT_EQ(State("key_result/KR-1")["progress"], 50);
  EXPECT_EQ(State("key_result/KR-2")["progress"], 100);

  std::set<std::string> ids;
  for (const StoredEvent& e : OfType("key_result.updated")) ids.insert(e.event.id);
  EXPECT_EQ(ids.size(), OfType("key_result.updated").size());  // one derived id per target
  EXPECT_TRUE(OfType("rule.failed").empty());
}

TEST_F(RollUpLinkedTest, OtherRelationsAndTasksWithoutLinksRollUpNothing) {
  StartWithLinkedRollUp();
  Ingest({.id = "c1", .type = "task.created", .subject = "task/T-1", .data = {{"title", "plain"}, {"status", "done"}}});
  Ingest({.id = "l1", .type = "task.linked", .subject = "task/T-1",
          .data = {{"relation", "relates_to"}, {"target", "key_result/KR-1"}}});
  EXPECT_TRUE(OfType("key_result.updated").empty());
  Ingest({.id = "l2", .type = "task.linked", .subject = "task/T-1",
          .data = {{"relation", "contributes_to"}, {"target", "key_result/KR-1"}}});
  EXPECT_EQ(State("key_result/KR-1")["progress"], 100);
  EXPECT_TRUE(State("key_result/KR-2")["progress"].is_null());
}

TEST(RollUpLinkedLoadTest, LinkedNeedsALinkRelation) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\nthen: [{roll_up: {from: tasks, to: linked}}]\n");
  EXPECT_FALSE(pack.Load().ok());
  ASSERT_EQ(pack.Problems().size(), 1u) << pack.Report();
  EXPECT_NE(pack.Problems()[0].find("roll_up.to: 'linked' needs a link relation"), std::string::npos) << pack.Report();
}

}  // namespace
}  // namespace keel::rules::testing
