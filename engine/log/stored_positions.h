// Where a source has read up to and where a sink has delivered up to, kept in
// the log itself: each is a MetaPut handed to EventLog::Append (or an
// Ingestor) with the events it accounts for, so that it commits in the same
// WriteBatch as they do (invariant 2), and read back when the source or sink
// starts again. engine/FORMAT.md ("meta") has the keys and values.
//
// A name says which source or sink, and the connector chooses it, by kind
// first: "kafka/TOPIC/PARTITION" for a Kafka partition read, "kafka/TOPIC"
// for the outbox relay's output topic; a webhook endpoint or a Slack channel
// takes a name of its own kind in the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/log/event_log.h"
#include "engine/status.h"

namespace keel {

// A source's position: the next one to read (a Kafka offset, say), stored
// under `source`'s name with the Append it goes with.
MetaPut SourcePositionPut(std::string_view source, uint64_t next);
// The position stored for `source`; nullopt when none is (a new source),
// Corruption when what is stored is not a position.
Result<std::optional<uint64_t>> ReadSourcePosition(const EventLog& log, std::string_view source);

// A sink's cursor: the seq of the last event it has delivered (or passed
// over); every event before it is delivered too.
MetaPut SinkCursorPut(std::string_view sink, uint64_t delivered_seq);
// The cursor stored for `sink`; nullopt when none is (nothing delivered yet),
// Corruption when what is stored is not a cursor.
Result<std::optional<uint64_t>> ReadSinkCursor(const EventLog& log, std::string_view sink);

}  // namespace keel
