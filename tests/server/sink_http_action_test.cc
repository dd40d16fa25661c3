// The http sinks' builder: a built-in or a file, the auth scheme checked,
// errors naming the sink; the channel it builds acts through the client
// serve hands it.
#include "server/sink_http_action.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "engine/log/event_record.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"
#include "tests/support/temp_dir.h"

namespace keel::server {
namespace {

// Records what the channel sends and answers 204.
class RecordingClient : public http::HttpClient {
 public:
  Result<http::ClientResponse> Send(const http::ClientRequest& request) const override {
    sent.push_back(request);
    return http::ClientResponse{204, {}, "", false};
  }
  mutable std::vector<http::ClientRequest> sent;
};

class HttpSinkBuildTest : public ::testing::Test {
 protected:
  HttpSinkBuildTest() : schemas_(SchemaRegistry::LoadEmbedded().value()) {}
  SinkChannelContext Context() {
    SinkChannelContext context;
    context.compiler = &compiler_;
    context.make_http_client = [this](const http::HttpClientOptions&) {
      return Result<std::shared_ptr<const http::HttpClient>>(client_);
    };
    return context;
  }
  SinkChannelBuilders Builders() {
    HttpActionSinkContext context;
    context.schemas = schemas_.get();
    context.entity = [](const StoredEvent&) -> Result<nlohmann::json> {
      return nlohmann::json::parse(R"({"links":[{"relation":"external","target":"jira:ACME-24"}]})");
    };
    return {{"http", HttpActionChannelBuilder(context)}};
  }
  static SinkConfig Sink() {
    SinkConfig sink;
    sink.name = "jira";
    sink.kind = "http";
    sink.action = "jira";
    sink.vars = {{"base_url", "https://acme.atlassian.net"}, {"project", "ACME"}, {"transition.done", "31"}};
    sink.auth.scheme = "bearer";
    sink.auth.token_env = "KEEL_TEST_JIRA_TOKEN";
    return sink;
  }
  rules::CelExpressionCompiler compiler_;
  std::unique_ptr<SchemaRegistry> schemas_;
  std::shared_ptr<RecordingClient> client_ = std::make_shared<RecordingClient>();
};

TEST_F(HttpSinkBuildTest, BuildsTheBuiltinWithItsVarsAndAuth) {
  setenv("KEEL_TEST_JIRA_TOKEN", "t0k", 1);
  auto channel = BuildSinkChannel(Sink(), Context(), Builders());
  ASSERT_TRUE(channel.ok()) << channel.status().ToString();
  nlohmann::json event = {{"specversion", "1.0"}, {"id", "e-1"},          {"source", "test"},
                          {"type", "task.status_changed"}, {"subject", "task/T-7"}, {"time", "2026-03-02T09:00:00Z"},
                          {"workspace", "acme"},   {"actor", "user:dana"}, {"data", {{"to", "done"}}}};
  StoredEvent stored;
  stored.event = EventFromCanonical(event.dump()).value();
  auto message = (*channel)->Prepare(stored);
  ASSERT_TRUE(message.ok() && message->has_value()) << message.status().ToString();
  sinks::TryResult result = (*channel)->Send(stored, **message);
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kDelivered) << result.detail;
  ASSERT_EQ(client_->sent.size(), 1u);
  EXPECT_EQ(client_->sent[0].url, "https://acme.atlassian.net/rest/api/3/issue/ACME-24/transitions");
  bool bearer = false;
  for (const auto& [name, value] : client_->sent[0].headers) bearer = bearer || (name == "Authorization" && value == "Bearer t0k");
  EXPECT_TRUE(bearer);
  unsetenv("KEEL_TEST_JIRA_TOKEN");
}

TEST_F(HttpSinkBuildTest, ErrorsNameTheSink) {
  setenv("KEEL_TEST_JIRA_TOKEN", "t0k", 1);
  SinkConfig unknown = Sink();
  unknown.action = "jiraa";
  auto missing = BuildSinkChannel(unknown, Context(), Builders());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "sink jira: no built-in action mapping 'jiraa' (built in: clickup, github, gitlab, jira, linear)");
  SinkConfig bad_scheme = Sink();
  bad_scheme.auth.scheme = "digest";
  auto refused = BuildSinkChannel(bad_scheme, Context(), Builders());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "sink jira: auth.scheme: 'digest' is not basic, bearer or header");
  keel::testing::TempDir dir;
  std::string file = (dir.path() / "bad.yaml").string();
  std::ofstream(file) << "action: x\ncases:\n  - name: a\n";
  SinkConfig from_file = Sink();
  from_file.action.clear();
  from_file.mapping = file;
  auto bad_file = BuildSinkChannel(from_file, Context(), Builders());
  ASSERT_FALSE(bad_file.ok());
  EXPECT_EQ(bad_file.status().message(), "sink jira: " + file + ":3:5: case \"a\": give either request: or ignore: (the reason)");
  unsetenv("KEEL_TEST_JIRA_TOKEN");
}

}  // namespace
}  // namespace keel::server
