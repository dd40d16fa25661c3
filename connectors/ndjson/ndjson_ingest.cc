#include "connectors/ndjson/ndjson_ingest.h"

#include <algorithm>

namespace keel {
namespace {

// Lines of one group, copied out of the reader's buffer.
class LineBatch {
 public:
  void Add(const NdjsonLine& line) {
    spans_.push_back({text_.size(), line.text.size(), line.number});
    text_.append(line.text);
  }
  std::vector<IngestItem> Items() const {
    std::vector<IngestItem> items;
    items.reserve(spans_.size());
    for (const auto& s : spans_) items.push_back({std::string_view(text_).substr(s.offset, s.length), s.line});
    return items;
  }
  size_t size() const { return spans_.size(); }
  void Clear() {
    text_.clear();
    spans_.clear();
  }

 private:
  struct Span {
    size_t offset, length;
    uint64_t line;
  };
  std::string text_;
  std::vector<Span> spans_;
};

// The loop itself; an error ends it where it happened.
Status ReadAll(NdjsonReader& reader, Ingestor& ingestor, const IngestLoopOptions& options, IngestRun* out) {
  IngestRun& run = *out;
  // Two batches in turn: one is decoded on the Ingestor's helper thread
  // (Submit) while the next one is read; its results arrive with the
  // following Submit, or with Finish.
  LineBatch batches[2];
  std::vector<IngestItem> items[2];
  int filling = 0;
  auto count = [&](const std::vector<IngestItem>& group, const std::vector<AppendResult>& results) {
    for (size_t i = 0; i < results.size(); ++i) {
      run.counts.Add(results[i]);
      if (results[i].outcome == AppendOutcome::kRejected) {
        run.rejected.push_back({group[i].position, results[i].error.message()});
      }
    }
    if (options.on_progress) options.on_progress(run.counts.appended + run.counts.duplicates + run.counts.rejected);
  };
  auto submit = [&]() -> Status {
    if (batches[filling].size() == 0) return Status::OK();
    items[filling] = batches[filling].Items();
    if (options.before_group) KEEL_RETURN_IF_ERROR(options.before_group(items[filling]));
    KEEL_ASSIGN_OR_RETURN(std::vector<AppendResult> results, ingestor.Submit(items[filling]));
    filling ^= 1;
    count(items[filling], results);  // the group submitted before
    batches[filling].Clear();
    return Status::OK();
  };

  NdjsonLine line;
  while (true) {
    KEEL_ASSIGN_OR_RETURN(bool more, reader.Next(&line));
    if (!more) break;
    if (line.oversized) {
      ++run.counts.rejected;
      run.rejected.push_back({line.number, "event is " + std::to_string(line.length) + " bytes, over the limit of " +
                                               std::to_string(options.max_event_bytes) + " bytes"});
      continue;
    }
    batches[filling].Add(line);
    if (batches[filling].size() >= options.batch) KEEL_RETURN_IF_ERROR(submit());
  }
  KEEL_RETURN_IF_ERROR(submit());
  KEEL_ASSIGN_OR_RETURN(std::vector<AppendResult> last, ingestor.Finish());
  count(items[filling ^ 1], last);
  return Status::OK();
}

}  // namespace

IngestRun IngestLines(NdjsonReader& reader, Ingestor& ingestor, const IngestLoopOptions& options) {
  IngestRun run;
  run.stopped = ReadAll(reader, ingestor, options, &run);
  // Oversized lines are refused as they are read, the others a group later.
  std::stable_sort(run.rejected.begin(), run.rejected.end(),
                   [](const RejectedLine& a, const RejectedLine& b) { return a.line < b.line; });
  return run;
}

}  // namespace keel
