// A sinks: entry becomes its runner's options, setting for setting.
#include "server/sink_options.h"

#include <gtest/gtest.h>

namespace keel::server {
namespace {

using namespace std::chrono_literals;

TEST(SinkOptionsTest, EverySettingOfTheEntryReachesTheRunner) {
  SinkConfig sink;
  sink.name = "ops-feed";
  sink.kind = "webhook";
  sink.types = {"task.*", "notification.requested"};
  sink.condition = "event.workspace == \"acme\"";
  sink.concurrency = 2;
  sink.rate_per_second = 10;
  sink.max_pending = 500;
  sink.retry = {.max_attempts = 5, .initial_delay = 2s, .max_delay = 60s};
  sinks::SinkOptions options = SinkOptionsOf(sink);
  EXPECT_EQ(options.name, "ops-feed");
  EXPECT_EQ(options.kind, "webhook");
  EXPECT_EQ(options.selection.types, (std::vector<std::string>{"task.*", "notification.requested"}));
  EXPECT_EQ(options.selection.condition, "event.workspace == \"acme\"");
  EXPECT_FALSE(options.selection.inputs_too);
  EXPECT_EQ(options.concurrency, 2);
  EXPECT_EQ(options.rate_per_second, 10);
  EXPECT_EQ(options.max_pending, 500u);
  EXPECT_EQ(options.retry.max_attempts, 5);
  EXPECT_EQ(options.retry.initial_delay, 2s);
  EXPECT_EQ(options.retry.max_delay, 60s);
  EXPECT_EQ(options.poll_interval, 100ms);
  EXPECT_EQ(sinks::SinkCursorName(options.kind, options.name), sink.cursor_name());
}

}  // namespace
}  // namespace keel::server
