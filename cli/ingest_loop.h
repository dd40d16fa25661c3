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
  const char* progress_label = "ingest";
  // Called with each group before it is appended.
  std::function<Status(std::span<const IngestItem>)> before_group;
};

// Reads `reader` to its end, or until a group cannot be written or the
// input cannot be read: then `stopped` says why, and the counts are what
// came before.
IngestRun IngestLines(NdjsonReader& reader, Ingestor& ingestor, const IngestLoopOptions& options);

// For a command whose IngestRun stopped (a write failed, the disk is full):
// prints "keel COMMAND: error: MESSAGE", then that the counts printed before
// are what was committed. Returns kExitFailed.
int ReportStopped(std::string_view command, const Status& status);

}  // namespace keel::cli
