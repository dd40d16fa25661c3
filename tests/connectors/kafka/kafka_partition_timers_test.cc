// KafkaPartition's scheduler: a partition log fires its due timers from
// Service by the injected clock, a batch at a time, not while its input has
// a backlog, and what it fires goes out through the outbox. The clock and
// the steady time points Service is given are both the test's: no waiting.
#include "connectors/kafka/kafka_partition.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka_mock.h>
#include "engine/json_time.h"
#include "engine/schema/schema_registry.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

int64_t Micros(std::string_view rfc3339) { return ParseRfc3339Micros(rfc3339).value(); }

class PartitionTimersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { schemas_ = std::move(SchemaRegistry::LoadEmbedded()).value().release(); }

  void SetUp() override {
    producer_ = std::move(CreateIdempotentProducer({{"test.mock.num.brokers", "3"}, {"log_level", "3"}})).value();
    rd_kafka_mock_topic_create(rd_kafka_handle_mock_cluster(producer_.get()), "out", 1, 3);
    options_.data_dir = dir_.path();
    options_.log.sync = SyncMode::kOff;
    options_.outbox.topic = "out";
    options_.clock = &clock_;
    hooks_.before_timers = [this](EventLog&, int64_t first_due) {
      first_due_seen_.push_back(first_due);
      return Status::OK();
    };
  }

  std::unique_ptr<KafkaPartition> Open() {
    return std::move(KafkaPartition::Open("in", 0, options_, hooks_, schemas_, producer_.get(), &metrics_)).value();
  }

  // An input timer.scheduled: a timer `timer` firing at `at`.
  static void Schedule(KafkaPartition& partition, const std::string& timer, const std::string& at) {
    Event event = testing::MakeEvent({.id = "s-" + timer, .type = "timer.scheduled", .subject = "task/T-1",
                                      .data = {{"timer", timer}, {"name", "remind"}, {"scheduled_for", at}}});
    std::vector<AppendRequest> group;
    group.push_back({std::move(event), std::nullopt});
    ASSERT_TRUE(partition.log().Append(std::move(group)).ok());
  }

  static int FiredInLog(const EventLog& log) {
    int fired = 0;
    EXPECT_TRUE(log.Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
      fired += stored.event.type == "timer.fired";
      return true;
    }).ok());
    return fired;
  }

  // The steady time of the next Service call: each a full interval after
  // the one before, so every call looks at the timers.
  Steady::time_point Later() {
    steady_ += options_.timer_interval;
    return steady_;
  }

  static SchemaRegistry* schemas_;
  testing::TempDir dir_;
  FakeClock clock_{Micros("2026-03-02T09:00:00Z")};
  Steady::time_point steady_{};
  PartitionOptions options_;
  PartitionHooks hooks_;
  KafkaHandle producer_;
  ServeMetrics metrics_;
  std::vector<int64_t> first_due_seen_;
};

SchemaRegistry* PartitionTimersTest::schemas_ = nullptr;

TEST_F(PartitionTimersTest, ADueTimerFiresWhenTheClockReachesItAndIsPublished) {
  auto partition = Open();
  Schedule(*partition, "tm-1", "2026-03-02T10:00:00Z");
  ASSERT_TRUE(partition->Service(Later()).ok());
  EXPECT_EQ(metrics_.timers_fired.load(), 0u);
  const std::string gauge = "keel_next_timer_due_seconds{topic=\"in\",partition=\"0\"} 1772445600.000\n";
  EXPECT_NE(metrics_.PrometheusText().find(gauge), std::string::npos) << metrics_.PrometheusText();

  clock_.Set(Micros("2026-03-02T10:00:00Z"));
  ASSERT_TRUE(partition->Service(Later()).ok());
  EXPECT_EQ(metrics_.timers_fired.load(), 1u);
  EXPECT_EQ(FiredInLog(partition->log()), 1);
  EXPECT_EQ(first_due_seen_, (std::vector<int64_t>{Micros("2026-03-02T10:00:00Z")}));
  EXPECT_FALSE(partition->log().NextTimerDue().value().has_value());

  // The input timer.scheduled is not published; the engine's timer.fired is.
  ASSERT_TRUE(partition->Drain(Steady::now() + 20s).ok());
  EXPECT_EQ(metrics_.derived_out.load(), 1u);
  EXPECT_NE(metrics_.PrometheusText().find("keel_timers_fired_total 1\n"), std::string::npos);
}

