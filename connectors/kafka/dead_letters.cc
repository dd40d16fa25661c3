#include "connectors/kafka/dead_letters.h"

#include "connectors/json_log.h"

namespace keel {
namespace {

class DeadLetterTicket final : public DeliveryTicket {
 public:
  DeadLetterTicket(ServeMetrics* metrics, std::string where) : metrics_(metrics), where_(std::move(where)) {}
  void Delivered(rd_kafka_resp_err_t error) override {
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    metrics_->dead_letter_failures.fetch_add(1, std::memory_order_relaxed);
    Log(LogLevel::kError, "dead letter not delivered", {{"message", where_}, {"error", rd_kafka_err2str(error)}});
  }

 private:
  ServeMetrics* metrics_;
  std::string where_;
};

}  // namespace

DeadLetters::DeadLetters(rd_kafka_t* producer, std::string topic, ServeMetrics* metrics)
    : producer_(producer), topic_(std::move(topic)), metrics_(metrics) {}

void DeadLetters::Send(const rd_kafka_message_t* message, std::string_view reason) {
  std::string source_topic = rd_kafka_topic_name(message->rkt);
  std::string partition = std::to_string(message->partition);
  std::string offset = std::to_string(message->offset);
  std::string where = source_topic + "/" + partition + "@" + offset;
  KafkaHeaders headers = ReadHeaders(message);
  headers.emplace_back("keel_reason", std::string(reason));
  headers.emplace_back("keel_source_topic", source_topic);
  headers.emplace_back("keel_source_partition", partition);
  headers.emplace_back("keel_source_offset", offset);
  metrics_->dead_letters.fetch_add(1, std::memory_order_relaxed);
  Log(LogLevel::kWarning, "dead letter", {{"message", where}, {"reason", std::string(reason)}});
  for (int attempt = 0; attempt < 10; ++attempt) {
    rd_kafka_resp_err_t error = Produce(producer_, topic_, MessageKey(message), MessageValue(message), headers,
                                        new DeadLetterTicket(metrics_, where));
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      Log(LogLevel::kError, "dead letter not queued", {{"message", where}, {"error", rd_kafka_err2str(error)}});
      break;
    }
    rd_kafka_poll(producer_, 100);
  }
  metrics_->dead_letter_failures.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace keel
