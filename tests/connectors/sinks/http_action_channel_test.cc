// The http actions channel against a real HTTP server on loopback
// (RecordingHttpServer) through the libcurl client, with the jira built-in:
// the look-up then the create, the auth header (Basic as RFC 7617's example
// writes it), the answer events, an item found not created again, retries
// and refusals classified as the runner needs them.
#include <gtest/gtest.h>

#include "connectors/actions/builtin_actions.h"
#include "connectors/sinks/http_action_channel.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"
#include "tests/support/events.h"
#include "tests/support/recording_http_server.h"

namespace keel::testing {
namespace {

using nlohmann::json;

const SchemaRegistry& Schemas() {
  static const SchemaRegistry* schemas = SchemaRegistry::LoadEmbedded().value().release();
  return *schemas;
}

StoredEvent Event(const std::string& id, const std::string& type, json data) {
  EventSpec spec;
  spec.id = id;
  spec.type = type;
  spec.subject = "task/T-7";
  spec.data = std::move(data);
  return StoredEvent{7, {}, MakeEvent(spec)};
}

class HttpActionChannelTest : public ::testing::Test {
 protected:
  std::unique_ptr<sinks::HttpActionChannel> Channel(json entity = nullptr) {
    auto mapping = actions::LoadBuiltinAction("jira", rules::CelExpressions(), &Schemas());
    EXPECT_TRUE(mapping.ok()) << mapping.status().message();
    sinks::HttpActionChannelOptions options;
    options.sink = "jira-acme";
    options.vars = {{"base_url", "http://127.0.0.1:" + std::to_string(server_.port())}, {"project", "ACME"},
                    {"transition.done", "31"}};
    options.auth.scheme = sinks::HttpActionAuth::Scheme::kBasic;
    options.auth.username = "Aladdin";
    options.auth.password = "open sesame";
    options.entity = [entity](const StoredEvent&) -> Result<json> { return entity; };
    options.schemas = &Schemas();
    http::HttpClientOptions client_options;
    client_options.timeout = std::chrono::milliseconds(5000);
    auto client = http::HttpClient::Create(client_options);
    EXPECT_TRUE(client.ok());
    return std::make_unique<sinks::HttpActionChannel>(
        std::make_shared<const actions::ActionMapping>(std::move(*mapping)), std::move(options), rules::CelExpressions(),
        std::shared_ptr<const http::HttpClient>(std::move(*client)));
  }

  RecordingHttpServer server_;
};

TEST_F(HttpActionChannelTest, LooksUpThenCreatesAndAnswersWithTheLink) {
  server_.AnswerNext({ScriptedAnswer::Json(200, R"({"issues":[],"isLast":true})"),
                      ScriptedAnswer::Json(201, R"({"id":"10000","key":"ACME-24","self":"x"})")});
  auto channel = Channel();
  StoredEvent event = Event("e-1", "task.created", {{"title", "Draft the launch plan"}});
  auto message = channel->Prepare(event);
  ASSERT_TRUE(message.ok()) << message.status().message();
  ASSERT_TRUE(message->has_value());
  // What Prepare keeps (and a dead letter shows) carries no secret.
  for (const auto& [name, value] : (*message)->http->headers) EXPECT_NE(name, "Authorization");
  sinks::TryResult result = channel->Send(event, **message);
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kDelivered) << result.detail;

  std::vector<RecordedRequest> requests = server_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/rest/api/3/search/jql");
  EXPECT_EQ(json::parse(requests[0].body)["jql"], "project = \"ACME\" AND labels = \"keel-task-T-7\"");
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].path, "/rest/api/3/issue");
  EXPECT_EQ(requests[1].Header("authorization"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(requests[1].Header("content-type"), "application/json");
  EXPECT_EQ(json::parse(requests[1].body)["fields"]["summary"], "Draft the launch plan");

  ASSERT_EQ(result.answer_events.size(), 1u);
  EXPECT_EQ(result.answer_events[0]["type"], "task.linked");
  EXPECT_EQ(result.answer_events[0]["source"], "keel/sink/jira-acme");
  EXPECT_EQ(result.answer_events[0]["data"],
            json::parse(R"({"relation":"external","target":"jira:ACME-24","remote_id":"10000"})"));
}

TEST_F(HttpActionChannelTest, AnIssueFoundIsNotCreatedAgain) {
  server_.AnswerNext({ScriptedAnswer::Json(200, R"({"issues":[{"id":"10000","key":"ACME-24"}],"isLast":true})")});
  auto channel = Channel();
  StoredEvent event = Event("e-1", "task.created", {{"title", "Draft the launch plan"}});
  auto message = channel->Prepare(event);
  ASSERT_TRUE(message.ok() && message->has_value());
  sinks::TryResult result = channel->Send(event, **message);
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kDelivered) << result.detail;
  EXPECT_EQ(server_.RequestCount(), 1u);
  ASSERT_EQ(result.answer_events.size(), 1u);
  EXPECT_EQ(result.answer_events[0]["data"]["target"], "jira:ACME-24");
}

TEST_F(HttpActionChannelTest, BusyToolIsRetriedAndARefusalIsPermanent) {
  server_.AnswerNext({ScriptedAnswer::Status(503, "busy").WithHeader("Retry-After", "3"),
                      ScriptedAnswer::Status(400, R"({"errorMessages":["bad transition"]})")});
  auto channel = Channel(json::parse(R"({"links":[{"relation":"external","target":"jira:ACME-24"}]})"));
  StoredEvent event = Event("e-2", "task.status_changed", {{"to", "done"}});
  auto message = channel->Prepare(event);
  ASSERT_TRUE(message.ok() && message->has_value());
  sinks::TryResult busy = channel->Send(event, **message);
  EXPECT_EQ(busy.outcome, sinks::TryOutcome::kRetry);
  ASSERT_TRUE(busy.retry_after.has_value());
  EXPECT_EQ(*busy.retry_after, std::chrono::milliseconds(3000));
  sinks::TryResult refused = channel->Send(event, **message);
  EXPECT_EQ(refused.outcome, sinks::TryOutcome::kPermanent);
  EXPECT_EQ(refused.detail, R"(HTTP 400: {"errorMessages":["bad transition"]})");
  std::vector<RecordedRequest> requests = server_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/rest/api/3/issue/ACME-24/transitions");
  EXPECT_EQ(json::parse(requests[0].body), json::parse(R"({"transition":{"id":"31"}})"));
  EXPECT_TRUE(busy.answer_events.empty());
}

TEST_F(HttpActionChannelTest, AnIgnoredEventSendsNothingAndAFailingMappingIsAnError) {
  auto channel = Channel();
  // Not linked to a Jira issue: nothing to send.
  auto ignored = channel->Prepare(Event("e-3", "comment.added", {{"text", "hi"}}));
  ASSERT_TRUE(ignored.ok()) << ignored.status().message();
  EXPECT_FALSE(ignored->has_value());
  // A task.created without a title cannot be mapped: a dead letter naming the case.
  auto failed = channel->Prepare(Event("e-4", "task.created", json::object()));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("case \"create the issue\""), std::string::npos) << failed.status().message();
  EXPECT_EQ(server_.RequestCount(), 0u);
}

TEST(BasicAuthorization, IsRfc7617s) {
  EXPECT_EQ(sinks::BasicAuthorization("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(sinks::BasicAuthorization("a", ""), "Basic YTo=");
}

}  // namespace
}  // namespace keel::testing
