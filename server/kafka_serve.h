// KafkaServe: the loop behind `keel serve`. A consumer in a consumer group
// reads the input topics; each assigned partition gets its own log
// (KafkaPartition); batches of messages are appended with their offsets;
// each log's due timers fire between batches; the outbox relays publish what
// the logs gained; refused messages go to the dead-letter topic.
//
// Offsets live in the partition logs, not in Kafka: on assignment keel seeks
// to the stored offset, so redelivered messages are not applied twice.
// Offsets are also committed to Kafka, after the log is durable, so that
// the group's lag is visible to the usual tools.
//
// Run is called from one thread; everything else (partitions, producer
// polls, rebalances) happens on that thread inside it, except that a large
// batch's partitions are appended on `ingest_threads` threads at once, while
// the Run thread waits for them.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "connectors/kafka/dead_letters.h"
#include "connectors/kafka/kafka_client.h"
#include "connectors/kafka/kafka_partition.h"
#include "connectors/serve_metrics.h"
#include "server/serve_sinks.h"

namespace keel::server {
class HeldLogs;  // server/api_backends.h
}  // namespace keel::server

namespace keel {

struct KafkaServeOptions {
  std::vector<std::string> input_topics;
  std::string group_id;
  std::string dead_letter_topic;
  PartitionOptions partition;  // data folder, log, decoding, outbox (output topic)
  // Common librdkafka properties (bootstrap.servers, security, ...), then
  // those of the consumer or the producer only.
  KafkaProperties kafka;
  KafkaProperties consumer;
  KafkaProperties producer;
  // A batch (one WriteBatch per partition) holds what the consumer has ready:
  // it closes when no message is waiting, at this many messages, or this long
  // after its first message, whichever comes first. Busy, batches grow and
  // the cost per message falls; idle, a message waits for no one.
  size_t max_batch = 5000;
  std::chrono::milliseconds max_wait{10};
  // The partitions of one batch are appended on up to this many threads
  // (each partition's log by one thread at a time).
  size_t ingest_threads = 2;
  // How often consumed offsets are committed to Kafka, and lag measured.
  std::chrono::milliseconds commit_interval{1000};
  // On shutdown and revocation: how long to wait for the outbox to drain
  // (all partitions together) and the producer to flush.
  std::chrono::milliseconds drain_timeout{10000};
  // The sinks run on each assigned partition's log (a runner per sink and
  // partition, its cursor in that log), made on assignment and stopped on
  // revocation before the partition drains; their dead letters in
  // DATA/sink-dead-letters-TOPIC-PARTITION. nullptr or no sinks: none. Both
  // must outlive the serve.
  const server::SinkServeParts* sinks = nullptr;
  server::LiveSinks* live_sinks = nullptr;
  // The partition logs for the HTTP API: each added on assignment, all
  // removed (waiting for the API's holds) before they close. Optional; must
  // outlive the serve.
  server::HeldLogs* api_logs = nullptr;
};

class KafkaServe {
 public:
  // Creates the consumer and the producer; nothing is consumed before Run.
  // `hooks`, `schemas` and `metrics` must outlive it.
  static Result<std::unique_ptr<KafkaServe>> Create(KafkaServeOptions options, const PartitionHooks* hooks,
                                                    const SchemaRegistry* schemas, ServeMetrics* metrics);
  ~KafkaServe();

  // Serves until `stop` becomes true, then finishes the batch in hand,
  // drains the outbox, commits and leaves the group. An error return means
  // keel could not go on (a log that cannot be written, a bad topic); what
  // was written before stays consistent.
  Status Run(const std::atomic<bool>& stop);

 private:
  using PartitionKey = std::pair<std::string, int32_t>;
  struct Batch {
    std::map<PartitionKey, std::vector<KafkaMessage>> messages;
    size_t size = 0;
    std::chrono::steady_clock::time_point started;
  };

  explicit KafkaServe(KafkaServeOptions options, const PartitionHooks* hooks, const SchemaRegistry* schemas,
                      ServeMetrics* metrics);
  Status Start();
  Status PollBatch(const std::atomic<bool>& stop);
  Status IngestBatch();
  Status ServicePartitions();
  // Asynchronously; Kafka's copy is informational (keel seeks to its own).
  Status CommitOffsets();
  // The messages of a partition not yet consumed, as of the consumer's last
  // fetch; nullopt before the first.
  std::optional<int64_t> Backlog(const PartitionKey& key, const KafkaPartition& partition) const;
  void MeasureLag();
  Status Shutdown();

  // Rebalances (kafka_serve_rebalance.cc), on the consumer's poll.
  static void OnRebalance(rd_kafka_t* consumer, rd_kafka_resp_err_t error,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  Status Assign(rd_kafka_topic_partition_list_t* partitions);
  Status Revoke();

  KafkaServeOptions options_;
  const PartitionHooks* hooks_;
  const SchemaRegistry* schemas_;
  ServeMetrics* metrics_;
  KafkaHandle producer_;
  KafkaHandle consumer_;
  std::unique_ptr<DeadLetters> dead_letters_;
  std::map<PartitionKey, std::unique_ptr<KafkaPartition>> partitions_;
  // Each partition's sinks and their dead letters; stopped and dropped
  // before its partition (declared after: destroyed first).
  struct PartitionSinks {
    std::unique_ptr<sinks::SinkDeadLetterStore> dead_letters;
    server::SinkServeParts parts;
    std::unique_ptr<server::LogSinks> runners;
  };
  std::map<PartitionKey, std::unique_ptr<PartitionSinks>> sinks_;
  Status StartSinks(const PartitionKey& key, KafkaPartition& partition);
  void StopSinks();
  void DropSinks();
  Batch batch_;
  Status fatal_;  // an error inside a rebalance callback; Run stops with it
  // Set when shutting down: draining the outbox and flushing the producer
  // end by then, however long leaving the group takes.
  std::optional<std::chrono::steady_clock::time_point> shutdown_deadline_;
  std::chrono::steady_clock::time_point last_commit_;
};

}  // namespace keel
