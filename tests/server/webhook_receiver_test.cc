// The webhook receiver end to end on loopback: a real HTTP server, the
// built-in mappings, the embedded log. A signed delivery's events are in the
// log when it is answered 200, once however often it is delivered; anything
// unsigned is refused with nothing stored; what cannot be mapped is kept as
// a dead letter and answered 202.
#include "server/webhook_receiver.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "engine/log/aliases.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"
#include "tests/support/temp_dir.h"

namespace keel::server {
namespace {

constexpr char kFixtures[] = KEEL_SOURCE_DIR "/../shared/fixtures/webhooks";
constexpr char kGitHubSecret[] = "It's a Secret to Everybody";
constexpr char kGitLabToken[] = "gitlab-token-0123";
constexpr char kEventsToken[] = "events-token-4567";

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(kFixtures) + "/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << name;
  return text.str();
}

class WebhookReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("KEEL_TEST_GITHUB_SECRET", kGitHubSecret, 1);
    ::setenv("KEEL_TEST_GITLAB_TOKEN", kGitLabToken, 1);
    ::setenv("KEEL_TEST_EVENTS_TOKEN", kEventsToken, 1);
    schemas_ = std::move(SchemaRegistry::LoadEmbedded()).value();
    LocalIngestOptions options;
    options.dir = dir_ / "data" / "log";
    auto ingest = LocalIngest::Open(options, hooks_, schemas_.get(), &metrics_);
    ASSERT_TRUE(ingest.ok()) << ingest.status().ToString();
    ingest_ = std::move(ingest).value();
    auto store = webhooks::DeadLetterStore::Open(dir_ / "data" / "dead-letters");
    ASSERT_TRUE(store.ok());
    dead_letters_ = std::move(store).value();
  }
  void TearDown() override {
    if (http_) http_->Stop();
  }

  // Starts the receiver with `config` on a free loopback port.
  void Start(ReceiverConfig config) {
    ReceiverParts parts;
    parts.compiler = &compiler_;
    parts.schemas = schemas_.get();
    parts.dead_letters = dead_letters_.get();
    parts.submit = [this](std::vector<std::string> events, SubmitDone done) {
      ingest_->Submit(std::move(events), std::move(done));
    };
    parts.now_rfc3339 = [] { return std::string("2026-12-07T12:00:00Z"); };
    auto receiver = WebhookReceiver::Create(config, std::move(parts));
    ASSERT_TRUE(receiver.ok()) << receiver.status().ToString();
    receiver_ = std::move(receiver).value();
    http::HttpServerLimits limits;
    limits.max_body_bytes = config.max_body_bytes;
    http_ = std::make_unique<http::HttpServer>(limits);
    for (auto& route : receiver_->Routes()) http_->Route(route.method, route.path, route.handler);
    ASSERT_TRUE(http_->Start("127.0.0.1", 0).ok());
  }

  // The built-in mapping `source` on /hooks/SOURCE for workspace acme.
  static WebhookEndpointConfig Endpoint(const std::string& source, const std::string& secret_env) {
    WebhookEndpointConfig endpoint;
    endpoint.source = endpoint.name = source;
    endpoint.path = "/hooks/" + source;
    endpoint.workspace = "acme";
    endpoint.secret_env = secret_env;
    return endpoint;
  }

  static ReceiverConfig GitHubAndGitLab() {
    ReceiverConfig config;
    config.webhooks.push_back(Endpoint("github", "KEEL_TEST_GITHUB_SECRET"));
    config.webhooks.push_back(Endpoint("gitlab", "KEEL_TEST_GITLAB_TOKEN"));
    config.events = EventsEndpointConfig{.path = "/events", .token_env = "KEEL_TEST_EVENTS_TOKEN"};
    config.max_body_bytes = 64 * 1024;
    return config;
  }

  httplib::Result Post(const std::string& path, const std::string& body, httplib::Headers headers,
                       const std::string& content_type = "application/json") {
    httplib::Client client("127.0.0.1", http_->port());
    client.set_read_timeout(30, 0);
    return client.Post(path.c_str(), headers, body, content_type.c_str());
  }

  // GitHub's delivery of `body` as event `event`, signed with `secret`.
  httplib::Result PostGitHub(const std::string& event, const std::string& delivery, const std::string& body,
                             const std::string& secret = kGitHubSecret) {
    return Post("/hooks/github", body,
                {{"X-GitHub-Event", event},
                 {"X-GitHub-Delivery", delivery},
                 {"X-Hub-Signature-256", "sha256=" + http::HmacSha256Hex(secret, body)}});
  }

  uint64_t LogLength() const { return ingest_->log()->Head().seq; }

  keel::testing::TempDir dir_;
  std::unique_ptr<SchemaRegistry> schemas_;
  ServeMetrics metrics_;
  PartitionHooks hooks_;
  std::unique_ptr<LocalIngest> ingest_;
  std::unique_ptr<webhooks::DeadLetterStore> dead_letters_;
  rules::CelExpressionCompiler compiler_;
  std::unique_ptr<WebhookReceiver> receiver_;
  std::unique_ptr<http::HttpServer> http_;
};

