#include "server/kafka_serve.h"

#include <algorithm>

#include "connectors/json_log.h"
#include "server/api_backends.h"
#include "server/work_lanes.h"

namespace keel {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How long a poll waits when no batch is open: the outbox and the delivery
// reports are serviced between polls.
constexpr std::chrono::milliseconds kIdlePoll{20};
// Below this many messages a batch's partitions are appended one after the
// other: starting a thread costs more than the overlap saves.
constexpr size_t kParallelBatch = 256;

int Millis(std::chrono::nanoseconds duration) {
  return static_cast<int>(std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(duration).count()));
}

}  // namespace

KafkaServe::KafkaServe(KafkaServeOptions options, const PartitionHooks* hooks, const SchemaRegistry* schemas,
                       ServeMetrics* metrics)
    : options_(std::move(options)), hooks_(hooks), schemas_(schemas), metrics_(metrics) {}

KafkaServe::~KafkaServe() {
  DropSinks();  // the runners read the partitions' logs
  if (options_.api_logs != nullptr) options_.api_logs->RemoveAll();
  partitions_.clear();
  batch_.messages.clear();
  consumer_.reset();
  producer_.reset();
}

Result<std::unique_ptr<KafkaServe>> KafkaServe::Create(KafkaServeOptions options, const PartitionHooks* hooks,
                                                       const SchemaRegistry* schemas, ServeMetrics* metrics) {
  std::unique_ptr<KafkaServe> serve(new KafkaServe(std::move(options), hooks, schemas, metrics));
  KEEL_RETURN_IF_ERROR(serve->Start());
  return serve;
}

Status KafkaServe::Start() {
  KafkaProperties producer = options_.kafka;
  producer.insert(producer.end(), options_.producer.begin(), options_.producer.end());
  KEEL_ASSIGN_OR_RETURN(producer_, CreateIdempotentProducer(producer));
  dead_letters_ = std::make_unique<DeadLetters>(producer_.get(), options_.dead_letter_topic, metrics_);

  KafkaProperties consumer = {{"auto.offset.reset", "earliest"}};
  consumer.insert(consumer.end(), options_.kafka.begin(), options_.kafka.end());
  consumer.insert(consumer.end(), options_.consumer.begin(), options_.consumer.end());
  // Offsets are keel's (stored with the events); Kafka's copy is committed
  // by keel after the batch is durable, never automatically.
  consumer.insert(consumer.end(), {{"group.id", options_.group_id},
                                   {"enable.auto.commit", "false"},
                                   {"enable.auto.offset.store", "false"},
                                   {"enable.partition.eof", "false"}});
  KEEL_ASSIGN_OR_RETURN(KafkaConfig config, KafkaConfig::Make(consumer));
  rd_kafka_conf_set_rebalance_cb(config.get(), &KafkaServe::OnRebalance);
  rd_kafka_conf_set_opaque(config.get(), this);
  KEEL_ASSIGN_OR_RETURN(consumer_, config.Create(RD_KAFKA_CONSUMER));
  rd_kafka_poll_set_consumer(consumer_.get());

  PartitionList topics(rd_kafka_topic_partition_list_new(static_cast<int>(options_.input_topics.size())));
  for (const std::string& topic : options_.input_topics) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  return KafkaStatus(rd_kafka_subscribe(consumer_.get(), topics.get()), "cannot subscribe to the input topics");
}

Status KafkaServe::Run(const std::atomic<bool>& stop) {
  Log(LogLevel::kInfo, "serving", {{"group", options_.group_id}, {"output", options_.partition.outbox.topic}});
  last_commit_ = SteadyClock::now();
  Status status;
  while (!stop.load() && status.ok()) {
    status = PollBatch(stop);
    if (status.ok()) status = IngestBatch();
    if (status.ok()) status = ServicePartitions();
  }
  if (!status.ok()) {
    Log(LogLevel::kError, "stopping on an error", {{"error", status.ToString()}});
    batch_.messages.clear();  // not written: Kafka delivers them again
    batch_.size = 0;
  }
  Status shutdown = Shutdown();
  return status.ok() ? shutdown : status;
}

Status KafkaServe::PollBatch(const std::atomic<bool>& stop) {
  while (batch_.size < options_.max_batch && !stop.load()) {
    // The first message may be waited for. After it a small batch takes
    // only what is ready: a message of a trickle waits for no one. A large
    // one, a backlog being worked off, waits out max_wait for the fetches of
    // other partitions, which the lanes can then append side by side.
    int timeout = Millis(kIdlePoll);
    if (batch_.size > 0) {
      auto left = batch_.started + options_.max_wait - SteadyClock::now();
      if (left <= SteadyClock::duration::zero()) break;
      timeout = batch_.size < kParallelBatch ? 0 : Millis(left);
    }
    KafkaMessage message(rd_kafka_consumer_poll(consumer_.get(), timeout));
    if (!fatal_.ok()) return fatal_;
    if (!message) break;  // nothing ready: write what there is, or, idle, let the outbox work
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Log(LogLevel::kWarning, "consumer error", {{"error", rd_kafka_message_errstr(message.get())}});
      continue;
    }
    PartitionKey key{rd_kafka_topic_name(message->rkt), message->partition};
    if (!partitions_.count(key)) continue;  // from before a revocation
    if (batch_.size == 0) batch_.started = SteadyClock::now();
    batch_.messages[key].push_back(std::move(message));
    ++batch_.size;
  }
  return Status::OK();
}

