// What the webhook, slack and teams channels make of an event, before any
// network: each request written by hand from the CloudEvents HTTP binding,
// Slack's incoming-webhook message and Teams' Adaptive Card message
// (connectors/sinks/README.md cites them). The signature is computed here
// with OpenSSL, not with the code under test.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "connectors/sinks/slack_channel.h"
#include "connectors/sinks/teams_channel.h"
#include "connectors/sinks/webhook_channel.h"
#include "rules/expressions.h"
#include "tests/support/events.h"

namespace keel::testing {
namespace {

using sinks::Header;
using Headers = std::vector<Header>;

StoredEvent Notification(nlohmann::json data) {
  EventSpec spec;
  spec.id = "ev-1";
  spec.type = "notification.requested";
  spec.data = std::move(data);
  return StoredEvent{7, {}, MakeEvent(spec)};
}

// The canonical form of Notification({"message": "Ship it"}), written out.
const char* const kCanonical =
    R"({"actor":"user:alice","data":{"message":"Ship it"},"id":"ev-1","source":"test","specversion":"1.0",)"
    R"("subject":"task/T-1","time":"2026-03-02T09:00:00Z","type":"notification.requested","workspace":"acme"})";

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

sinks::OutboundHttpRequest Prepared(const sinks::Channel& channel, const StoredEvent& event) {
  auto message = channel.Prepare(event);
  EXPECT_TRUE(message.ok()) << message.status().ToString();
  if (!message.ok() || !message->has_value() || !(*message)->http) return {};
  return *(*message)->http;
}

TEST(WebhookChannelTest, StructuredModeSendsTheStoredEventWithItsSeq) {
  sinks::WebhookChannel channel({"http://127.0.0.1:9/hook", sinks::CloudEventsMode::kStructured, ""}, nullptr);
  sinks::OutboundHttpRequest request = Prepared(channel, Notification({{"message", "Ship it"}}));
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://127.0.0.1:9/hook");
  std::string expected_body = std::string(kCanonical);
  expected_body.pop_back();
  expected_body += R"(,"seq":7})";
  EXPECT_EQ(request.body, expected_body);
  Headers expected = {{"Content-Type", "application/cloudevents+json; charset=utf-8"}, {"Idempotency-Key", "ev-1"}};
  EXPECT_EQ(request.headers, expected);
}

TEST(WebhookChannelTest, ASecretSignsTheExactBody) {
  sinks::WebhookChannel channel({"http://127.0.0.1:9/hook", sinks::CloudEventsMode::kStructured, "s3cret"}, nullptr);
  sinks::OutboundHttpRequest request = Prepared(channel, Notification({{"message", "Ship it"}}));
  ASSERT_EQ(request.headers.size(), 3u);
  EXPECT_EQ(request.headers[2].first, "X-Keel-Signature");
  EXPECT_EQ(request.headers[2].second, "sha256=" + OpenSslHmacHex("s3cret", request.body));
}

TEST(WebhookChannelTest, BinaryModeSendsAttributesAsHeadersAndDataAsTheBody) {
  sinks::WebhookChannel channel({"https://example.com/keel", sinks::CloudEventsMode::kBinary, "s3cret"}, nullptr);
  sinks::OutboundHttpRequest request = Prepared(channel, Notification({{"message", "Café ok"}}));
  EXPECT_EQ(request.body, R"({"message":"Café ok"})");
  Headers expected = {{"ce-actor", "user:alice"},
                      {"ce-id", "ev-1"},
                      {"ce-source", "test"},
                      {"ce-specversion", "1.0"},
                      {"ce-subject", "task/T-1"},
                      {"ce-time", "2026-03-02T09:00:00Z"},
                      {"ce-type", "notification.requested"},
                      {"ce-workspace", "acme"},
                      {"ce-seq", "7"},
                      {"Content-Type", "application/json"},
                      {"Idempotency-Key", "ev-1"},
                      {"X-Keel-Signature", "sha256=" + OpenSslHmacHex("s3cret", R"({"message":"Café ok"})")}};
  EXPECT_EQ(request.headers, expected);
}

class ChatChannelTest : public ::testing::Test {
 protected:
  rules::CelExpressionCompiler compiler_;
};

TEST_F(ChatChannelTest, SlackSendsTheMessageAsTextJsonEscaped) {
  auto channel = sinks::SlackChannel::Create({"https://hooks.slack.com/services/T0/B0/X", std::string(sinks::kDefaultMessageTemplate)},
                                             compiler_, nullptr);
  ASSERT_TRUE(channel.ok()) << channel.status().ToString();
  sinks::OutboundHttpRequest request =
      Prepared(**channel, Notification({{"message", "Ship \"it\"\\now\n\t✓ <@U1>"}}));
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://hooks.slack.com/services/T0/B0/X");
  Headers expected = {{"Content-Type", "application/json; charset=utf-8"}};
  EXPECT_EQ(request.headers, expected);
  EXPECT_EQ(request.body, R"({"text":"Ship \"it\"\\now\n\t✓ <@U1>"})");
}

TEST_F(ChatChannelTest, SlackTextComesFromTheTemplate) {
  auto channel = sinks::SlackChannel::Create(
      {"https://hooks.slack.com/x", "{{ event.subject }} in {{ event.workspace }} (#{{ event.seq }}): {{ event.data.message }}"},
      compiler_, nullptr);
  ASSERT_TRUE(channel.ok()) << channel.status().ToString();
  EXPECT_EQ(Prepared(**channel, Notification({{"message", "late"}})).body,
            R"({"text":"task/T-1 in acme (#7): late"})");
}

TEST_F(ChatChannelTest, TeamsSendsOneAdaptiveCardWithTheText) {
  auto channel = sinks::TeamsChannel::Create({"https://example.webhook.office.com/x", "{{ event.data.message }}"},
                                             compiler_, nullptr);
  ASSERT_TRUE(channel.ok()) << channel.status().ToString();
  sinks::OutboundHttpRequest request = Prepared(**channel, Notification({{"message", "Review \"Q3\"\nplease"}}));
  EXPECT_EQ(request.url, "https://example.webhook.office.com/x");
  Headers expected = {{"Content-Type", "application/json; charset=utf-8"}};
  EXPECT_EQ(request.headers, expected);
  EXPECT_EQ(request.body,
            R"({"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",)"
            R"("content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard",)"
            R"("version":"1.4","body":[{"type":"TextBlock","text":"Review \"Q3\"\nplease","wrap":true}]}}]})");
}