TEST_F(WebhookReceiverTest, ASignedDeliveryIsInTheLogWhenAnsweredAndOnceWhenRedelivered) {
  Start(GitHubAndGitLab());
  std::string body = ReadFixture("github/issues.opened.json");
  auto first = PostGitHub("issues", "d6f7c5a0-0001", body);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  nlohmann::json answer = nlohmann::json::parse(first->body);
  EXPECT_EQ(answer["events"], 1);
  EXPECT_EQ(answer["appended"], 1);
  ASSERT_EQ(LogLength(), 1u);  // durable and readable when answered
  Result<StoredEvent> stored = ingest_->log()->Read(1);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->event.type, "task.created");
  EXPECT_EQ(stored->event.id, "github:d6f7c5a0-0001:0");
  EXPECT_EQ(stored->event.workspace, "acme");

  // GitHub redelivers with the same X-GitHub-Delivery: nothing new.
  auto again = PostGitHub("issues", "d6f7c5a0-0001", body);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 200) << again->body;
  answer = nlohmann::json::parse(again->body);
  EXPECT_EQ(answer["appended"], 0);
  EXPECT_EQ(answer["duplicates"], 1);
  EXPECT_EQ(LogLength(), 1u);
}

// Embedded serve: once T-7 is linked to a GitHub item (a sink's answer,
// here through POST /events), GitHub's projects_v2_item delivery about that
// item, which carries only its node id, lands on task/T-7 (the log's alias
// index), and its redelivery is still recognised.
TEST_F(WebhookReceiverTest, ADeliveryAboutALinkedItemLandsOnTheKeelTask) {
  Start(GitHubAndGitLab());
  std::string events =
      R"([{"specversion":"1.0","id":"c-7","source":"keel/rules","type":"task.created","subject":"task/T-7",)"
      R"("time":"2026-03-02T09:00:00Z","workspace":"acme","actor":"rule:kickoff","data":{"title":"Launch plan"}},)"
      R"({"specversion":"1.0","id":"answer-7","source":"keel/sinks/github","type":"task.linked","subject":"task/T-7",)"
      R"("time":"2026-03-02T09:00:01Z","workspace":"acme","actor":"system:keel",)"
      R"("data":{"relation":"external","target":"github:octo-org/web#42","remote_id":"DI_lADOAWcTxs07G84AIjOy"}}])";
  auto linked = Post("/events", events, {{"Authorization", std::string("Bearer ") + kEventsToken}},
                     "application/cloudevents-batch+json");
  ASSERT_TRUE(linked);
  ASSERT_EQ(linked->status, 200) << linked->body;
  ASSERT_EQ(LogLength(), 2u);

  std::string body = ReadFixture("github/projects_v2_item.created.json");
  auto delivered = PostGitHub("projects_v2_item", "37a2cbe0-e767-11ec-9f3b-8a0c2d4e8b87", body);
  ASSERT_TRUE(delivered);
  ASSERT_EQ(delivered->status, 200) << delivered->body;
  ASSERT_EQ(LogLength(), 3u);
  Result<StoredEvent> stored = ingest_->log()->Read(3);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->event.type, "task.linked");
  EXPECT_EQ(stored->event.subject, "task/T-7");
  EXPECT_EQ(ResolvedFrom(stored->event), "task/github:DI_lADOAWcTxs07G84AIjOy");

  auto again = PostGitHub("projects_v2_item", "37a2cbe0-e767-11ec-9f3b-8a0c2d4e8b87", body);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(nlohmann::json::parse(again->body)["duplicates"], 1);
  EXPECT_EQ(LogLength(), 3u);
}

