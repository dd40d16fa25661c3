#include "connectors/kafka/outbox_relay.h"

#include "connectors/json_log.h"
#include "engine/canonical_json.h"
#include "engine/log/stored_positions.h"

namespace keel {

// Which seqs are in flight, and how far everything is acknowledged.
struct OutboxRelay::Deliveries {
  uint64_t produced_to = 0;    // the last seq looked at (produced or skipped)
  uint64_t acknowledged = 0;   // every seq up to here is delivered or skipped
  std::map<uint64_t, bool> in_flight;  // seq -> delivered
  uint64_t generation = 0;     // bumped on a rewind: older reports are ignored
  bool failed = false;
  ServeMetrics* metrics = nullptr;

  void Advance() {
    while (!in_flight.empty() && in_flight.begin()->second) in_flight.erase(in_flight.begin());
    acknowledged = in_flight.empty() ? produced_to : in_flight.begin()->first - 1;
  }
};

class OutboxRelay::Ticket final : public DeliveryTicket {
 public:
  Ticket(std::shared_ptr<Deliveries> deliveries, uint64_t seq)
      : deliveries_(std::move(deliveries)), seq_(seq), generation_(deliveries_->generation) {}

  void Delivered(rd_kafka_resp_err_t error) override {
    Deliveries& d = *deliveries_;
    if (generation_ != d.generation) return;
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (!d.failed) {  // one line per rewind, not one per message
        Log(LogLevel::kWarning, "outbox delivery failed; publishing again from the cursor",
            {{"seq", std::to_string(seq_)}, {"error", rd_kafka_err2str(error)}});
      }
      d.failed = true;
      return;
    }
    auto it = d.in_flight.find(seq_);
    if (it == d.in_flight.end()) return;
    it->second = true;
    d.metrics->derived_out.fetch_add(1, std::memory_order_relaxed);
    d.Advance();
  }

 private:
  std::shared_ptr<Deliveries> deliveries_;
  uint64_t seq_;
  uint64_t generation_;
};

Result<std::unique_ptr<OutboxRelay>> OutboxRelay::Open(EventLog* log, rd_kafka_t* producer, OutboxOptions options,
                                                       ServeMetrics* metrics) {
  KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> stored, ReadSinkCursor(*log, SinkName(options.topic)));
  return std::unique_ptr<OutboxRelay>(new OutboxRelay(log, producer, std::move(options), metrics, stored.value_or(0)));
}

OutboxRelay::OutboxRelay(EventLog* log, rd_kafka_t* producer, OutboxOptions options, ServeMetrics* metrics,
                         uint64_t cursor)
    : log_(log),
      producer_(producer),
      options_(std::move(options)),
      metrics_(metrics),
      deliveries_(std::make_shared<Deliveries>()),
      stored_cursor_(cursor) {
  deliveries_->produced_to = cursor;
  deliveries_->acknowledged = cursor;
  deliveries_->metrics = metrics;
}

std::string OutboxRelay::SinkName(std::string_view topic) { return "kafka/" + std::string(topic); }

bool OutboxRelay::ShouldPublish(std::string_view canonical, std::string* workspace) const {
  // A caused event is the engine's: derived by a rule, or a timer.fired
  // (input events cannot carry a causationid).
  if (!options_.publish_all && !IsJsonString(FindCanonicalMember(canonical, "causationid"))) return false;
  *workspace = DecodeJsonString(FindCanonicalMember(canonical, "workspace"));
  return *workspace != kSystemWorkspace;  // ruleset.activated
}

Status OutboxRelay::Pump(size_t limit) {
  Deliveries& d = *deliveries_;
  if (d.failed) {
    ++d.generation;
    d.failed = false;
    d.in_flight.clear();
    d.produced_to = d.acknowledged;
  }
  uint64_t head = log_->Head().seq;
  if (d.produced_to >= head) return Status::OK();
  size_t produced = 0;
  Status error;
  std::string workspace;
  KEEL_RETURN_IF_ERROR(log_->ScanCanonical(d.produced_to + 1, head, [&](uint64_t seq, std::string_view canonical) {
    if (produced >= limit) return false;
    if (ShouldPublish(canonical, &workspace)) {
      static const KafkaHeaders kHeaders = {{"content-type", "application/cloudevents+json; charset=UTF-8"}};
      rd_kafka_resp_err_t result =
          Produce(producer_, options_.topic, workspace, canonical, kHeaders, new Ticket(deliveries_, seq));
      if (result == RD_KAFKA_RESP_ERR__QUEUE_FULL) return false;  // the next Pump goes on from here
      if (result != RD_KAFKA_RESP_ERR_NO_ERROR) {
        error = KafkaStatus(result, "cannot publish to '" + options_.topic + "'");
        return false;
      }
      d.in_flight.emplace(seq, false);
      ++produced;
    }
    d.produced_to = seq;
    return true;
  }));
  d.Advance();
  return error;
}

std::optional<MetaPut> OutboxRelay::TakeCursorUpdate() {
  if (deliveries_->acknowledged == stored_cursor_) return std::nullopt;
  stored_cursor_ = deliveries_->acknowledged;
  return SinkCursorPut(SinkName(options_.topic), stored_cursor_);
}

bool OutboxRelay::CaughtUp() const {
  return deliveries_->in_flight.empty() && deliveries_->produced_to >= log_->Head().seq && !deliveries_->failed;
}

uint64_t OutboxRelay::cursor() const { return deliveries_->acknowledged; }

}  // namespace keel
