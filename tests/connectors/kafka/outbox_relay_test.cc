// OutboxRelay against librdkafka's mock cluster inside this process, and
// against a broker that is not there.
#include "connectors/kafka/outbox_relay.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "engine/log/stored_positions.h"
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
  EXPECT_FALSE(relay->TakeCursorUpdate().has_value());  // written once
  ASSERT_TRUE(log_->Append({}, {*cursor}).ok());
  EXPECT_EQ(ReadSinkCursor(*log_, "kafka/out").value(), std::optional<uint64_t>(5));

  // A relay opened again starts after the stored cursor: nothing to publish.
  auto again = std::move(OutboxRelay::Open(log_.get(), producer_.get(), {"out", true}, &metrics_)).value();
  EXPECT_TRUE(again->CaughtUp());
  EXPECT_EQ(again->cursor(), 5u);
}

// The relay reads only two members of each event's bytes: what it sends must
// still be the whole canonical event, keyed by its workspace.
TEST_F(OutboxRelayTest, EachMessageIsTheCanonicalEventKeyedByItsWorkspace) {
  StartMockProducer();
  auto relay = std::move(OutboxRelay::Open(log_.get(), producer_.get(), {"out", true}, &metrics_)).value();
  ASSERT_TRUE(Run(*relay, 20s));

  char error[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const char* bootstraps = rd_kafka_mock_cluster_bootstraps(rd_kafka_handle_mock_cluster(producer_.get()));
  ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, error, sizeof error), RD_KAFKA_CONF_OK);
  ASSERT_EQ(rd_kafka_conf_set(conf, "group.id", "outbox-test", error, sizeof error), RD_KAFKA_CONF_OK);
  KafkaHandle consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error));
  ASSERT_NE(consumer.get(), nullptr) << error;
  rd_kafka_topic_partition_list_t* partitions = rd_kafka_topic_partition_list_new(2);
  for (int32_t p = 0; p < 2; ++p) {
    rd_kafka_topic_partition_list_add(partitions, "out", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  ASSERT_EQ(rd_kafka_assign(consumer.get(), partitions), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(partitions);

  std::map<std::string, std::string> sent;  // canonical event -> key
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (sent.size() < 5 && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      sent[std::string(MessageValue(message))] = std::string(MessageKey(message));
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(consumer.get());
  std::map<std::string, std::string> expected;
  ASSERT_TRUE(log_->Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
    expected[stored.event.canonical] = stored.event.workspace;
    return true;
  }).ok());
  EXPECT_EQ(sent, expected);
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
