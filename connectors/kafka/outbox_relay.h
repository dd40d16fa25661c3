// OutboxRelay: publishes one partition log's events to the output topic,
// keyed by workspace, and keeps its position in the log as a stored sink
// cursor named `kafka/<topic>`. The log is the outbox: every derived event was
// appended in the same WriteBatch as its cause, so nothing is published that
// is not durable and nothing durable is skipped.
//
// At least once: the stored cursor only moves past an event once the broker
// acknowledged it (and every published event before it), so after a crash
// the relay publishes again from the cursor; such duplicates are the same
// bytes with the same CloudEvent id, and consumers dedupe on the id.
//
// Not thread-safe: Pump, TakeCursorUpdate and the producer's poll (which
// runs the delivery reports) must be called from one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/kafka/kafka_producer.h"
#include "connectors/serve_metrics.h"
#include "engine/log/event_log.h"

namespace keel {

struct OutboxOptions {
  std::string topic;
  // Publish input events too, not only what the engine appended (what the
  // rules derived, and timer.fired).
  bool publish_all = false;
};

class OutboxRelay {
 public:
  // Reads the stored cursor. `log`, `producer` and `metrics` must outlive
  // the relay; reports of messages still in flight when it is destroyed are
  // ignored.
  static Result<std::unique_ptr<OutboxRelay>> Open(EventLog* log, rd_kafka_t* producer, OutboxOptions options,
                                                   ServeMetrics* metrics);

  // Produces the log's events after the last one produced, up to the head,
  // at most `limit` of them; stops early when the producer's queue is full.
  // After a failed delivery it starts again from the cursor.
  Status Pump(size_t limit);

  // The cursor to store with the next WriteBatch, when it moved since the
  // last call; the relay assumes the caller writes it.
  std::optional<MetaPut> TakeCursorUpdate();

  // Every event up to the head is produced and acknowledged.
  bool CaughtUp() const;
  uint64_t cursor() const;

 private:
  struct Deliveries;  // shared with the tickets of messages in flight
  class Ticket;
  OutboxRelay(EventLog* log, rd_kafka_t* producer, OutboxOptions options, ServeMetrics* metrics, uint64_t cursor);
  // The relay's name for its stored cursor (engine/log/stored_positions.h).
  static std::string SinkName(std::string_view topic);
  // Whether the event whose canonical bytes these are goes out, and under
  // which key: read from the bytes, since most events a relay passes over are
  // inputs it does not publish, and decoding each costs more than the scan.
  bool ShouldPublish(std::string_view canonical, std::string* workspace) const;

  EventLog* log_;
  rd_kafka_t* producer_;
  OutboxOptions options_;
  ServeMetrics* metrics_;
  std::shared_ptr<Deliveries> deliveries_;
  uint64_t stored_cursor_;
};

}  // namespace keel