Status KafkaServe::IngestBatch() {
  if (batch_.size == 0) return Status::OK();
  std::vector<LaneTask> appends;
  for (auto& [key, messages] : batch_.messages) {
    auto it = partitions_.find(key);
    if (it == partitions_.end()) continue;
    KafkaPartition* partition = it->second.get();
    const std::vector<KafkaMessage>* to_append = &messages;
    appends.push_back({messages.size(), [this, partition, to_append] {
                         return partition->Ingest(*to_append, *dead_letters_);
                       }});
  }
  // A thread costs more than a small batch saves.
  size_t lanes = batch_.size >= kParallelBatch ? std::min(options_.ingest_threads, appends.size()) : 1;
  size_t appended_partitions = appends.size();
  KEEL_RETURN_IF_ERROR(RunInLanes(std::move(appends), lanes));
  metrics_->batches.fetch_add(appended_partitions, std::memory_order_relaxed);
  if (lanes > 1) metrics_->parallel_batches.fetch_add(1, std::memory_order_relaxed);
  metrics_->ObserveBatch(std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - batch_.started));
  batch_.messages.clear();
  batch_.size = 0;
  return Status::OK();
}

Status KafkaServe::ServicePartitions() {
  rd_kafka_poll(producer_.get(), 0);  // delivery reports
  auto now = SteadyClock::now();
  for (auto& [key, partition] : partitions_) {
    // Until the first fetch tells how much input there is, assume a backlog:
    // timers wait for it.
    std::optional<int64_t> backlog = Backlog(key, *partition);
    KEEL_RETURN_IF_ERROR(partition->Service(now, backlog.value_or(INT64_MAX)));
  }
  if (now - last_commit_ >= options_.commit_interval) {
    last_commit_ = now;
    MeasureLag();
    KEEL_RETURN_IF_ERROR(CommitOffsets());
  }
  return Status::OK();
}

Status KafkaServe::CommitOffsets() {
  PartitionList offsets(rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size())));
  for (auto& [key, partition] : partitions_) {
    if (partition->next_offset() < 0) continue;
    // Kafka's copy never runs ahead of what the log holds durably.
    if (options_.partition.log.sync != SyncMode::kOff) KEEL_RETURN_IF_ERROR(partition->log().Sync());
    rd_kafka_topic_partition_list_add(offsets.get(), key.first.c_str(), key.second)->offset = partition->next_offset();
  }
  if (offsets->cnt == 0) return Status::OK();
  rd_kafka_resp_err_t error = rd_kafka_commit(consumer_.get(), offsets.get(), /*async=*/1);
  // Informational only (keel seeks to its own offsets): a failed commit is
  // logged, not fatal.
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    Log(LogLevel::kWarning, "offset commit failed", {{"error", rd_kafka_err2str(error)}});
  }
  return Status::OK();
}

std::optional<int64_t> KafkaServe::Backlog(const PartitionKey& key, const KafkaPartition& partition) const {
  int64_t low = 0, high = 0;
  // The watermarks the consumer's last fetch brought back (no request).
  if (rd_kafka_get_watermark_offsets(consumer_.get(), key.first.c_str(), key.second, &low, &high) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    return std::nullopt;
  }
  int64_t position = partition.next_offset() >= 0 ? partition.next_offset() : low;
  return std::max<int64_t>(0, high - position);
}

void KafkaServe::MeasureLag() {
  for (auto& [key, partition] : partitions_) {
    if (std::optional<int64_t> lag = Backlog(key, *partition)) metrics_->SetLag(key.first, key.second, *lag);
  }
}

Status KafkaServe::Shutdown() {
  Log(LogLevel::kInfo, "shutting down");
  shutdown_deadline_ = SteadyClock::now() + options_.drain_timeout;
  Status status = fatal_.ok() ? IngestBatch() : fatal_;
  // Leaving the group revokes the partitions: Revoke drains each outbox,
  // commits and closes the logs.
  rd_kafka_resp_err_t closed = rd_kafka_consumer_close(consumer_.get());
  if (status.ok() && !fatal_.ok()) status = fatal_;
  DropSinks();
  if (options_.api_logs != nullptr) options_.api_logs->RemoveAll();
  partitions_.clear();
  // Dead letters still queued.
  if (rd_kafka_flush(producer_.get(), Millis(*shutdown_deadline_ - SteadyClock::now())) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Log(LogLevel::kWarning, "producer not flushed in time");
  }
  if (status.ok()) status = KafkaStatus(closed, "cannot leave the consumer group");
  Log(LogLevel::kInfo, "stopped");
  return status;
}

}  // namespace keel
