// One entity across tools, end to end: keel's task/T-7 makes the built-in jira
// action mapping create an issue (its request labels the issue with the task's
// marker), the answer links T-7 to the issue, and Jira's webhooks about that
// issue, which carry the label back, map through the built-in jira webhook
// mapping onto task/T-7 rather than task/jira:10000. The webhook bodies are
// written by hand in the shape Atlassian documents for jira:issue_created and
// jira:issue_updated (issue.fields.labels, changelog.items). The change, back
// in the log on task/T-7, is not sent to Jira again.
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "connectors/actions/action_run.h"
#include "connectors/actions/builtin_actions.h"
#include "connectors/webhooks/builtin_mappings.h"
#include "connectors/webhooks/map_delivery.h"
#include "connectors/webhooks/mapping.h"
#include "engine/log/event_record.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"

namespace keel {
namespace {

const SchemaRegistry& Schemas() {
  static const SchemaRegistry* schemas = SchemaRegistry::LoadEmbedded().value().release();
  return *schemas;
}

// A Jira Cloud webhook about issue ACME-123 (id 10000) with the given labels.
std::string JiraWebhook(const std::string& event, const nlohmann::json& labels, const nlohmann::json& changelog) {
  nlohmann::json body = {
      {"timestamp", 1772442000000},  // 2026-03-02T09:00:00Z
      {"webhookEvent", event},
      {"issue_event_type_name", event == "jira:issue_created" ? "issue_created" : "issue_generic"},
      {"user", {{"accountId", "5b10ac8d82e05b22cc7d4ef5"}, {"displayName", "Dana"}}},
      {"issue",
       {{"id", "10000"},
        {"self", "https://acme.atlassian.net/rest/api/2/issue/10000"},
        {"key", "ACME-123"},
        {"fields",
         {{"summary", "Write the launch plan"},
          {"issuetype", {{"name", "Task"}, {"subtask", false}, {"hierarchyLevel", 0}}},
          {"project", {{"key", "ACME"}}},
          {"status", {{"name", "In Progress"}}},
          {"labels", labels}}}}},
  };
  if (!changelog.is_null()) body["changelog"] = changelog;
  return body.dump();
}

webhooks::MappingOutcome MapJira(const std::string& body, const std::string& delivery_id) {
  Result<webhooks::Mapping> mapping = webhooks::LoadBuiltinMapping("jira", rules::CelExpressions(), &Schemas());
  EXPECT_TRUE(mapping.ok()) << mapping.status().message();
  webhooks::Delivery delivery;
  delivery.endpoint = "jira";
  delivery.headers = {{"x-atlassian-webhook-identifier", delivery_id}, {"content-type", "application/json"}};
  delivery.body = body;
  webhooks::MapOptions options;
  options.workspace = "acme";
  options.schemas = &Schemas();
  std::unique_ptr<ExpressionScope> scope = rules::CelExpressions().NewScope();
  return webhooks::MapDelivery(*mapping, delivery, options, *scope);
}

TEST(OneEntityAcrossTools, JiraWebhooksOfTheIssueKeelCreatedLandOnTheKeelTask) {
  // 1. task.created of task/T-7 through the jira action mapping.
  Result<actions::ActionMapping> action = actions::LoadBuiltinAction("jira", rules::CelExpressions(), &Schemas());
  ASSERT_TRUE(action.ok()) << action.status().message();
  StoredEvent created;
  created.seq = 3;
  created.event = EventFromCanonical(
                      R"({"specversion":"1.0","id":"e-7","source":"keel/rules","type":"task.created","subject":"task/T-7",)"
                      R"("time":"2026-03-02T09:00:00Z","workspace":"acme","actor":"rule:kickoff","data":{"title":"Write the launch plan"}})")
                      .value();
  std::map<std::string, std::string> vars = {{"base_url", "https://acme.atlassian.net"}, {"project", "ACME"}};
  actions::ActionInput input;
  input.event = &created;
  input.sink = "jira";
  input.vars = &vars;
  input.entity = nullptr;
  input.schemas = &Schemas();
  std::unique_ptr<ExpressionScope> scope = rules::CelExpressions().NewScope();
  Result<actions::PreparedAction> prepared = actions::PrepareAction(*action, input, *scope);
  ASSERT_TRUE(prepared.ok()) << prepared.status().message();
  ASSERT_FALSE(prepared->ignored) << prepared->reason;

  // The look-up before the create finds the issue by the task's label ...
  ASSERT_TRUE(prepared->find.has_value());
  EXPECT_EQ(nlohmann::json::parse(prepared->find->body).at("jql"), R"(project = "ACME" AND labels = "keel-task-T-7")");
  // ... and the create writes it.
  EXPECT_EQ(prepared->request.url, "https://acme.atlassian.net/rest/api/3/issue");
  nlohmann::json request = nlohmann::json::parse(prepared->request.body);
  nlohmann::json labels = request.at("fields").at("labels");
  EXPECT_EQ(labels, nlohmann::json::parse(R"(["keel-task-T-7"])"));

  // 2. Jira answers 201 with the new issue: T-7 is linked to it.
  actions::ActionResponse response{201, {{"content-type", "application/json"}},
                                   R"({"id":"10000","key":"ACME-123","self":"https://acme.atlassian.net/rest/api/3/issue/10000"})"};
  Result<std::vector<nlohmann::json>> answers = actions::AnswerEvents(*action, *prepared, input, response, false, *scope);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  ASSERT_EQ(answers->size(), 1u);
  EXPECT_EQ((*answers)[0].at("subject"), "task/T-7");
  EXPECT_EQ((*answers)[0].at("data"), nlohmann::json::parse(R"({"relation":"external","target":"jira:ACME-123","remote_id":"10000"})"));

  // 3. Jira's webhooks about the issue carry the labels it was created with.
  // Its creation is known already: ignored, nothing is created twice.
  webhooks::MappingOutcome first = MapJira(JiraWebhook("jira:issue_created", labels, nullptr), "d-1");
  EXPECT_EQ(first.kind, webhooks::MappingOutcome::Kind::kIgnored);
  EXPECT_EQ(first.reason, "created by keel for task/T-7; already known");

  // Someone moves it in Jira: the status change lands on task/T-7.
  nlohmann::json changelog = nlohmann::json::parse(
      R"({"id":"10100","items":[{"field":"status","fieldtype":"jira","fieldId":"status","from":"10000",
          "fromString":"To Do","to":"3","toString":"In Progress"}]})");
  webhooks::MappingOutcome moved = MapJira(JiraWebhook("jira:issue_updated", labels, changelog), "d-2");
  ASSERT_EQ(moved.kind, webhooks::MappingOutcome::Kind::kEvents) << moved.reason;
  ASSERT_EQ(moved.events.size(), 1u);
  EXPECT_EQ(moved.events[0].at("subject"), "task/T-7");
  EXPECT_EQ(moved.events[0].at("type"), "task.status_changed");
  EXPECT_EQ(moved.events[0].at("data").dump(), R"({"from":"to_do","to":"in_progress"})");

  // That change, back in keel's log on T-7, is not sent to Jira again (it came from Jira).
  StoredEvent echo;
  echo.seq = 5;
  Result<Event> echoed = EventFromCanonical(moved.events[0].dump());
  ASSERT_TRUE(echoed.ok()) << echoed.status().message();
  echo.event = *echoed;
  input.event = &echo;
  input.entity = nlohmann::json::parse(R"({"links":[{"relation":"external","target":"jira:ACME-123"}]})");
  Result<actions::PreparedAction> again = actions::PrepareAction(*action, input, *scope);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->ignored);
  EXPECT_EQ(again->reason, "the event came from Jira: nothing to send back");

  // An issue without the label (made in Jira) keeps its own entity.
  webhooks::MappingOutcome other = MapJira(JiraWebhook("jira:issue_updated", nlohmann::json::array({"launch"}), changelog), "d-3");
  ASSERT_EQ(other.kind, webhooks::MappingOutcome::Kind::kEvents) << other.reason;
  EXPECT_EQ(other.events[0].at("subject"), "task/jira:10000");
}

}  // namespace
}  // namespace keel
