// librdkafka at the edge: handles owned by RAII types, configuration from
// name/value pairs, and librdkafka's error codes turned into Status once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "connectors/kafka/kafka_cloudevent.h"
#include "engine/status.h"

namespace keel {

// librdkafka properties in the order they are set (a later one wins).
using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

struct KafkaHandleDeleter {
  // Runs just before rd_kafka_destroy: a producer settles what it still
  // holds (kafka_producer.cc).
  void (*before_destroy)(rd_kafka_t*) = nullptr;
  void operator()(rd_kafka_t* handle) const {
    if (before_destroy != nullptr) before_destroy(handle);
    rd_kafka_destroy(handle);
  }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;

struct KafkaMessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};
using KafkaMessage = std::unique_ptr<rd_kafka_message_t, KafkaMessageDeleter>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

Status KafkaStatus(rd_kafka_resp_err_t error, std::string_view context);

// A configuration with `properties` set, and `customize` applied (callbacks,
// opaque) before the handle is created. Unknown names and bad values are
// InvalidArgument naming the property.
class KafkaConfig {
 public:
  static Result<KafkaConfig> Make(const KafkaProperties& properties);
  KafkaConfig(KafkaConfig&& other) noexcept : conf_(std::exchange(other.conf_, nullptr)) {}
  KafkaConfig& operator=(KafkaConfig&&) = delete;
  ~KafkaConfig();

  Status Set(std::string_view name, std::string_view value);
  rd_kafka_conf_t* get() { return conf_; }
  // Creates the client; the configuration is consumed.
  Result<KafkaHandle> Create(rd_kafka_type_t type);

 private:
  explicit KafkaConfig(rd_kafka_conf_t* conf) : conf_(conf) {}
  rd_kafka_conf_t* conf_;
};

// The headers of a message, in order; empty when it has none.
KafkaHeaders ReadHeaders(const rd_kafka_message_t* message);

std::string_view MessageKey(const rd_kafka_message_t* message);
std::string_view MessageValue(const rd_kafka_message_t* message);

}  // namespace keel
