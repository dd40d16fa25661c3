// OutboxRelay against librdkafka's mock cluster inside this process, and
// against a broker that is not there.
#include "connectors/outbox_relay.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka_mock.h>

#include <thread>

#include "engine/log_format.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using namespace std::chrono_literals;

class OutboxRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogOptions options;
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    log_ = std::move(EventLog::Open(dir_.path() / "db", options)).value();
    std::vector<AppendRequest> group;
    for (int i = 0; i < 5; ++i) {
      group.push_back({testing::MakeEvent({.id = "e" + std::to_string(i), .workspace = i % 2 ? "acme" : "globex"}),
                       std::nullopt});
    }
    ASSERT_TRUE(log_->Append(std::move(group)).ok());
  }

  // A producer whose own mock cluster (3 brokers) is the output.
  void StartMockProducer() {
    producer_ = std::move(CreateIdempotentProducer({{"test.mock.num.brokers", "3"}})).value();
    rd_kafka_mock_topic_create(rd_kafka_handle_mock_cluster(producer_.get()), "out", 2, 3);
  }

  // Pumps and polls until the relay is caught up or `timeout` passes.
  bool Run(OutboxRelay& relay, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      EXPECT_TRUE(relay.Pump(100).ok());
      rd_kafka_poll(producer_.get(), 20);
      if (relay.CaughtUp()) return true;
    }
    return false;
  }

  testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
  KafkaHandle producer_;
  ServeMetrics metrics_;
};

TEST_F(OutboxRelayTest, PublishesEveryEventAndStoresTheCursorAfterAcknowledgement) {
  StartMockProducer();
  auto relay = std::move(OutboxRelay::Open(log_.get(), producer_.get(), {"out", true}, &metrics_)).value();
  ASSERT_TRUE(Run(*relay, 20s));
  EXPECT_EQ(metrics_.derived_out.load(), 5u);
  EXPECT_EQ(relay->cursor(), 5u);
  auto cursor = relay->TakeCursorUpdate();
  ASSERT_TRUE(cursor.has_value());
  EXPECT_EQ(cursor->key, "outbox/kafka/out");
  EXPECT_EQ(cursor->value, log_format::EventKey(5));
  EXPECT_FALSE(relay->TakeCursorUpdate().has_value());  // written once
  ASSERT_TRUE(log_->Append({}, {*cursor}).ok());

  // A relay opened again starts after the stored cursor: nothing to publish.
  auto again = std::move(OutboxRelay::Open(log_.get(), producer_.get(), {"out", true}, &metrics_)).value();
  EXPECT_TRUE(again->CaughtUp());
  EXPECT_EQ(again->cursor(), 5u);
}

TEST_F(OutboxRelayTest, InputEventsAreSkippedButPassedByTheCursorWhenOnlyDerivedArePublished) {
  StartMockProducer();
  auto relay = std::move(OutboxRelay::Open(log_.get(), producer_.get(), {"out", false}, &metrics_)).value();
  ASSERT_TRUE(Run(*relay, 5s));
  EXPECT_EQ(metrics_.derived_out.load(), 0u);
  EXPECT_EQ(relay->cursor(), 5u);
}

TEST_F(OutboxRelayTest, TheCursorDoesNotPassEventsThatWereNotDelivered) {
  // Nobody listens on port 1; deliveries time out quickly.
  producer_ = std::move(CreateIdempotentProducer({{"bootstrap.servers", "127.0.0.1:1"},
                                                  {"message.timeout.ms", "300"},
                                                  {"log_level", "0"}}))
                  .value();
  auto relay = std::move(OutboxRelay::Open(log_.get(), producer_.get(), {"out", true}, &metrics_)).value();
  EXPECT_FALSE(Run(*relay, 1500ms));
  EXPECT_EQ(relay->cursor(), 0u);
  EXPECT_FALSE(relay->TakeCursorUpdate().has_value());
  EXPECT_EQ(metrics_.derived_out.load(), 0u);
}

}  // namespace
}  // namespace keel
