#include "connectors/kafka_producer.h"

#include <memory>

namespace keel {
namespace {

void OnDeliveryReport(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  std::unique_ptr<DeliveryTicket> ticket(static_cast<DeliveryTicket*>(message->_private));
  if (ticket) ticket->Delivered(message->err);
}

}  // namespace

Result<KafkaHandle> CreateIdempotentProducer(const KafkaProperties& properties) {
  KEEL_ASSIGN_OR_RETURN(KafkaConfig config, KafkaConfig::Make(properties));
  KEEL_RETURN_IF_ERROR(config.Set("enable.idempotence", "true"));
  rd_kafka_conf_set_dr_msg_cb(config.get(), OnDeliveryReport);
  return config.Create(RD_KAFKA_PRODUCER);
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
