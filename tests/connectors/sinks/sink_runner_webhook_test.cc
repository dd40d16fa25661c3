// The SinkRunner with the real webhook channel and HTTP client, sending to a
// recording server on loopback: a 503 with Retry-After is tried again, a 400
// is a dead letter, and each workspace's requests arrive in log order.
#include <map>

#include <gtest/gtest.h>

#include "connectors/http/http_client.h"
#include "connectors/sinks/sink_runner.h"
#include "connectors/sinks/webhook_channel.h"
#include "tests/connectors/sinks/scripted_channel.h"
#include "tests/support/recording_http_server.h"

namespace keel::sinks {
namespace {

using namespace std::chrono_literals;
using keel::testing::RecordedRequest;
using keel::testing::RecordingHttpServer;
using keel::testing::ScriptedAnswer;

TEST(SinkRunnerWebhookTest, DeliversInOrderRetriesAndDeadLetters) {
  keel::testing::TempDir dir;
  auto log = testing::OpenLog(dir / "db");
  auto letters = std::move(SinkDeadLetterStore::Open(dir / "letters")).value();
  std::vector<uint64_t> seqs = testing::AppendAll(
      *log, {testing::Comment("a1", "acme"), testing::Comment("g1", "globex"), testing::Comment("a2", "acme"),
             testing::Comment("bad", "globex", "refuse me"), testing::Comment("a3", "acme"),
             testing::Comment("g2", "globex")});

  RecordingHttpServer server;
  std::mutex mu;
  int a1_tries = 0;
  server.AnswerWith([&](const RecordedRequest& request) {
    std::string id = request.Header("idempotency-key");
    if (id == "bad") return ScriptedAnswer::Status(400, "invalid_payload");
    std::lock_guard<std::mutex> lock(mu);
    if (id == "a1" && ++a1_tries == 1) return ScriptedAnswer::Status(503, "busy").WithHeader("Retry-After", "0");
    return ScriptedAnswer::Status(200, "ok");
  });
  http::HttpClientOptions client_options;
  client_options.timeout = 5s;
  auto client = http::HttpClient::Create(client_options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();

  SinkOptions options;
  options.name = "ops-feed";
  options.kind = "webhook";
  options.selection.inputs_too = true;
  options.retry = {.max_attempts = 3, .initial_delay = 1ms, .max_delay = 10ms};
  options.poll_interval = 5ms;
  SinkParts parts;
  parts.log = log.get();
  WebhookChannelOptions webhook;
  webhook.url = server.Url("/keel");
  parts.channel = std::make_shared<WebhookChannel>(webhook, std::shared_ptr<const http::HttpClient>(std::move(*client)));
  parts.dead_letters = letters.get();
  auto runner = std::move(SinkRunner::Create(options, std::move(parts))).value();
  runner->Start();
  ASSERT_TRUE(testing::Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();

  std::map<std::string, std::vector<std::string>> order;  // workspace (from the id) -> ids as they arrived
  for (const RecordedRequest& request : server.Requests()) {
    std::string id = request.Header("idempotency-key");
    order[id[0] == 'a' ? "acme" : "globex"].push_back(id);
  }
  EXPECT_EQ(order["acme"], (std::vector<std::string>{"a1", "a1", "a2", "a3"}));
  EXPECT_EQ(order["globex"], (std::vector<std::string>{"g1", "bad", "g2"}));
  SinkMetrics metrics = runner->Metrics();
  EXPECT_EQ(metrics.delivered, 5u);
  EXPECT_EQ(metrics.retried, 1u);
  EXPECT_EQ(metrics.dead_lettered, 1u);
  auto letter = letters->Get("ops-feed-" + std::to_string(seqs[3]));
  ASSERT_TRUE(letter.ok()) << letter.status().ToString();
  EXPECT_EQ(letter->status, 400);
  EXPECT_EQ(letter->attempts, 1);
  EXPECT_NE(letter->reason.find("invalid_payload"), std::string::npos) << letter->reason;
  EXPECT_EQ(runner->cursor(), seqs.back());
}

}  // namespace
}  // namespace keel::sinks
