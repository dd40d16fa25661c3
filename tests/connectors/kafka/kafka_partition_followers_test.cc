// KafkaPartition's followers (engine/log/append_follower.h), the sinks of a
// partition log: told of what the timers append, their moved cursors written
// by Service at the cursor interval beside the outbox's, and by Drain.
#include "connectors/kafka/kafka_partition.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka_mock.h>

#include "engine/json_time.h"
#include "engine/log/stored_positions.h"
#include "engine/schema/schema_registry.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

// Hands the cursor a test sets once; remembers the heads it was told.
class FakeFollower : public AppendFollower {
 public:
  void NotifyAppended(uint64_t head) override {
    MutexLock lock(&mu_);
    heads_.push_back(head);
  }
  std::optional<MetaPut> TakeCursorUpdate() override {
    MutexLock lock(&mu_);
    std::optional<MetaPut> update = std::move(cursor_);
    cursor_.reset();
    return update;
  }
  void MoveCursorTo(uint64_t seq) {
    MutexLock lock(&mu_);
    cursor_ = SinkCursorPut("webhook/feed", seq);
  }
  std::vector<uint64_t> heads() const {
    MutexLock lock(&mu_);
    return heads_;
  }

 private:
  mutable Mutex mu_;
  std::vector<uint64_t> heads_ GUARDED_BY(mu_);
  std::optional<MetaPut> cursor_ GUARDED_BY(mu_);
};

class PartitionFollowersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { schemas_ = std::move(SchemaRegistry::LoadEmbedded()).value().release(); }

  void SetUp() override {
    producer_ = std::move(CreateIdempotentProducer({{"test.mock.num.brokers", "1"}, {"log_level", "3"}})).value();
    rd_kafka_mock_topic_create(rd_kafka_handle_mock_cluster(producer_.get()), "out", 1, 1);
    options_.data_dir = dir_.path();
    options_.log.sync = SyncMode::kOff;
    options_.outbox.topic = "out";
    options_.clock = &clock_;
    partition_ = std::move(KafkaPartition::Open("in", 0, options_, hooks_, schemas_, producer_.get(), &metrics_)).value();
    partition_->followers().Add(follower_);
  }

  std::optional<uint64_t> StoredCursor() {
    return ReadSinkCursor(partition_->log(), "webhook/feed").value();
  }

  static SchemaRegistry* schemas_;
  testing::TempDir dir_;
  FakeClock clock_{ParseRfc3339Micros("2026-03-02T09:00:00Z").value()};
  PartitionOptions options_;
  PartitionHooks hooks_;
  KafkaHandle producer_;
  ServeMetrics metrics_;
  std::unique_ptr<KafkaPartition> partition_;
  std::shared_ptr<FakeFollower> follower_ = std::make_shared<FakeFollower>();
};

SchemaRegistry* PartitionFollowersTest::schemas_ = nullptr;

TEST_F(PartitionFollowersTest, IsToldWhatFiredTimersAppend) {
  Event event = testing::MakeEvent({.id = "s-1", .type = "timer.scheduled", .subject = "task/T-1",
                                    .data = {{"timer", "tm-1"}, {"name", "remind"},
                                             {"scheduled_for", "2026-03-02T10:00:00Z"}}});
  std::vector<AppendRequest> group;
  group.push_back({std::move(event), std::nullopt});
  ASSERT_TRUE(partition_->log().Append(std::move(group)).ok());
  clock_.Set(ParseRfc3339Micros("2026-03-02T10:00:00Z").value());
  ASSERT_TRUE(partition_->Service(Steady::now() + 1h).ok());
  EXPECT_EQ(follower_->heads(), (std::vector<uint64_t>{2}));  // the input, then its timer.fired
}

TEST_F(PartitionFollowersTest, ServiceWritesAMovedCursorAtTheCursorInterval) {
  Steady::time_point start = Steady::now();
  ASSERT_TRUE(partition_->Service(start).ok());  // the interval starts
  follower_->MoveCursorTo(7);
  ASSERT_TRUE(partition_->Service(start + options_.cursor_interval + 1h).ok());
  EXPECT_EQ(StoredCursor(), std::optional<uint64_t>(7));
}

TEST_F(PartitionFollowersTest, DrainWritesTheLastCursor) {
  follower_->MoveCursorTo(3);
  ASSERT_TRUE(partition_->Drain(Steady::now() + 20s).ok());
  EXPECT_EQ(StoredCursor(), std::optional<uint64_t>(3));
}

}  // namespace
}  // namespace keel
