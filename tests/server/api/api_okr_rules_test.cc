// GET /okr, /rules and /rulesets through HTTP, over the log `keel run` makes
// of examples/02-okr-rollup; the harness checks every answer against
// schemas/openapi.json. The values are the ones okr_query_test.cc and
// rules_query_test.cc work out by hand from the pack.
#include <gtest/gtest.h>

#include "tests/server/api/api_test_support.h"

namespace keel::testing {
namespace {

using nlohmann::json;

class ApiOkrRulesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { api_ = new ApiHarness(PackLog("02-okr-rollup"), ApiHarness::Mode::kReadOnly); }
  static void TearDownTestSuite() {
    delete api_;
    api_ = nullptr;
  }
  static ApiHarness* api_;
};

ApiHarness* ApiOkrRulesTest::api_ = nullptr;

json Progresses(const json& node) {
  json values = json::array();
  for (const json& point : node["series"]) values.push_back(point["progress"]);
  return values;
}

TEST_F(ApiOkrRulesTest, TheOkrTreeWithItsSeries) {
  Reply reply = api_->Get("/api/v1/workspaces/acme/okr?from=2026-03-02T00:00:00Z&to=2026-03-30T00:00:00Z&points=5",
                          Token("acme"));
  ASSERT_EQ(reply.status, 200) << reply.text;
  const json& objectives = reply.body["objectives"];
  ASSERT_EQ(objectives.size(), 2u);
  EXPECT_EQ(objectives[0]["ref"], "goal/O-1");
  EXPECT_EQ(objectives[0]["progress"], 1.0);
  EXPECT_EQ(objectives[1]["progress"], 0.6667);
  EXPECT_EQ(Progresses(objectives[0]), json::parse("[null, 0, 0.5, 0.75, 1]"));
  EXPECT_EQ(Progresses(objectives[1]), json::parse("[null, 0, 0, 0.3333, 0.6667]"));
  EXPECT_TRUE(objectives[1]["at_risk"]);
  EXPECT_EQ(objectives[0]["key_results"][0]["tasks"].size(), 2u);
}

TEST_F(ApiOkrRulesTest, TheDefaultRangeAndBadParameters) {
  Reply reply = api_->Get("/api/v1/workspaces/acme/okr", Token("admin"));
  ASSERT_EQ(reply.status, 200) << reply.text;
  EXPECT_EQ(reply.body["from"], "2026-03-02T08:00:00Z");
  EXPECT_EQ(reply.body["to"], "2026-03-31T16:00:00Z");
  EXPECT_EQ(reply.body["objectives"][0]["series"].size(), 30u);
  for (const char* query : {"?points=0", "?points=x", "?from=yesterday", "?from=2026-03-10T00:00:00Z&to=2026-03-01T00:00:00Z"}) {
    Reply bad = api_->Get(std::string("/api/v1/workspaces/acme/okr") + query, Token("admin"));
    EXPECT_EQ(bad.status, 400) << query << ": " << bad.text;
    EXPECT_EQ(bad.body["error"]["code"], "bad_request") << query;
  }
}

// Nothing of pack 02 is marked visible to guests (`visibility`), so a guest
// of acme sees an empty tree.
TEST_F(ApiOkrRulesTest, AGuestSeesOnlyWhatIsVisibleToGuests) {
  Reply reply = api_->Get("/api/v1/workspaces/acme/okr", Token("acme_guest"));
  ASSERT_EQ(reply.status, 200) << reply.text;
  EXPECT_EQ(reply.body["objectives"], json::array());
  EXPECT_EQ(reply.text.find("O-1"), std::string::npos);
}

TEST_F(ApiOkrRulesTest, RulesWithTheirCountsAndTheRuleSets) {
  Reply reply = api_->Get("/api/v1/workspaces/acme/rules", Token("acme"));
  ASSERT_EQ(reply.status, 200) << reply.text;
  ASSERT_EQ(reply.body["rules"].size(), 6u);
  std::map<std::string, int> fired;
  for (const json& rule : reply.body["rules"]) fired[rule["id"]] = rule["fired"];
  EXPECT_EQ(fired["task-to-key-result"], 8);
  EXPECT_EQ(fired["objective-missed"], 4);
  EXPECT_EQ(reply.body["ruleset"]["activated_seq"], 1);

  Reply sets = api_->Get("/api/v1/workspaces/acme/rulesets", Token("acme"));
  ASSERT_EQ(sets.status, 200) << sets.text;
  ASSERT_EQ(sets.body["activations"].size(), 1u);
  EXPECT_EQ(sets.body["activations"][0]["hash"], reply.body["ruleset"]["hash"]);
}

TEST_F(ApiOkrRulesTest, GuestsAndOtherWorkspacesGetNotFound) {
  for (const char* route : {"rules", "rulesets", "okr"}) {
    std::string path = std::string("/api/v1/workspaces/acme/") + route;
    Reply other = api_->Get(path, Token("globex"));
    EXPECT_EQ(other.status, 404) << path;
    EXPECT_EQ(other.body["error"]["code"], "not_found");
    Reply none = api_->Get(path, "");
    EXPECT_EQ(none.status, 401) << path;
  }
  for (const char* route : {"rules", "rulesets"}) {
    Reply guest = api_->Get(std::string("/api/v1/workspaces/acme/") + route, Token("acme_guest"));
    EXPECT_EQ(guest.status, 404) << route;
    EXPECT_EQ(guest.body["error"]["code"], "not_found");
  }
}

}  // namespace
}  // namespace keel::testing
