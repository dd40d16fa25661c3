// Ingestor: the path every incoming event takes, whatever its source (a
// file, standard input, a Kafka partition): decode, validate, canonicalize,
// then append a group of events to the log in one WriteBatch.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/event_decoder.h"
#include "engine/event_log.h"

namespace keel {

// One incoming event as bytes, with where it came from (a line number, an
// offset) for messages.
struct IngestItem {
  std::string_view bytes;
  uint64_t position = 0;
};

struct IngestCounts {
  uint64_t appended = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;

  void Add(const AppendResult& result);
};

// Not thread-safe (one decoder inside); one Ingestor per writer.
class Ingestor {
 public:
  // `log` and `schemas` must outlive the Ingestor.
  Ingestor(EventLog* log, const SchemaRegistry* schemas, DecodeOptions options = {});

  // Decodes the items and appends the valid ones as one group. The result
  // has one entry per item, in order: appended, duplicate, or rejected with
  // the reason (a decoding error or a log refusal). An error return means
  // the group could not be written and nothing of it was.
  Result<std::vector<AppendResult>> IngestGroup(std::span<const IngestItem> items);

 private:
  EventLog* log_;
  EventDecoder decoder_;
};

}  // namespace keel
