// The check every submitted delivery passes before it is written or
// produced: each event decoded and validated as the NDJSON and Kafka paths
// do (EventDecoder: schema, size, time window), all or nothing. Shared by the
// embedded log's submit (LocalIngest) and the producer's (KafkaSubmit).
// Safe for concurrent use: decoders are kept in a pool, one per caller at a
// time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "engine/log/event_log.h"
#include "engine/mutex.h"
#include "engine/schema/event_decoder.h"

namespace keel::server {

class SubmitDecoder {
 public:
  // `schemas` must outlive it.
  SubmitDecoder(const SchemaRegistry* schemas, DecodeOptions options) : schemas_(schemas), options_(options) {}

  // Decodes every event of `events` into `*decoded`. True when all pass;
  // otherwise `*results` has one rejected result per event: the refused ones
  // with their reason, the others "not VERB: event N of M in the same submit
  // was refused" (VERB: "appended", "produced").
  bool DecodeAll(const std::vector<std::string>& events, std::string_view verb, std::vector<Event>* decoded,
                 std::vector<AppendResult>* results);

 private:
  const SchemaRegistry* schemas_;
  const DecodeOptions options_;
  Mutex mu_;
  std::vector<std::unique_ptr<EventDecoder>> idle_ GUARDED_BY(mu_);
};

}  // namespace keel::server
