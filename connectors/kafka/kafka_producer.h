// The producer keel serve publishes with (the outbox and the dead letters
// share it): idempotent, so retries neither duplicate nor reorder within a
// partition. Each produced message carries a DeliveryTicket that hears how
// its delivery ended; tickets run on the thread that polls the producer.
#pragma once

#include <librdkafka/rdkafka.h>

#include "connectors/kafka/kafka_client.h"

namespace keel {

class DeliveryTicket {
 public:
  virtual ~DeliveryTicket() = default;
  // `error` is RD_KAFKA_RESP_ERR_NO_ERROR when the broker acknowledged it.
  virtual void Delivered(rd_kafka_resp_err_t error) = 0;
};

// `properties` first, then what keel requires (idempotence, the delivery
// report callback).
Result<KafkaHandle> CreateIdempotentProducer(const KafkaProperties& properties);

// Produces one message whose report goes to `ticket` (owned from here on,
// also when producing fails). Copies key, value and headers. Returns the
// librdkafka error, e.g. RD_KAFKA_RESP_ERR__QUEUE_FULL.
rd_kafka_resp_err_t Produce(rd_kafka_t* producer, const std::string& topic, std::string_view key,
                            std::string_view value, const KafkaHeaders& headers, DeliveryTicket* ticket);

}  // namespace keel
