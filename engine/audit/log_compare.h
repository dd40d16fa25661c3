// Comparing two logs: what `keel replay` does with the log it derived again
// and the log it read, record by record for the events (hash and bytes) and
// as a whole for the entity states. The records are compared as stored, so
// that a record edited in place (it keeps its old hash) differs too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/log/event_log.h"
#include "engine/status.h"

namespace keel {

// Where two logs part: the first seq whose events differ, with the
// canonical event each log holds there.
struct LogDivergence {
  uint64_t seq = 0;
  std::string expected;  // what `expected` holds there (canonical event; empty when nothing)
  std::string found;     // what `found` holds there (empty when nothing)
};

// Compares events 1..last of both logs, each read ahead on a thread of its
// own; with `whole`, also that `found` holds nothing beyond `last`. nullopt
// when they agree. Corruption when `expected` ends before `last`.
Result<std::optional<LogDivergence>> FirstDivergence(const EventLog& expected, const EventLog& found, uint64_t last,
                                                     bool whole);

// Whether both logs hold the same entity states, compared as multisets of
// entries (two scans at once, on two threads).
Result<bool> SameEntities(const EventLog& expected, const EventLog& found);

}  // namespace keel
