// The webhook, slack and teams channels against a real HTTP server on
// loopback (RecordingHttpServer) through the libcurl client: each request
// checked field by field against what was written by hand from the
// CloudEvents HTTP binding, Slack's and Teams' documentation; each answer
// (2xx, 429 with Retry-After, 5xx, 4xx, none) mapped to how the try ended.
// The signature is verified here with OpenSSL, not with the code under test.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <set>
#include <thread>

#include "connectors/http/cloudevents_http.h"
#include "connectors/sinks/slack_channel.h"
#include "connectors/sinks/teams_channel.h"
#include "connectors/sinks/webhook_channel.h"
#include "rules/expressions.h"
#include "tests/support/events.h"
#include "tests/support/recording_http_server.h"

namespace keel::testing {
namespace {

using std::chrono::milliseconds;
using nlohmann::json;

StoredEvent Notification(const std::string& message) {
  EventSpec spec;
  spec.id = "ev-42";
  spec.type = "notification.requested";
  spec.subject = "task/T-7";
  spec.data = {{"message", message}, {"recipients", {"user:dana"}}};
  return StoredEvent{42, {}, MakeEvent(spec)};
}

std::string OpenSslHmacHex(const std::string& key, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), digest, &length);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xF]);
  }
  return hex;
}

std::shared_ptr<const http::HttpClient> Client(milliseconds timeout = milliseconds(5000)) {
  http::HttpClientOptions options;
  options.timeout = timeout;
  options.connect_timeout = timeout;
  auto client = http::HttpClient::Create(options);
  if (!client.ok()) throw std::runtime_error(client.status().ToString());
  return std::shared_ptr<const http::HttpClient>(std::move(*client));
}

sinks::TryResult PrepareAndSend(const sinks::Channel& channel, const StoredEvent& event) {
  auto message = channel.Prepare(event);
  if (!message.ok() || !message->has_value()) {
    ADD_FAILURE() << "Prepare: " << message.status().ToString();
    return {};
  }
  return channel.Send(event, **message);
}

class ChannelSendTest : public ::testing::Test {
 protected:
  sinks::WebhookChannel Webhook(sinks::CloudEventsMode mode, std::string secret,
                                milliseconds timeout = milliseconds(5000)) {
    return sinks::WebhookChannel({server_.Url("/keel/in"), mode, std::move(secret)}, Client(timeout));
  }
  std::unique_ptr<sinks::SlackChannel> Slack() {
    auto channel = sinks::SlackChannel::Create({server_.Url("/services/T0/B0/X"), "{{ event.data.message }}"},
                                               compiler_, Client());
    if (!channel.ok()) throw std::runtime_error(channel.status().ToString());
    return std::move(*channel);
  }
  RecordedRequest OnlyRequest() {
    std::vector<RecordedRequest> requests = server_.Requests();
    EXPECT_EQ(requests.size(), 1u);
    return requests.empty() ? RecordedRequest{} : requests.front();
  }

  RecordingHttpServer server_;
  rules::CelExpressionCompiler compiler_;
};

TEST_F(ChannelSendTest, WebhookStructuredPostsTheSignedCloudEvent) {
  sinks::TryResult result = PrepareAndSend(Webhook(sinks::CloudEventsMode::kStructured, "s3cret"), Notification("Ship it"));
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kDelivered);
  EXPECT_EQ(result.detail, "HTTP 200: ok");
  EXPECT_FALSE(result.retry_after.has_value());
  RecordedRequest request = OnlyRequest();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/keel/in");
  EXPECT_EQ(request.Header("content-type"), "application/cloudevents+json; charset=utf-8");
  EXPECT_EQ(request.Header("idempotency-key"), "ev-42");
  EXPECT_EQ(request.body,
            R"({"actor":"user:alice","data":{"message":"Ship it","recipients":["user:dana"]},"id":"ev-42",)"
            R"("source":"test","specversion":"1.0","subject":"task/T-7","time":"2026-03-02T09:00:00Z",)"
            R"("type":"notification.requested","workspace":"acme","seq":42})");
  EXPECT_EQ(request.Header("x-keel-signature"), "sha256=" + OpenSslHmacHex("s3cret", request.body));
  EXPECT_FALSE(request.HasHeader("ce-id"));
}