TEST_F(WebhookReceiverTest, AWrongOrMissingSignatureIs401AndNothingIsKept) {
  Start(GitHubAndGitLab());
  std::string body = ReadFixture("github/issues.opened.json");
  auto wrong = PostGitHub("issues", "d-1", body, "another secret");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401) << wrong->body;
  auto missing = Post("/hooks/github", body, {{"X-GitHub-Event", "issues"}, {"X-GitHub-Delivery", "d-2"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401) << missing->body;
  // Signed over other bytes than those sent.
  auto tampered = Post("/hooks/github", body + " ",
                       {{"X-GitHub-Event", "issues"},
                        {"X-GitHub-Delivery", "d-3"},
                        {"X-Hub-Signature-256", "sha256=" + http::HmacSha256Hex(kGitHubSecret, body)}});
  ASSERT_TRUE(tampered);
  EXPECT_EQ(tampered->status, 401);
  auto no_token = Post("/hooks/gitlab", ReadFixture("gitlab/issue_hook__issue_closed.json"),
                       {{"X-Gitlab-Event", "Issue Hook"}, {"X-Gitlab-Token", "guess"}});
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  EXPECT_EQ(no_token->body.find("gitlab-token-0123"), std::string::npos);
  EXPECT_EQ(LogLength(), 0u);
  EXPECT_EQ(dead_letters_->size(), 0u);
}

TEST_F(WebhookReceiverTest, AnEventTheMappingDoesNotTakeIsIgnoredWithItsReason) {
  Start(GitHubAndGitLab());
  auto push = PostGitHub("push", "d-push", R"({"ref":"refs/heads/main","repository":{"full_name":"acme/web"}})");
  ASSERT_TRUE(push);
  ASSERT_EQ(push->status, 200) << push->body;
  nlohmann::json answer = nlohmann::json::parse(push->body);
  ASSERT_TRUE(answer["ignored"].is_string()) << push->body;
  EXPECT_NE(answer["ignored"].get<std::string>().find("push"), std::string::npos) << push->body;
  EXPECT_EQ(LogLength(), 0u);
  EXPECT_EQ(dead_letters_->size(), 0u);
}

TEST_F(WebhookReceiverTest, MalformedJsonIsKeptAsADeadLetterWithoutTheToken) {
  Start(GitHubAndGitLab());
  std::string body = "{\"object_kind\": \"issue\", ";
  auto answer = Post("/hooks/gitlab", body, {{"X-Gitlab-Event", "Issue Hook"}, {"X-Gitlab-Token", kGitLabToken}});
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 202) << answer->body;
  nlohmann::json parsed = nlohmann::json::parse(answer->body);
  std::string id = parsed["dead_letter"];
  Result<webhooks::DeadLetter> letter = dead_letters_->Get(id);
  ASSERT_TRUE(letter.ok()) << letter.status().ToString();
  EXPECT_EQ(letter->endpoint, "gitlab");
  EXPECT_EQ(letter->body, body);
  EXPECT_EQ(letter->received, "2026-12-07T12:00:00Z");
  EXPECT_EQ(letter->headers.count("x-gitlab-token"), 0u);  // the secret itself: never kept
  EXPECT_EQ(letter->headers.at("x-gitlab-event"), "Issue Hook");
  EXPECT_EQ(LogLength(), 0u);
}

TEST_F(WebhookReceiverTest, AnOversizedBodyIs413AndNothingIsKept) {
  ReceiverConfig config = GitHubAndGitLab();
  config.max_body_bytes = 4096;
  Start(config);
  std::string body = R"({"action":"opened","pad":")" + std::string(5000, 'x') + "\"}";
  auto answer = PostGitHub("issues", "d-big", body);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 413);
  EXPECT_EQ(LogLength(), 0u);
  EXPECT_EQ(dead_letters_->size(), 0u);
}

TEST_F(WebhookReceiverTest, FullDeadLettersAnswer503SoTheToolRetries) {
  auto small = webhooks::DeadLetterStore::Open(dir_ / "data" / "small-dead-letters", {.max_letters = 1});
  ASSERT_TRUE(small.ok());
  dead_letters_ = std::move(small).value();
  Start(GitHubAndGitLab());
  auto first = Post("/hooks/gitlab", "not json 1", {{"X-Gitlab-Token", kGitLabToken}});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 202) << first->body;
  auto second = Post("/hooks/gitlab", "not json 2", {{"X-Gitlab-Token", kGitLabToken}});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 503) << second->body;
  EXPECT_TRUE(second->has_header("Retry-After"));
}

