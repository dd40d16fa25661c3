#include "connectors/kafka/kafka_producer.h"

#include <memory>

namespace keel {
namespace {

// Set on the thread that destroys a producer while it serves the reports of
// the messages it purged.
thread_local bool discarding_reports = false;

void OnDeliveryReport(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  std::unique_ptr<DeliveryTicket> ticket(static_cast<DeliveryTicket*>(message->_private));
  if (ticket && !discarding_reports) ticket->Delivered(message->err);
}

// A message still queued or in flight when its producer is destroyed gets no
// delivery report, and its ticket leaked (LeakSanitizer, `.ci/sanitize`, in
// the outbox and partition tests). So the producer purges them first and
// serves their reports here, deleting the tickets unread: what a ticket
// reports to (a relay, the metrics) may be gone by now, and nothing is lost:
// a message not acknowledged is published again from the outbox cursor on the
// next start, and a dead letter was counted when it was sent.
void DiscardUndelivered(rd_kafka_t* producer) {
  rd_kafka_purge(producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  discarding_reports = true;
  rd_kafka_flush(producer, 5000);
  discarding_reports = false;
}

}  // namespace

Result<KafkaHandle> CreateIdempotentProducer(const KafkaProperties& properties) {
  KEEL_ASSIGN_OR_RETURN(KafkaConfig config, KafkaConfig::Make(properties));
  KEEL_RETURN_IF_ERROR(config.Set("enable.idempotence", "true"));
  rd_kafka_conf_set_dr_msg_cb(config.get(), OnDeliveryReport);
  KEEL_ASSIGN_OR_RETURN(KafkaHandle producer, config.Create(RD_KAFKA_PRODUCER));
  return KafkaHandle(producer.release(), KafkaHandleDeleter{DiscardUndelivered});
}

rd_kafka_resp_err_t Produce(rd_kafka_t* producer, const std::string& topic, std::string_view key,
                            std::string_view value, const KafkaHeaders& headers, DeliveryTicket* ticket) {
  std::unique_ptr<DeliveryTicket> owned(ticket);
  rd_kafka_headers_t* list = rd_kafka_headers_new(headers.size());
  for (const auto& [name, text] : headers) {
    rd_kafka_header_add(list, name.data(), static_cast<ssize_t>(name.size()), text.data(),
                        static_cast<ssize_t>(text.size()));
  }
  rd_kafka_resp_err_t error = rd_kafka_producev(
      producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_HEADERS(list), RD_KAFKA_V_OPAQUE(owned.get()), RD_KAFKA_V_END);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_headers_destroy(list);  // on failure the headers stay ours
    return error;
  }
  owned.release();  // the delivery report deletes it
  return error;
}

}  // namespace keel
