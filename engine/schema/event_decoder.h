// EventDecoder: turns the bytes of one incoming event into a validated Event
// in canonical form. Parses once (simdjson), validates with the compiled
// schemas, and writes the canonical bytes in the same pass.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "engine/event.h"
#include "engine/schema/schema_registry.h"
#include "engine/status.h"
#include "engine/schema/time_window.h"

namespace keel {

struct DecodeOptions {
  // Events larger than this are refused before parsing.
  size_t max_event_bytes = 1 << 20;
  // Input events dated further from now are refused (engine/schema/time_window.h).
  TimeWindow time_window;
};

// Not thread-safe: it reuses one parser and one buffer. Use one per thread.
class EventDecoder {
 public:
  // `schemas` must outlive the decoder.
  explicit EventDecoder(const SchemaRegistry* schemas, DecodeOptions options = {});

  // Decodes an event from outside keel. Attributes that only the engine sets
  // (seq, hash, causationid, correlationid, ruleid, rulesethash) are refused.
  Result<Event> DecodeInput(std::string_view bytes);
  // The same into `*event`, which must be default-constructed: the ingest
  // path decodes straight into its append requests instead of moving each
  // event through a Result (an Event is a dozen strings).
  Status DecodeInputInto(std::string_view bytes, Event* event);

  // Decodes an event the engine produced itself (a derived event), which
  // carries causationid, correlationid, ruleid and rulesethash.
  Result<Event> DecodeDerived(std::string_view bytes);

 private:
  Status Decode(std::string_view bytes, bool input, Event* event);
  Result<Event> DecodeNew(std::string_view bytes, bool input);

  const SchemaRegistry* schemas_;
  DecodeOptions options_;
  simdjson::dom::parser parser_;
  std::string padded_;
};

}  // namespace keel