TEST_F(ChannelSendTest, WebhookBinaryPostsAttributesAsHeadersAndDataAsBody) {
  sinks::TryResult result = PrepareAndSend(Webhook(sinks::CloudEventsMode::kBinary, ""), Notification("Café 100%"));
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kDelivered);
  RecordedRequest request = OnlyRequest();
  EXPECT_EQ(request.body, R"({"message":"Café 100%","recipients":["user:dana"]})");
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_EQ(request.Header("ce-specversion"), "1.0");
  EXPECT_EQ(request.Header("ce-id"), "ev-42");
  EXPECT_EQ(request.Header("ce-source"), "test");
  EXPECT_EQ(request.Header("ce-type"), "notification.requested");
  EXPECT_EQ(request.Header("ce-time"), "2026-03-02T09:00:00Z");
  EXPECT_EQ(request.Header("ce-subject"), "task/T-7");
  EXPECT_EQ(request.Header("ce-workspace"), "acme");
  EXPECT_EQ(request.Header("ce-actor"), "user:alice");
  EXPECT_EQ(request.Header("ce-seq"), "42");
  EXPECT_EQ(request.Header("idempotency-key"), "ev-42");
  EXPECT_FALSE(request.HasHeader("x-keel-signature"));  // no secret
  // What a CloudEvents receiver (keel's own) reads back.
  auto events = http::CloudEventsFromHttp(request.headers, request.body);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(json::parse(events->front()), json::parse(R"({
      "specversion": "1.0", "id": "ev-42", "source": "test", "type": "notification.requested",
      "time": "2026-03-02T09:00:00Z", "subject": "task/T-7", "workspace": "acme", "actor": "user:alice",
      "seq": "42", "datacontenttype": "application/json",
      "data": {"message": "Café 100%", "recipients": ["user:dana"]}})"));
}

TEST_F(ChannelSendTest, ARetriedWebhookSendsTheSameKeyAndSignature) {
  server_.AnswerNext({ScriptedAnswer::Status(503, "busy")});
  sinks::WebhookChannel channel = Webhook(sinks::CloudEventsMode::kStructured, "s3cret");
  StoredEvent event = Notification("Ship it");
  auto message = channel.Prepare(event);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(channel.Send(event, **message).outcome, sinks::TryOutcome::kRetry);
  EXPECT_EQ(channel.Send(event, **message).outcome, sinks::TryOutcome::kDelivered);
  std::vector<RecordedRequest> requests = server_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Header("idempotency-key"), requests[1].Header("idempotency-key"));
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(requests[0].Header("x-keel-signature"), requests[1].Header("x-keel-signature"));
}

TEST_F(ChannelSendTest, SlackPostsTheTextAsJson) {
  sinks::TryResult result = PrepareAndSend(*Slack(), Notification("Deploy \"v2\" done\n:tada: ✓"));
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kDelivered);
  RecordedRequest request = OnlyRequest();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/services/T0/B0/X");
  EXPECT_EQ(request.Header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(request.body, R"({"text":"Deploy \"v2\" done\n:tada: ✓"})");
}

TEST_F(ChannelSendTest, TeamsPostsAnAdaptiveCard) {
  auto channel = sinks::TeamsChannel::Create({server_.Url("/workflows/x"), "{{ event.subject }}: {{ event.data.message }}"},
                                             compiler_, Client());
  ASSERT_TRUE(channel.ok()) << channel.status().ToString();
  sinks::TryResult result = PrepareAndSend(**channel, Notification("Review please"));
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kDelivered);
  RecordedRequest request = OnlyRequest();
  EXPECT_EQ(request.path, "/workflows/x");
  EXPECT_EQ(request.Header("content-type"), "application/json; charset=utf-8");
  json body = json::parse(request.body);
  EXPECT_EQ(body["type"], "message");
  ASSERT_EQ(body["attachments"].size(), 1u);
  EXPECT_EQ(body["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
  const json& card = body["attachments"][0]["content"];
  EXPECT_EQ(card["$schema"], "http://adaptivecards.io/schemas/adaptive-card.json");
  EXPECT_EQ(card["type"], "AdaptiveCard");
  EXPECT_EQ(card["version"], "1.4");
  EXPECT_EQ(card["body"], json::parse(R"([{"type":"TextBlock","text":"task/T-7: Review please","wrap":true}])"));
}

TEST_F(ChannelSendTest, TooManyRequestsIsRetriedAfterWhatTheServerAsks) {
  server_.AnswerAlways(ScriptedAnswer::Status(429, "rate_limited").WithHeader("Retry-After", "7"));
  sinks::TryResult result = PrepareAndSend(*Slack(), Notification("hi"));
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kRetry);
  ASSERT_TRUE(result.retry_after.has_value());
  EXPECT_EQ(*result.retry_after, milliseconds(7000));
  EXPECT_EQ(result.detail, "HTTP 429: rate_limited");
}

TEST_F(ChannelSendTest, AServerErrorIsRetried) {
  server_.AnswerAlways(ScriptedAnswer::Status(500, "rollup_error"));
  sinks::TryResult result = PrepareAndSend(*Slack(), Notification("hi"));
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kRetry);
  EXPECT_FALSE(result.retry_after.has_value());
  EXPECT_EQ(result.detail, "HTTP 500: rollup_error");
}

