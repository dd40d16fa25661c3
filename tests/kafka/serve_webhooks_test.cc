// The webhook receiver of `keel serve` with brokers: a delivery's events go
// to the input topic keyed by workspace and the partition's owner (the same
// serve here) appends them; dead letters go to the dead-letter topic; a
// delivery the brokers do not acknowledge is answered 503.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "connectors/http/signatures.h"
#include "tests/kafka/serve_fixture.h"

namespace keel::testing {
namespace {

constexpr char kFixtures[] = KEEL_SOURCE_DIR "/../shared/fixtures/webhooks";
constexpr char kSecret[] = "It's a Secret to Everybody";
constexpr char kEventsToken[] = "events-token-4567";

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(kFixtures) + "/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().empty()) throw std::runtime_error("no fixture " + name);
  return text.str();
}

class ServeWebhooksTest : public ServeTest {
 protected:
  // A serve with brokers, the GitHub endpoint for workspace acme, its HTTP
  // port answering.
  std::unique_ptr<KeelServe> StartReceiving(const std::string& time_window_days = "0") {
    ::setenv("KEEL_TEST_GITHUB_SECRET", kSecret, 1);
    ::setenv("KEEL_TEST_EVENTS_TOKEN", kEventsToken, 1);
    CreateTopics();
    port_ = FreePort();
    ServeSettings settings = Settings();
    settings.http_port = port_;
    settings.extra["webhooks"] = "[{source: github, workspace: acme, secret_env: KEEL_TEST_GITHUB_SECRET}]";
    settings.extra["events"] = "{token_env: KEEL_TEST_EVENTS_TOKEN}";
    settings.extra["event_time_window_days"] = time_window_days;  // 0: no bound (the fixtures are from 2019)
    settings.extra["producer"] = "{message.timeout.ms: 3000}";
    auto serve = StartServe(settings);
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (HttpGet(port_, "/healthz").first != 200 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(HttpGet(port_, "/healthz").first, 200) << serve->LogText();
    return serve;
  }

  // GitHub's delivery `delivery` of `body` as event `event`, signed.
  std::pair<int, std::string> PostGitHub(const std::string& event, const std::string& delivery,
                                         const std::string& body) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    auto answer = client.Post("/hooks/github",
                              {{"X-GitHub-Event", event},
                               {"X-GitHub-Delivery", delivery},
                               {"X-Hub-Signature-256", "sha256=" + http::HmacSha256Hex(kSecret, body)}},
                              body, "application/json");
    if (!answer) return {0, ""};
    return {answer->status, answer->body};
  }

