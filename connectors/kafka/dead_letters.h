// DeadLetters: messages keel cannot ingest (not decodable, invalid, a
// conflicting id, a key that is not the event's workspace) go to the
// dead-letter topic as they came, with headers saying why and from where:
//   keel_reason, keel_source_topic, keel_source_partition, keel_source_offset
// A dead letter never blocks its partition: the batch goes on without it.
// Not thread-safe: one thread sends and polls the producer.
#pragma once

#include <string>
#include <string_view>

#include "connectors/kafka/kafka_producer.h"
#include "connectors/serve_metrics.h"

namespace keel {

class DeadLetters {
 public:
  // `producer` and `metrics` must outlive this.
  DeadLetters(rd_kafka_t* producer, std::string topic, ServeMetrics* metrics);

  // Queues `message` for the dead-letter topic. When the producer's queue is
  // full it polls for up to a second; a dead letter that still cannot be
  // queued, or whose delivery fails, is counted and logged.
  void Send(const rd_kafka_message_t* message, std::string_view reason);

 private:
  rd_kafka_t* producer_;
  std::string topic_;
  ServeMetrics* metrics_;
};

}  // namespace keel
