// What reading a log costs RocksDB alone, for `keel bench audit` to hold
// `keel verify` and `keel replay` against: the stored records read in the
// log's own layout, and nothing decoded, hashed or checked.
#pragma once

#include <cstdint>

#include "engine/log/event_log.h"
#include "engine/status.h"

namespace keel {

struct RecordsRead {
  uint64_t records = 0;
  uint64_t bytes = 0;  // of the values
};

// Every stored event record, in seq order, on this thread: the raw scan.
Result<RecordsRead> ScanEventRecords(const EventLog& log);

// What verify reads, laid out as it reads it: the event records on this
// thread while the two indexes are read on another, then the entity states.
Status ReadWhatVerifyReads(const EventLog& log);

}  // namespace keel
