#include "connectors/kafka/kafka_client.h"

namespace keel {

Status KafkaStatus(rd_kafka_resp_err_t error, std::string_view context) {
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::OK();
  return Status::IOError(std::string(context) + ": " + rd_kafka_err2str(error));
}

Result<KafkaConfig> KafkaConfig::Make(const KafkaProperties& properties) {
  KafkaConfig config(rd_kafka_conf_new());
  for (const auto& [name, value] : properties) KEEL_RETURN_IF_ERROR(config.Set(name, value));
  return config;
}

KafkaConfig::~KafkaConfig() {
  if (conf_ != nullptr) rd_kafka_conf_destroy(conf_);
}

Status KafkaConfig::Set(std::string_view name, std::string_view value) {
  char error[512];
  if (rd_kafka_conf_set(conf_, std::string(name).c_str(), std::string(value).c_str(), error, sizeof error) !=
      RD_KAFKA_CONF_OK) {
    return Status::InvalidArgument("librdkafka property '" + std::string(name) + "': " + error);
  }
  return Status::OK();
}

Result<KafkaHandle> KafkaConfig::Create(rd_kafka_type_t type) {
  char error[512];
  rd_kafka_t* handle = rd_kafka_new(type, conf_, error, sizeof error);
  if (handle == nullptr) return Status::InvalidArgument(std::string("cannot create the Kafka client: ") + error);
  conf_ = nullptr;  // rd_kafka_new owns it now
  return KafkaHandle(handle);
}

KafkaHeaders ReadHeaders(const rd_kafka_message_t* message) {
  KafkaHeaders headers;
  rd_kafka_headers_t* raw = nullptr;
  // The message keeps ownership of its headers.
  if (rd_kafka_message_headers(message, &raw) != RD_KAFKA_RESP_ERR_NO_ERROR || raw == nullptr) return headers;
  const char* name;
  const void* value;
  size_t size;
  for (size_t i = 0; rd_kafka_header_get_all(raw, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
    headers.emplace_back(name, value == nullptr ? std::string() : std::string(static_cast<const char*>(value), size));
  }
  return headers;
}

std::string_view MessageKey(const rd_kafka_message_t* message) {
  if (message->key == nullptr) return {};
  return std::string_view(static_cast<const char*>(message->key), message->key_len);
}

std::string_view MessageValue(const rd_kafka_message_t* message) {
  if (message->payload == nullptr) return {};
  return std::string_view(static_cast<const char*>(message->payload), message->len);
}

}  // namespace keel
