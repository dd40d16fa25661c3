// The loop keel ingest and keel run share: NDJSON lines in groups through an
// Ingestor, with every rejected line kept with its reason.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "connectors/ndjson_reader.h"
#include "engine/ingest.h"

namespace keel::cli {

struct RejectedLine {
  uint64_t line;
  std::string reason;
};

struct IngestRun {
  IngestCounts counts;
  std::vector<RejectedLine> rejected;
};

struct IngestLoopOptions {
  size_t batch = 1000;  // lines per group (one WriteBatch)
  size_t max_event_bytes = size_t{1} << 20;
  const char* progress_label = "ingest";
  // Called with each group before it is appended.
  std::function<Status(std::span<const IngestItem>)> before_group;
};

// Reads `reader` to its end. An error return means a group could not be
// written (nothing of it was) or the input could not be read.
Result<IngestRun> IngestLines(NdjsonReader& reader, Ingestor& ingestor, const IngestLoopOptions& options);

}  // namespace keel::cli
