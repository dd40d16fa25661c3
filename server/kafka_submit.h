// The webhook receiver's way into Kafka (keel serve with brokers): a
// delivery's events are checked as the partitions will check them, then
// produced to the input topic keyed by workspace, so the owner of the
// workspace's partition appends them; the delivery is answered once the
// broker acknowledged every one. A redelivery produces the same ids again,
// which the partition log's idempotency makes harmless. Also produces the
// receiver's dead letters to the dead-letter topic.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "connectors/kafka/kafka_producer.h"
#include "connectors/webhooks/dead_letters.h"
#include "engine/mutex.h"
#include "engine/schema/event_decoder.h"
#include "server/submit_decoder.h"
#include "server/local_ingest.h"

namespace keel::server {

struct KafkaSubmitOptions {
  // bootstrap.servers and the user's `kafka:` and `producer:` properties.
  KafkaProperties kafka;
  std::string input_topic;        // where events go: serve's first input topic
  std::string dead_letter_topic;  // where the receiver's dead letters go
  DecodeOptions decode;           // the partitions' decode options
  // How long a message may wait for the broker's acknowledgement before the
  // delivery is answered 503 (librdkafka's message.timeout.ms, unless the
  // `producer:` properties set it). Below the HTTP request deadline (30 s).
  std::chrono::milliseconds ack_timeout{10000};
};

class KafkaSubmit {
 public:
  // Creates the idempotent producer and the thread that serves its delivery
  // reports. `schemas` must outlive it.
  static Result<std::unique_ptr<KafkaSubmit>> Create(const KafkaSubmitOptions& options,
                                                     const SchemaRegistry* schemas);
  // Waits for what is in flight (up to the ack timeout), then stops.
  ~KafkaSubmit();

  // The receiver's SubmitEvents. Every event is decoded first; a refused one
  // answers the whole submit with rejected results (nothing produced), as
  // the embedded log does. Otherwise each is produced with key = its
  // workspace and `done` is called once: with one kAppended result per
  // event (seq 0: the seq is the partition's, unknown here) when the broker
  // acknowledged them all, or with the first failure (ResourceExhausted when
  // the producer's queue is full, IOError when the broker did not
  // acknowledge in time). Thread-safe.
  void Submit(std::vector<std::string> events, SubmitDone done);

  // Produces `letter` (which must have its id) as JSON to the dead-letter
  // topic, keyed by its endpoint; returns once the broker acknowledged it
  // (OK) or failed to. Thread-safe; blocks.
  Status ProduceDeadLetter(const webhooks::DeadLetter& letter);

 private:
  KafkaSubmit(const KafkaSubmitOptions& options, const SchemaRegistry* schemas, KafkaHandle producer);
  void PollLoop();
  // Decodes `events`; the workspaces into `keys`, or the refusals into `results`.
  bool Decode(const std::vector<std::string>& events, std::vector<std::string>* keys,
              std::vector<AppendResult>* results);

  const KafkaSubmitOptions options_;
  SubmitDecoder decoder_;
  KafkaHandle producer_;
  std::atomic<bool> stop_{false};
  std::thread poller_;
};

}  // namespace keel::server