TEST_F(WebhookReceiverTest, PostEventsTakesStructuredAndBinaryCloudEventsWithTheToken) {
  Start(GitHubAndGitLab());
  std::string event = R"({"specversion":"1.0","id":"e-1","source":"crm/acme","type":"task.created",)"
                      R"("subject":"task/T-1","time":"2026-03-02T09:00:00Z","workspace":"acme","actor":"user:dana",)"
                      R"("data":{"title":"Call the client"}})";
  auto unauthorized = Post("/events", event, {{"Authorization", "Bearer wrong"}}, "application/cloudevents+json");
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->status, 401);
  EXPECT_EQ(LogLength(), 0u);

  auto structured = Post("/events", event, {{"Authorization", std::string("Bearer ") + kEventsToken}},
                         "application/cloudevents+json");
  ASSERT_TRUE(structured);
  ASSERT_EQ(structured->status, 200) << structured->body;
  EXPECT_EQ(LogLength(), 1u);

  auto binary = Post("/events", R"({"to":"in_progress"})",
                     {{"Authorization", std::string("Bearer ") + kEventsToken},
                      {"ce-specversion", "1.0"},
                      {"ce-id", "e-2"},
                      {"ce-source", "crm/acme"},
                      {"ce-type", "task.status_changed"},
                      {"ce-subject", "task/T-1"},
                      {"ce-time", "2026-03-02T10:00:00Z"},
                      {"ce-workspace", "acme"},
                      {"ce-actor", "user:dana"}});
  ASSERT_TRUE(binary);
  ASSERT_EQ(binary->status, 200) << binary->body;
  EXPECT_EQ(LogLength(), 2u);

  auto invalid = Post("/events", R"({"specversion":"1.0","id":"e-3"})",
                      {{"Authorization", std::string("Bearer ") + kEventsToken}}, "application/cloudevents+json");
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 400) << invalid->body;  // refused per event, with the reason
  EXPECT_NE(invalid->body.find("\"rejected\":1"), std::string::npos) << invalid->body;
  EXPECT_EQ(LogLength(), 2u);

  // The same id with other content: a conflict, for the sender to resolve.
  std::string changed = event;
  changed.replace(changed.find("Call the client"), 15, "Email the client");
  auto conflict = Post("/events", changed, {{"Authorization", std::string("Bearer ") + kEventsToken}},
                       "application/cloudevents+json");
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->status, 409) << conflict->body;
  EXPECT_EQ(LogLength(), 2u);
}

TEST_F(WebhookReceiverTest, AMissingSecretFailsToStartNamingTheVariable) {
  ReceiverConfig config = GitHubAndGitLab();
  config.webhooks[0].secret_env = "KEEL_TEST_UNSET_SECRET";
  ::unsetenv("KEEL_TEST_UNSET_SECRET");
  ReceiverParts parts;
  parts.compiler = &compiler_;
  parts.schemas = schemas_.get();
  parts.dead_letters = dead_letters_.get();
  auto receiver = WebhookReceiver::Create(config, std::move(parts));
  ASSERT_FALSE(receiver.ok());
  EXPECT_NE(receiver.status().message().find("KEEL_TEST_UNSET_SECRET"), std::string::npos)
      << receiver.status().message();
}

TEST_F(WebhookReceiverTest, MetricsCountDeliveriesByOutcome) {
  Start(GitHubAndGitLab());
  std::string body = ReadFixture("github/issues.opened.json");
  ASSERT_EQ(PostGitHub("issues", "d-m1", body)->status, 200);
  ASSERT_EQ(PostGitHub("issues", "d-m1", body)->status, 200);
  ASSERT_EQ(PostGitHub("issues", "d-m2", body, "wrong")->status, 401);
  std::string text = receiver_->PrometheusText();
  EXPECT_NE(text.find("keel_webhook_deliveries_total{endpoint=\"github\",outcome=\"mapped\"} 2"), std::string::npos)
      << text;
  EXPECT_NE(text.find("keel_webhook_deliveries_total{endpoint=\"github\",outcome=\"unauthorized\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("keel_webhook_events_total{endpoint=\"github\",outcome=\"duplicate\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace keel::server