TEST_F(ChannelSendTest, RetryAfterCountsOnlyOn429And503) {
  server_.AnswerNext({ScriptedAnswer::Status(503).WithHeader("Retry-After", "2"),
                      ScriptedAnswer::Status(500).WithHeader("Retry-After", "2")});
  sinks::WebhookChannel channel = Webhook(sinks::CloudEventsMode::kStructured, "");
  sinks::TryResult unavailable = PrepareAndSend(channel, Notification("hi"));
  EXPECT_EQ(unavailable.outcome, sinks::TryOutcome::kRetry);
  EXPECT_EQ(unavailable.retry_after, std::optional<milliseconds>(milliseconds(2000)));
  EXPECT_EQ(unavailable.detail, "HTTP 503");
  sinks::TryResult failed = PrepareAndSend(channel, Notification("hi"));
  EXPECT_EQ(failed.outcome, sinks::TryOutcome::kRetry);
  EXPECT_FALSE(failed.retry_after.has_value());
}

TEST_F(ChannelSendTest, AClientErrorIsPermanent) {
  server_.AnswerNext({ScriptedAnswer::Status(400, "invalid_payload"), ScriptedAnswer::Status(404, "channel_not_found")});
  sinks::TryResult bad = PrepareAndSend(*Slack(), Notification("hi"));
  EXPECT_EQ(bad.outcome, sinks::TryOutcome::kPermanent);
  EXPECT_EQ(bad.detail, "HTTP 400: invalid_payload");
  sinks::TryResult gone = PrepareAndSend(*Slack(), Notification("hi"));
  EXPECT_EQ(gone.outcome, sinks::TryOutcome::kPermanent);
  EXPECT_EQ(gone.detail, "HTTP 404: channel_not_found");
}

TEST_F(ChannelSendTest, TheDetailKeepsTheFirst512BytesOfTheBody) {
  std::string body = std::string(511, 'x') + "é" + std::string(100, 'y');  // 'é' straddles byte 512
  server_.AnswerAlways(ScriptedAnswer::Status(502, body));
  sinks::TryResult result = PrepareAndSend(Webhook(sinks::CloudEventsMode::kStructured, ""), Notification("hi"));
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kRetry);
  EXPECT_EQ(result.detail, "HTTP 502: " + std::string(511, 'x'));
}

TEST_F(ChannelSendTest, AServerThatNeverAnswersTimesOutAndIsRetried) {
  server_.AnswerAlways(ScriptedAnswer::Never());
  auto started = std::chrono::steady_clock::now();
  sinks::TryResult result =
      PrepareAndSend(Webhook(sinks::CloudEventsMode::kStructured, "", milliseconds(300)), Notification("hi"));
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kRetry);
  EXPECT_NE(result.detail.find("timed out"), std::string::npos) << result.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(3000));
  server_.Stop();
}

TEST_F(ChannelSendTest, AClosedPortIsRetried) {
  std::string url = server_.Url("/keel/in");
  server_.Stop();
  sinks::WebhookChannel channel({url, sinks::CloudEventsMode::kStructured, ""}, Client());
  sinks::TryResult result = PrepareAndSend(channel, Notification("hi"));
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kRetry);
  EXPECT_TRUE(result.detail.starts_with("connect to http://127.0.0.1:")) << result.detail;
  EXPECT_EQ(result.detail.find("/keel/in"), std::string::npos) << result.detail;  // no path: it may be a secret
}

TEST_F(ChannelSendTest, OneChannelSendsFromSeveralThreadsAtOnce) {
  sinks::WebhookChannel channel = Webhook(sinks::CloudEventsMode::kStructured, "s3cret");
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> delivered{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        EventSpec spec;
        spec.id = "ev-" + std::to_string(t) + "-" + std::to_string(i);
        StoredEvent event{static_cast<uint64_t>(t * kEach + i + 1), {}, MakeEvent(spec)};
        if (PrepareAndSend(channel, event).outcome == sinks::TryOutcome::kDelivered) ++delivered;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(delivered.load(), kThreads * kEach);
  std::set<std::string> keys;
  for (const RecordedRequest& request : server_.Requests()) {
    keys.insert(request.Header("idempotency-key"));
    EXPECT_EQ(request.Header("x-keel-signature"), "sha256=" + OpenSslHmacHex("s3cret", request.body));
    EXPECT_EQ(json::parse(request.body)["id"], request.Header("idempotency-key"));
  }
  EXPECT_EQ(keys.size(), static_cast<size_t>(kThreads * kEach));
}

TEST_F(ChannelSendTest, AMalformedUrlIsPermanent) {
  sinks::WebhookChannel channel({"ftp://127.0.0.1/x", sinks::CloudEventsMode::kStructured, ""}, Client());
  sinks::TryResult result = PrepareAndSend(channel, Notification("hi"));
  EXPECT_EQ(result.outcome, sinks::TryOutcome::kPermanent);
  EXPECT_FALSE(result.detail.empty());
}

}  // namespace
}  // namespace keel::testing
