// Rebalances: the consumer group moves partitions between instances. keel
// uses the eager protocol: on a revocation every partition is given up
// (the batch in hand finished, the outbox drained, the log closed) before
// the group hands them out again.
#include "connectors/json_log.h"
#include "server/api_backends.h"
#include "server/kafka_serve.h"

namespace keel {

void KafkaServe::OnRebalance(rd_kafka_t* consumer, rd_kafka_resp_err_t error,
                             rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<KafkaServe*>(opaque);
  Status status;
  if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    status = self->Assign(partitions);
    if (!status.ok()) rd_kafka_assign(consumer, nullptr);
  } else {
    if (error != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      Log(LogLevel::kWarning, "rebalance error", {{"error", rd_kafka_err2str(error)}});
    }
    status = self->Revoke();
  }
  if (!status.ok() && self->fatal_.ok()) self->fatal_ = status;
}

Status KafkaServe::Assign(rd_kafka_topic_partition_list_t* partitions) {
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& assigned = partitions->elems[i];
    PartitionKey key{assigned.topic, assigned.partition};
    KEEL_ASSIGN_OR_RETURN(auto partition, KafkaPartition::Open(key.first, key.second, options_.partition, *hooks_,
                                                               schemas_, producer_.get(), metrics_));
    assigned.offset = partition->start_offset();
    Log(LogLevel::kInfo, "partition assigned",
        {{"topic", key.first}, {"partition", std::to_string(key.second)}, {"offset", std::to_string(assigned.offset)}});
    KafkaPartition& opened = *partition;
    partitions_[key] = std::move(partition);
    if (options_.api_logs != nullptr) options_.api_logs->Add(&opened.log());
    KEEL_RETURN_IF_ERROR(StartSinks(key, opened));
  }
  metrics_->assigned_partitions.store(partitions_.size());
  return KafkaStatus(rd_kafka_assign(consumer_.get(), partitions), "cannot assign partitions");
}

Status KafkaServe::Revoke() {
  Status status = fatal_.ok() ? IngestBatch() : fatal_;
  StopSinks();  // their cursors final: Drain writes them
  auto deadline = shutdown_deadline_.value_or(std::chrono::steady_clock::now() + options_.drain_timeout);
  if (status.ok()) {
    for (auto& [key, partition] : partitions_) {
      status = partition->Drain(deadline);
      if (!status.ok()) break;
    }
  }
  // Asynchronous: a coordinator that is gone must not hold the revocation
  // up, and Kafka's copy of the offsets is informational.
  if (status.ok()) status = CommitOffsets();
  for (auto& [key, partition] : partitions_) {
    Log(LogLevel::kInfo, "partition revoked", {{"topic", key.first}, {"partition", std::to_string(key.second)},
                                               {"next_offset", std::to_string(partition->next_offset())}});
    metrics_->ForgetPartition(key.first, key.second);
  }
  DropSinks();
  if (options_.api_logs != nullptr) options_.api_logs->RemoveAll();  // the API lets go first
  partitions_.clear();  // closes the logs
  batch_.messages.clear();
  batch_.size = 0;
  metrics_->assigned_partitions.store(0);
  rd_kafka_assign(consumer_.get(), nullptr);
  return status;
}

Status KafkaServe::StartSinks(const PartitionKey& key, KafkaPartition& partition) {
  if (options_.sinks == nullptr || options_.sinks->sinks.empty()) return Status::OK();
  auto sinks = std::make_unique<PartitionSinks>();
  // A folder per partition (seqs are the partition log's), beside it:
  // DATA/sink-dead-letters-TOPIC-PARTITION.
  std::filesystem::path letters = options_.partition.data_dir / (std::string(sinks::kSinkDeadLetterFolder) + "-" +
                                                                 key.first + "-" + std::to_string(key.second));
  KEEL_ASSIGN_OR_RETURN(sinks->dead_letters, sinks::SinkDeadLetterStore::Open(letters));
  sinks->parts = *options_.sinks;
  sinks->parts.dead_letters = sinks->dead_letters.get();
  KEEL_ASSIGN_OR_RETURN(sinks->runners, server::LogSinks::Create(sinks->parts, &partition.log(), &partition.followers()));
  sinks->runners->Start();
  if (options_.live_sinks != nullptr) options_.live_sinks->Add(sinks->runners.get());
  sinks_[key] = std::move(sinks);
  return Status::OK();
}

void KafkaServe::StopSinks() {
  for (auto& [key, sinks] : sinks_) sinks->runners->Stop();
}

void KafkaServe::DropSinks() {
  for (auto& [key, sinks] : sinks_) {
    if (options_.live_sinks != nullptr) options_.live_sinks->Remove(sinks->runners.get());
  }
  sinks_.clear();
}

}  // namespace keel