  int port_ = 0;
};

TEST_F(ServeWebhooksTest, ADeliveryReachesThePartitionLogThroughTheInputTopicAndARedeliveryAppendsNothing) {
  auto serve = StartReceiving();
  const std::string body = ReadFixture("github/issues.opened.json");
  auto [status, answer] = PostGitHub("issues", "d6f7c5a0-0001", body);
  ASSERT_EQ(status, 200) << answer << serve->LogText();
  EXPECT_EQ(nlohmann::json::parse(answer), nlohmann::json::parse(R"({"events": 1, "produced": 1})"));

  // On the input topic, keyed by the workspace.
  auto input = ConsumeUntil(
      cluster_->bootstrap(), "work-events", kInputPartitions,
      [](const std::vector<Record>& records) { return !records.empty(); }, 30s, "the delivery's event");
  ASSERT_EQ(input.size(), 1u);
  EXPECT_EQ(input[0].key, "acme");
  EXPECT_EQ(JsonField(input[0].value, "id"), "github:d6f7c5a0-0001:0");

  // GitHub redelivers; then another issue's delivery, in the same partition
  // (same workspace), so that once it is applied the redelivery was too.
  auto [again, again_answer] = PostGitHub("issues", "d6f7c5a0-0001", body);
  ASSERT_EQ(again, 200) << again_answer;
  std::string other_issue = body;
  const std::string node_id = "MDU6SXNzdWU0NDQ1MDAwNDE=";
  other_issue.replace(other_issue.find(node_id), node_id.size(), "MDU6SXNzdWU0NDQ1MDAwNDI=");
  auto [other, other_answer] = PostGitHub("issues", "d6f7c5a0-0002", other_issue);
  ASSERT_EQ(other, 200) << other_answer;
  WaitForDerived({"github:d6f7c5a0-0001:0", "github:d6f7c5a0-0002:0"});
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();

  std::map<std::string, int> expected = {{"github:d6f7c5a0-0001:0", 1}, {"github:d6f7c5a0-0002:0", 1}};
  EXPECT_EQ(InputEventsInLogs(), expected);
}

TEST_F(ServeWebhooksTest, PostEventsProducesToTheInputTopicKeyedByWorkspace) {
  auto serve = StartReceiving();
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(60, 0);
  auto answer = client.Post("/events", {{"Authorization", std::string("Bearer ") + kEventsToken}},
                            TaskCreated("posted-1", "ws7"), "application/cloudevents+json");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body << serve->LogText();
  EXPECT_EQ(nlohmann::json::parse(answer->body), nlohmann::json::parse(R"({"events": 1, "produced": 1})"));
  WaitForDerived({"posted-1"});
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
  std::map<std::string, int> expected = {{"posted-1", 1}};
  EXPECT_EQ(InputEventsInLogs(), expected);
}

TEST_F(ServeWebhooksTest, AnUnmappableDeliveryIsOnTheDeadLetterTopicWithItsReason) {
  auto serve = StartReceiving();
  // An issues event without its issue: the mapping refuses it.
  const std::string body = R"({"action": "opened", "repository": {"full_name": "octo/hello"}, "sender": {"login": "octocat"}})";
  auto [status, answer] = PostGitHub("issues", "d6f7c5a0-0003", body);
  ASSERT_EQ(status, 202) << answer << serve->LogText();
  nlohmann::json answered = nlohmann::json::parse(answer);
  const std::string reason = answered["reason"];
  EXPECT_NE(reason.find("issue"), std::string::npos) << reason;

  auto letters = ConsumeUntil(
      cluster_->bootstrap(), "keel-dead", 1, [](const std::vector<Record>& records) { return !records.empty(); },
      30s, "the dead letter");
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].key, "github");
  EXPECT_EQ(letters[0].Header("keel_reason"), reason);
  nlohmann::json letter = nlohmann::json::parse(letters[0].value);
  EXPECT_EQ(letter["id"], answered["dead_letter"]);
  EXPECT_EQ(letter["endpoint"], "github");
  EXPECT_EQ(letter["delivery"], "d6f7c5a0-0003");
  EXPECT_EQ(letter["reason"], reason);
  EXPECT_EQ(letter["body"], body);
  EXPECT_EQ(letter["headers"]["x-github-event"], "issues");
  EXPECT_FALSE(letter["received"].get<std::string>().empty());
  // Nothing went to the input topic, and the letter is not kept on disk.
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
  EXPECT_TRUE(InputEventsInLogs().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "data" / "dead-letters"));
}

TEST_F(ServeWebhooksTest, AnEventThePartitionWouldRefuseIsADeadLetterAndNothingIsProduced) {
  auto serve = StartReceiving("30");  // the fixture's issue, from 2019, is out of the time window
  auto [status, answer] = PostGitHub("issues", "d6f7c5a0-0005", ReadFixture("github/issues.opened.json"));
  ASSERT_EQ(status, 202) << answer << serve->LogText();
  const std::string reason = nlohmann::json::parse(answer)["reason"];
  EXPECT_EQ(reason.rfind("refused before producing: event 1: ", 0), 0u) << reason;
  auto letters = ConsumeUntil(
      cluster_->bootstrap(), "keel-dead", 1, [](const std::vector<Record>& records) { return !records.empty(); },
      30s, "the dead letter");
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(JsonField(letters[0].value, "reason"), reason);
  EXPECT_THROW(ConsumeUntil(
                   cluster_->bootstrap(), "work-events", kInputPartitions,
                   [](const std::vector<Record>& records) { return !records.empty(); }, 3s, "any input"),
               std::runtime_error);
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
}

TEST_F(ServeWebhooksTest, WithTheBrokersDownADeliveryIs503AndItsRetryLaterIsAppendedOnce) {
  auto serve = StartReceiving();
  for (int broker = 1; broker <= 3; ++broker) cluster_->Command("down " + std::to_string(broker));
  const std::string body = ReadFixture("github/issues.opened.json");
  auto [status, answer] = PostGitHub("issues", "d6f7c5a0-0004", body);
  EXPECT_EQ(status, 503) << answer;

  for (int broker = 1; broker <= 3; ++broker) cluster_->Command("up " + std::to_string(broker));
  // The tool retries until it is answered 200.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  do {
    std::tie(status, answer) = PostGitHub("issues", "d6f7c5a0-0004", body);
  } while (status != 200 && std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(status, 200) << answer << serve->LogText();
  WaitForDerived({"github:d6f7c5a0-0004:0"});
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
  std::map<std::string, int> expected = {{"github:d6f7c5a0-0004:0", 1}};
  EXPECT_EQ(InputEventsInLogs(), expected);
}

}  // namespace
}  // namespace keel::testing