TEST_F(ChatChannelTest, ATemplateThatDoesNotCompileIsRefusedWithItsPlace) {
  auto channel = sinks::SlackChannel::Create({"https://hooks.slack.com/x", "hi {{ event.data. }}"}, compiler_, nullptr);
  ASSERT_FALSE(channel.ok());
  EXPECT_TRUE(channel.status().message().starts_with("text: 1:")) << channel.status().message();
  auto unknown = sinks::TeamsChannel::Create({"https://x", "{{ body.text }}"}, compiler_, nullptr);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.status().message().starts_with("text: 1:")) << unknown.status().message();
}

TEST_F(ChatChannelTest, AMissingMemberIsAPrepareError) {
  auto channel = sinks::SlackChannel::Create({"https://hooks.slack.com/x", std::string(sinks::kDefaultMessageTemplate)},
                                             compiler_, nullptr);
  ASSERT_TRUE(channel.ok());
  auto message = (*channel)->Prepare(Notification({{"title", "no message"}}));
  ASSERT_FALSE(message.ok());
  EXPECT_TRUE(message.status().message().starts_with("text: ")) << message.status().message();
  EXPECT_NE(message.status().message().find("message"), std::string::npos) << message.status().message();
}

TEST_F(ChatChannelTest, ANonStringValueIsSentAsItsJson) {
  auto channel = sinks::SlackChannel::Create({"https://hooks.slack.com/x", "{{ event.data.count }}"}, compiler_, nullptr);
  ASSERT_TRUE(channel.ok());
  EXPECT_EQ(Prepared(**channel, Notification({{"count", 3}})).body, R"({"text":"3"})");
}

}  // namespace
}  // namespace keel::testing
