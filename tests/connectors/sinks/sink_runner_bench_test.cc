// Figures, not tests (DISABLED_: run them with --gtest_also_run_disabled_tests
// --gtest_filter='SinkRunnerBench.*'): how fast one sink empties a log into an
// instant channel, and into the webhook channel on loopback with signing.
#include <chrono>
#include <iostream>

#include <gtest/gtest.h>

#include "connectors/http/http_client.h"
#include "connectors/sinks/sink_runner.h"
#include "connectors/sinks/webhook_channel.h"
#include "tests/connectors/sinks/scripted_channel.h"
#include "tests/support/recording_http_server.h"

namespace keel::sinks {
namespace {

using namespace std::chrono_literals;

// Appends `count` events over `workspaces` workspaces, then times one sink
// from its start until it has caught up.
double DeliveriesPerSecond(std::shared_ptr<const Channel> channel, int count, int workspaces, int concurrency) {
  keel::testing::TempDir dir;
  auto log = testing::OpenLog(dir / "db");
  auto letters = std::move(SinkDeadLetterStore::Open(dir / "letters")).value();
  for (int done = 0; done < count;) {
    std::vector<Event> batch;
    for (int i = 0; i < 1000 && done < count; ++i, ++done) {
      batch.push_back(testing::Comment("e" + std::to_string(done), "ws" + std::to_string(done % workspaces)));
    }
    testing::AppendAll(*log, batch);
  }
  SinkOptions options;
  options.name = "bench";
  options.kind = "webhook";
  options.selection.inputs_too = true;
  options.concurrency = concurrency;
  SinkParts parts;
  parts.log = log.get();
  parts.channel = std::move(channel);
  parts.dead_letters = letters.get();
  auto runner = std::move(SinkRunner::Create(options, std::move(parts))).value();
  auto start = std::chrono::steady_clock::now();
  runner->Start();
  EXPECT_TRUE(testing::Eventually([&] { return runner->CaughtUp(); }));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  runner->Stop();
  EXPECT_EQ(runner->Metrics().delivered, static_cast<uint64_t>(count));
  return count / seconds;
}

TEST(SinkRunnerBench, DISABLED_InstantChannel) {
  auto channel = std::make_shared<testing::ScriptedChannel>();
  std::cout << "instant channel, 50000 events, 16 workspaces, concurrency 4: "
            << DeliveriesPerSecond(channel, 50000, 16, 4) << " deliveries/s\n";
}

TEST(SinkRunnerBench, DISABLED_SignedWebhookOnLoopback) {
  keel::testing::RecordingHttpServer server;
  auto client = std::move(http::HttpClient::Create({})).value();
  WebhookChannelOptions webhook;
  webhook.url = server.Url("/keel");
  webhook.secret = "bench-secret";
  auto channel = std::make_shared<WebhookChannel>(webhook, std::shared_ptr<const http::HttpClient>(std::move(client)));
  std::cout << "signed webhook on loopback, 5000 events, 16 workspaces, concurrency 4: "
            << DeliveriesPerSecond(channel, 5000, 16, 4) << " deliveries/s\n";
}

}  // namespace
}  // namespace keel::sinks
