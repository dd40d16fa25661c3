// The NDJSON pump that keel ingest and keel run share: lines in groups through
// an Ingestor, with every rejected line kept with its reason.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "connectors/ndjson/ndjson_reader.h"
#include "engine/ingest/ingest.h"

namespace keel {

struct RejectedLine {
  uint64_t line;
  std::string reason;
};

struct IngestRun {
  IngestCounts counts;  // what was committed, or refused, before the run ended
  std::vector<RejectedLine> rejected;
  // Why the run stopped before the end of its input: a group that could not
  // be written (nothing of it was; a full disk, for one). OK when the whole
  // input was read.
  Status stopped;
};

struct IngestLoopOptions {
  size_t batch = 1000;  // lines per group (one WriteBatch)
  size_t max_event_bytes = size_t{1} << 20;
  // Called after each group with the number of lines handled so far
  // (appended, duplicate or refused), for a progress display.
  std::function<void(uint64_t handled)> on_progress;
  // Called with each group before it is appended.
  std::function<Status(std::span<const IngestItem>)> before_group;
};

// Reads `reader` to its end, or until a group cannot be written or the
// input cannot be read: then `stopped` says why, and the counts are what
// came before.
IngestRun IngestLines(NdjsonReader& reader, Ingestor& ingestor, const IngestLoopOptions& options);

}  // namespace keel
