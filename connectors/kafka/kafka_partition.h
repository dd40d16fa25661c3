// KafkaPartition: one assigned input partition and its own log in
// DATA/TOPIC-PARTITION/. Its messages are appended a batch at a time in one
// WriteBatch together with the partition's next offset (its stored source
// position, named `kafka/TOPIC/PARTITION`), so a message is applied exactly once
// however often Kafka delivers it; its scheduler fires the log's due timers
// (each partition log keeps its own); its outbox relay publishes what the
// log gained, timer.fired events and what rules derived from them included.
// Not thread-safe: the serve loop's thread owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "connectors/kafka/dead_letters.h"
#include "connectors/kafka/kafka_client.h"
#include "connectors/kafka/outbox_relay.h"
#include "engine/clock.h"
#include "engine/ingest/ingest.h"
#include "engine/ingest/scheduler.h"
#include "engine/log/append_follower.h"

namespace keel {

// What the command plugs into each partition's log; connectors/ does not
// know rules/.
struct PartitionHooks {
  // After the log is opened (e.g. set the reactor).
  std::function<Status(EventLog&)> opened;
  // Before each group is appended (e.g. activate the rule set at the time
  // of its first event).
  std::function<Status(EventLog&, std::span<const IngestItem>)> before_group;
  // Before due timers fire, with the fire time of the earliest (e.g.
  // activate the rule set when no input did yet, so that what the timers
  // derive comes from the active set).
  std::function<Status(EventLog&, int64_t first_due_micros)> before_timers;
};

struct PartitionOptions {
  std::filesystem::path data_dir;
  LogOptions log;
  DecodeOptions decode;
  OutboxOptions outbox;
  // How often a moved outbox cursor is written when no batch carries it.
  std::chrono::milliseconds cursor_interval{200};
  // What time it is for the partitions' timers; must outlive them. nullptr:
  // the system clock. Tests inject a FakeClock.
  const Clock* clock = nullptr;
  // How often the earliest pending timer is looked at (one RocksDB seek).
  std::chrono::milliseconds timer_interval{100};
  // Timers wait while more input than this is still to be consumed, so that
  // after downtime the backlog is applied first: an event in it may have
  // completed a task or moved its due date, making its timer moot.
  int64_t timer_backlog_limit = 5000;
  SchedulerOptions scheduler;
};

class KafkaPartition {
 public:
  // Opens (or creates) the partition's log and reads its stored offset.
  // Everything passed must outlive the partition.
  static Result<std::unique_ptr<KafkaPartition>> Open(const std::string& topic, int32_t partition,
                                                      const PartitionOptions& options, const PartitionHooks& hooks,
                                                      const SchemaRegistry* schemas, rd_kafka_t* producer,
                                                      ServeMetrics* metrics);

  // The offset to consume from: the stored next offset, or the partition's
  // beginning when the log has none (a new log builds its state from the
  // whole partition).
  int64_t start_offset() const;
  // The next offset after everything appended; -1 before anything was.
  int64_t next_offset() const { return next_offset_; }

  // Appends `messages` (this partition's, in offset order) in one
  // WriteBatch with the next offset and the outbox cursor, and sends the
  // refused ones to `dead_letters`. An error means the batch was not
  // written; the serve loop stops then, and Kafka redelivers it later.
  Status Ingest(std::span<const KafkaMessage> messages, DeadLetters& dead_letters);

  // Periodic work between batches: fires the timers due by the clock (one
  // WriteBatch at most, unless `backlog`, the input messages still to be
  // consumed, is over options' timer_backlog_limit), publishes what the log
  // gained and writes the outbox cursor when it moved.
  Status Service(std::chrono::steady_clock::time_point now, int64_t backlog = 0);

  // Publishes everything and waits until `deadline` at most for the
  // acknowledgements, stores the cursor and makes the log durable. The log
  // stays open.
  Status Drain(std::chrono::steady_clock::time_point deadline);

  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_; }
  EventLog& log() { return *log_; }

  // Who follows this log besides the outbox (the sinks,
  // engine/log/append_follower.h): told of each Append, their moved cursors
  // written with the next batch, at each cursor_interval, and by Drain. Stop
  // them (their cursors final) before Drain.
  AppendFollowers& followers() { return followers_; }

 private:
  KafkaPartition(std::string topic, int32_t partition, const PartitionOptions& options, const PartitionHooks& hooks,
                 rd_kafka_t* producer, ServeMetrics* metrics);
  Status WriteCursor();
  Status FireDueTimers(std::chrono::steady_clock::time_point now, int64_t backlog);

  const std::string topic_;
  const int32_t partition_;
  const PartitionOptions& options_;
  const PartitionHooks& hooks_;
  rd_kafka_t* producer_;
  ServeMetrics* metrics_;
  std::string source_;  // its name for its stored position: kafka/TOPIC/PARTITION
  int64_t next_offset_ = -1;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Ingestor> ingestor_;
  std::unique_ptr<OutboxRelay> relay_;
  AppendFollowers followers_;
  SystemClock system_clock_;  // when options give no clock
  std::unique_ptr<Scheduler> scheduler_;
  std::chrono::steady_clock::time_point last_cursor_write_;
  std::chrono::steady_clock::time_point next_timer_check_;  // the epoch: at the first Service
};

// DATA/TOPIC-PARTITION
std::filesystem::path PartitionLogDir(const std::filesystem::path& data_dir, const std::string& topic,
                                      int32_t partition);

}  // namespace keel
