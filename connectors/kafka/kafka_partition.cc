#include "connectors/kafka/kafka_partition.h"

#include <algorithm>
#include <thread>

#include "connectors/json_log.h"
#include "engine/log/stored_positions.h"

namespace keel {
namespace {

// A batch published per Service call at most, so that polling the consumer
// is never held up for long.
constexpr size_t kPublishPerService = 5000;

// The JSON keel ingests for `message`: its value (structured mode), or the
// event rebuilt from its `ce_` headers (binary mode) into `*storage`.
Result<std::string_view> EventBytes(const rd_kafka_message_t* message, std::string* storage) {
  KafkaHeaders headers = ReadHeaders(message);
  if (!IsBinaryCloudEvent(headers)) return MessageValue(message);
  KEEL_ASSIGN_OR_RETURN(*storage, StructuredFromBinary(headers, MessageValue(message), MessageKey(message)));
  return std::string_view(*storage);
}

}  // namespace

std::filesystem::path PartitionLogDir(const std::filesystem::path& data_dir, const std::string& topic,
                                      int32_t partition) {
  return data_dir / (topic + "-" + std::to_string(partition));
}

KafkaPartition::KafkaPartition(std::string topic, int32_t partition, const PartitionOptions& options,
                               const PartitionHooks& hooks, rd_kafka_t* producer, ServeMetrics* metrics)
    : topic_(std::move(topic)),
      partition_(partition),
      options_(options),
      hooks_(hooks),
      producer_(producer),
      metrics_(metrics),
      source_("kafka/" + topic_ + "/" + std::to_string(partition)) {}

Result<std::unique_ptr<KafkaPartition>> KafkaPartition::Open(const std::string& topic, int32_t partition,
                                                             const PartitionOptions& options,
                                                             const PartitionHooks& hooks,
                                                             const SchemaRegistry* schemas, rd_kafka_t* producer,
                                                             ServeMetrics* metrics) {
  std::unique_ptr<KafkaPartition> p(new KafkaPartition(topic, partition, options, hooks, producer, metrics));
  LogOptions log_options = options.log;
  log_options.create_if_missing = true;
  std::filesystem::path dir = PartitionLogDir(options.data_dir, topic, partition);
  // The instance that held this partition before may still be closing its
  // log (same data folder, RocksDB's lock): try again for a few seconds.
  Result<std::unique_ptr<EventLog>> log = Status::Internal("not opened");
  for (int attempt = 0; attempt < 50; ++attempt) {
    log = EventLog::Open(dir, log_options);
    if (log.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!log.ok()) return log.status();
  p->log_ = std::move(log).value();
  if (hooks.opened) KEEL_RETURN_IF_ERROR(hooks.opened(*p->log_));
  KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> stored, ReadSourcePosition(*p->log_, p->source_));
  if (stored) p->next_offset_ = static_cast<int64_t>(*stored);
  p->ingestor_ = std::make_unique<Ingestor>(p->log_.get(), schemas, options.decode);
  KEEL_ASSIGN_OR_RETURN(p->relay_, OutboxRelay::Open(p->log_.get(), producer, options.outbox, metrics));
  const Clock* clock = options.clock != nullptr ? options.clock : &p->system_clock_;
  p->scheduler_ = std::make_unique<Scheduler>(p->log_.get(), clock, options.scheduler);
  p->last_cursor_write_ = std::chrono::steady_clock::now();
  return p;
}

int64_t KafkaPartition::start_offset() const {
  return next_offset_ >= 0 ? next_offset_ : RD_KAFKA_OFFSET_BEGINNING;
}

Status KafkaPartition::Ingest(std::span<const KafkaMessage> messages, DeadLetters& dead_letters) {
  if (messages.empty()) return Status::OK();
  std::vector<std::string> rebuilt(messages.size());  // binary-mode events; items point into it
  std::vector<IngestItem> items;
  std::vector<const rd_kafka_message_t*> item_messages;
  std::vector<std::pair<const rd_kafka_message_t*, std::string>> refused;
  items.reserve(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    const rd_kafka_message_t* message = messages[i].get();
    if (message->offset < next_offset_) continue;  // already in the log
    std::string_view key = MessageKey(message);
    if (key.empty()) {
      refused.emplace_back(message, "the message has no key; keel needs the event's workspace as the key");
      continue;
    }
    Result<std::string_view> bytes = EventBytes(message, &rebuilt[i]);
    if (!bytes.ok()) {
      refused.emplace_back(message, bytes.status().message());
      continue;
    }
    items.push_back({*bytes, static_cast<uint64_t>(message->offset), key});
    item_messages.push_back(message);
  }
  int64_t next = messages.back()->offset + 1;
  if (next <= next_offset_) return Status::OK();
  if (hooks_.before_group && !items.empty()) KEEL_RETURN_IF_ERROR(hooks_.before_group(*log_, items));
  std::vector<MetaPut> meta = {SourcePositionPut(source_, static_cast<uint64_t>(next))};
  if (auto cursor = relay_->TakeCursorUpdate()) meta.push_back(std::move(*cursor));
  for (MetaPut& cursor : followers_.TakeCursorUpdates()) meta.push_back(std::move(cursor));
  KEEL_ASSIGN_OR_RETURN(std::vector<AppendResult> results, ingestor_->IngestGroup(items, std::move(meta)));
  next_offset_ = next;
  last_cursor_write_ = std::chrono::steady_clock::now();
  followers_.NotifyAppended(log_->Head().seq);
  for (size_t i = 0; i < results.size(); ++i) {
    switch (results[i].outcome) {
      case AppendOutcome::kAppended: metrics_->events_in.fetch_add(1, std::memory_order_relaxed); break;
      case AppendOutcome::kDuplicate: metrics_->duplicates.fetch_add(1, std::memory_order_relaxed); break;
      case AppendOutcome::kRejected: refused.emplace_back(item_messages[i], results[i].error.message()); break;
    }
  }
  // Dead letters leave in the order of their offsets.
  std::sort(refused.begin(), refused.end(), [](const auto& a, const auto& b) { return a.first->offset < b.first->offset; });
  for (const auto& [message, reason] : refused) dead_letters.Send(message, reason);
  return Status::OK();
}

Status KafkaPartition::WriteCursor() {
  std::vector<MetaPut> cursors = followers_.TakeCursorUpdates();
  if (auto cursor = relay_->TakeCursorUpdate()) cursors.push_back(std::move(*cursor));
  last_cursor_write_ = std::chrono::steady_clock::now();
  if (cursors.empty()) return Status::OK();
  return log_->Append({}, std::move(cursors)).status();
}

Status KafkaPartition::FireDueTimers(std::chrono::steady_clock::time_point now, int64_t backlog) {
  if (now < next_timer_check_ || backlog > options_.timer_backlog_limit) return Status::OK();
  next_timer_check_ = now + options_.timer_interval;
  const int64_t micros = scheduler_->clock().NowMicros();
  KEEL_ASSIGN_OR_RETURN(std::optional<int64_t> next_due, log_->NextTimerDue());
  metrics_->SetNextTimerDue(topic_, partition_, next_due);
  if (!next_due || *next_due > micros) return Status::OK();
  if (hooks_.before_timers) KEEL_RETURN_IF_ERROR(hooks_.before_timers(*log_, *next_due));
  KEEL_ASSIGN_OR_RETURN(size_t fired, scheduler_->FireBatchDueUntil(micros));
  metrics_->timers_fired.fetch_add(fired, std::memory_order_relaxed);
  if (fired > 0) followers_.NotifyAppended(log_->Head().seq);
  // A full batch may have left more due: the next Service goes on at once
  // (a batch at a time, so the consumer is polled in between).
  if (fired >= scheduler_->options().timers_per_batch) next_timer_check_ = now;
  return Status::OK();
}

Status KafkaPartition::Service(std::chrono::steady_clock::time_point now, int64_t backlog) {
  KEEL_RETURN_IF_ERROR(FireDueTimers(now, backlog));
  KEEL_RETURN_IF_ERROR(relay_->Pump(kPublishPerService));
  if (now - last_cursor_write_ >= options_.cursor_interval) KEEL_RETURN_IF_ERROR(WriteCursor());
  return Status::OK();
}

Status KafkaPartition::Drain(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    KEEL_RETURN_IF_ERROR(relay_->Pump(kPublishPerService));
    rd_kafka_poll(producer_, 10);
    if (relay_->CaughtUp()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      Log(LogLevel::kWarning, "outbox not drained in time; the rest is published again from the cursor",
          {{"topic", topic_}, {"partition", std::to_string(partition_)}, {"cursor", std::to_string(relay_->cursor())}});
      break;
    }
  }
  KEEL_RETURN_IF_ERROR(WriteCursor());
  return log_->Sync();
}

}  // namespace keel
