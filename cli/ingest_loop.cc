#include "cli/ingest_loop.h"

#include "cli/cli_common.h"

namespace keel::cli {
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

}  // namespace

Result<IngestRun> IngestLines(NdjsonReader& reader, Ingestor& ingestor, const IngestLoopOptions& options) {
  IngestRun run;
  LineBatch batch;
  Progress progress(options.progress_label);
  auto flush = [&]() -> Status {
    if (batch.size() == 0) return Status::OK();
    std::vector<IngestItem> items = batch.Items();
    if (options.before_group) KEEL_RETURN_IF_ERROR(options.before_group(items));
    KEEL_ASSIGN_OR_RETURN(std::vector<AppendResult> results, ingestor.IngestGroup(items));
    for (size_t i = 0; i < results.size(); ++i) {
      run.counts.Add(results[i]);
      if (results[i].outcome == AppendOutcome::kRejected) {
        run.rejected.push_back({items[i].position, results[i].error.message()});
      }
    }
    batch.Clear();
    progress.Update(run.counts.appended + run.counts.duplicates + run.counts.rejected, 0);
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
    batch.Add(line);
    if (batch.size() >= options.batch) KEEL_RETURN_IF_ERROR(flush());
  }
  KEEL_RETURN_IF_ERROR(flush());
  return run;
}

}  // namespace keel::cli