TEST_F(PartitionTimersTest, TimersAreLookedAtOncePerInterval) {
  auto partition = Open();
  Schedule(*partition, "tm-1", "2026-03-02T10:00:00Z");
  Steady::time_point first = Later();
  ASSERT_TRUE(partition->Service(first).ok());  // nothing due yet
  clock_.Set(Micros("2026-03-02T11:00:00Z"));
  ASSERT_TRUE(partition->Service(first + options_.timer_interval / 2).ok());
  EXPECT_EQ(metrics_.timers_fired.load(), 0u);
  ASSERT_TRUE(partition->Service(first + options_.timer_interval).ok());
  EXPECT_EQ(metrics_.timers_fired.load(), 1u);
}

TEST_F(PartitionTimersTest, ManyDueTimersFireABatchPerServiceWithoutWaitingForTheInterval) {
  options_.scheduler.timers_per_batch = 2;
  auto partition = Open();
  for (int i = 0; i < 5; ++i) {
    Schedule(*partition, "tm-" + std::to_string(i), "2026-03-02T10:0" + std::to_string(i) + ":00Z");
  }
  clock_.Set(Micros("2026-03-03T00:00:00Z"));
  Steady::time_point now = Later();
  std::vector<uint64_t> after_each;
  for (int call = 0; call < 4; ++call) {
    ASSERT_TRUE(partition->Service(now).ok());  // the same steady time: no interval passes
    after_each.push_back(metrics_.timers_fired.load());
  }
  EXPECT_EQ(after_each, (std::vector<uint64_t>{2, 4, 5, 5}));
  EXPECT_EQ(FiredInLog(partition->log()), 5);
}

TEST_F(PartitionTimersTest, TimersWaitWhileTheInputHasABacklog) {
  auto partition = Open();
  Schedule(*partition, "tm-1", "2026-03-02T10:00:00Z");
  clock_.Set(Micros("2026-03-02T12:00:00Z"));
  ASSERT_TRUE(partition->Service(Later(), options_.timer_backlog_limit + 1).ok());
  EXPECT_EQ(metrics_.timers_fired.load(), 0u);
  ASSERT_TRUE(partition->Service(Later(), options_.timer_backlog_limit).ok());
  EXPECT_EQ(metrics_.timers_fired.load(), 1u);
}

TEST_F(PartitionTimersTest, ATimerThatFellDueWhileThePartitionWasClosedFiresOnceOnReopen) {
  {
    auto partition = Open();
    Schedule(*partition, "tm-1", "2026-03-02T10:00:00Z");
    ASSERT_TRUE(partition->Service(Later()).ok());
    ASSERT_TRUE(partition->Drain(Steady::now() + 5s).ok());
  }
  clock_.Set(Micros("2026-03-05T00:00:00Z"));  // down for days
  {
    auto partition = Open();
    ASSERT_TRUE(partition->Service(Later()).ok());
    ASSERT_TRUE(partition->Service(Later()).ok());
    EXPECT_EQ(FiredInLog(partition->log()), 1);
    ASSERT_TRUE(partition->Drain(Steady::now() + 5s).ok());
  }
  auto partition = Open();  // and again: nothing left to fire
  ASSERT_TRUE(partition->Service(Later()).ok());
  EXPECT_EQ(FiredInLog(partition->log()), 1);
  EXPECT_EQ(metrics_.timers_fired.load(), 1u);
}

}  // namespace
}  // namespace keel
