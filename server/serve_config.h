// The YAML configuration of `keel serve` (README, "With Kafka", lists every
// setting; "keel serve without Kafka" the embedded mode's). Reading it
// refuses unknown keys, keys set twice, wrong types, librdkafka properties
// librdkafka does not take, a dead-letter topic that is also an input topic,
// and Kafka settings without `brokers`, with file:line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "server/kafka_serve.h"
#include "server/sink_config.h"
#include "server/webhook_config.h"
#include "engine/status.h"
#include "engine/schema/time_window.h"

namespace keel::server {

// The HTTP API and the page (serve.yaml `api:`): a listener of their own.
struct ApiConfig {
  bool enabled = false;  // an `api:` section is present
  std::string address = "127.0.0.1";
  int port = 8081;
  std::string tokens_file;  // required with `api:`
};

struct ServeConfig {
  std::string brokers;                    // bootstrap.servers; empty: embedded mode, one local log
  std::string group = "keel";
  std::vector<std::string> input_topics;
  std::string output_topic;
  std::string dead_letter_topic;
  std::string data;                       // one log per partition in DATA/TOPIC-PARTITION/, or DATA/log
  std::string sync = "batch";             // always | batch | off
  std::string rules;                      // a rules folder or a pack folder
  std::string templates;                  // default: the pack's templates/
  std::string publish = "derived";        // derived | all
  std::string http_address = "0.0.0.0";
  int http_port = 8080;                   // 0: no HTTP endpoint
  size_t batch_max_messages = 5000;
  int64_t batch_max_wait_ms = 10;
  size_t ingest_threads = 2;              // partitions of a batch appended at once
  size_t max_event_bytes = size_t{1} << 20;
  int max_depth = 10;
  int64_t event_time_window_days = TimeWindow::kDefaultDays;  // 0: no bound
  int64_t drain_timeout_ms = 10000;
  KafkaProperties kafka;                  // passed to librdkafka as they are
  KafkaProperties consumer;
  KafkaProperties producer;
  ReceiverConfig receiver;                // webhooks, events, people, max_body_bytes
  std::vector<SinkConfig> sinks;          // where the derived events are delivered
  ApiConfig api;
};

// Reads and checks `path`. Errors name the file and line.
Result<ServeConfig> ReadServeConfig(const std::string& path);

}  // namespace keel::server
