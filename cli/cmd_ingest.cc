// keel ingest FILE|- --db DIR: NDJSON events into the log.
#include <algorithm>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "connectors/ndjson_reader.h"
#include "engine/ingest.h"
#include "engine/schema_registry.h"

namespace keel::cli {
namespace {

struct IngestFlags {
  std::string input;
  std::string db;
  std::string sync = "batch";
  std::string schemas;
  size_t max_event_bytes = size_t{1} << 20;
  size_t batch = 1000;
  bool json = false;
};

struct RejectedLine {
  uint64_t line;
  std::string reason;
};

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

void PrintSummary(const IngestCounts& counts, std::vector<RejectedLine> rejected, bool json) {
  // Oversized lines are refused as they are read, the others a group later.
  std::stable_sort(rejected.begin(), rejected.end(),
                   [](const RejectedLine& a, const RejectedLine& b) { return a.line < b.line; });
  if (json) {
    nlohmann::ordered_json errors = nlohmann::ordered_json::array();
    for (const auto& r : rejected) errors.push_back({{"line", r.line}, {"reason", r.reason}});
    PrintJson({{"appended", counts.appended},
               {"duplicates", counts.duplicates},
               {"rejected", counts.rejected},
               {"errors", errors}});
    return;
  }
  std::cout << "appended " << counts.appended << ", duplicates " << counts.duplicates << ", rejected "
            << counts.rejected << "\n";
  for (const auto& r : rejected) std::cout << "  line " << r.line << ": " << r.reason << "\n";
}

Result<std::unique_ptr<SchemaRegistry>> LoadSchemas(const std::string& folder) {
  return folder.empty() ? SchemaRegistry::LoadEmbedded() : SchemaRegistry::LoadFromDirectory(folder);
}

int RunIngest(const IngestFlags& flags) {
  auto sync = ParseSyncMode(flags.sync);
  if (!sync.ok()) return ReportError("ingest", sync.status());
  auto schemas = LoadSchemas(flags.schemas);
  if (!schemas.ok()) return ReportError("ingest", schemas.status());
  auto reader = NdjsonReader::Open(flags.input, flags.max_event_bytes);
  if (!reader.ok()) return ReportError("ingest", reader.status());
  LogOptions options;
  options.create_if_missing = true;
  options.sync = *sync;
  auto log = EventLog::Open(flags.db, options);
  if (!log.ok()) return ReportError("ingest", log.status());

  Ingestor ingestor(log->get(), schemas->get(), DecodeOptions{flags.max_event_bytes});
  IngestCounts counts;
  std::vector<RejectedLine> rejected;
  // Two batches in turn: one is being decoded (Ingestor::Submit) while the
  // next one is read, and its results arrive with the following Submit.
  LineBatch batches[2];
  std::vector<IngestItem> items[2];
  int filling = 0;
  Progress progress("ingest");
  auto count = [&](const std::vector<IngestItem>& group, const std::vector<AppendResult>& results) {
    for (size_t i = 0; i < results.size(); ++i) {
      counts.Add(results[i]);
      if (results[i].outcome == AppendOutcome::kRejected) {
        rejected.push_back({group[i].position, results[i].error.message()});
      }
    }
    progress.Update(counts.appended + counts.duplicates + counts.rejected, 0);
  };
  // Submits the batch being filled; the results are those of the other one.
  auto submit = [&]() -> Status {
    if (batches[filling].size() == 0) return Status::OK();
    items[filling] = batches[filling].Items();
    KEEL_ASSIGN_OR_RETURN(auto results, ingestor.Submit(items[filling]));
    filling ^= 1;
    count(items[filling], results);
    batches[filling].Clear();
    return Status::OK();
  };

  NdjsonLine line;
  while (true) {
    auto more = (*reader)->Next(&line);
    if (!more.ok()) return ReportError("ingest", more.status());
    if (!*more) break;
    if (line.oversized) {
      ++counts.rejected;
      rejected.push_back({line.number, "event is " + std::to_string(line.length) + " bytes, over the limit of " +
                                           std::to_string(flags.max_event_bytes) + " bytes"});
      continue;
    }
    batches[filling].Add(line);
    if (batches[filling].size() >= flags.batch) {
      if (Status s = submit(); !s.ok()) return ReportError("ingest", s);
    }
  }
  if (Status s = submit(); !s.ok()) return ReportError("ingest", s);
  auto last = ingestor.Finish();
  if (!last.ok()) return ReportError("ingest", last.status());
  count(items[filling ^ 1], *last);
  if (Status s = (*log)->Sync(); !s.ok()) return ReportError("ingest", s);
  PrintSummary(counts, rejected, flags.json);
  return counts.rejected == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddIngestCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<IngestFlags>();
  CLI::App* command = app.add_subcommand(
      "ingest", "Append NDJSON events (one CloudEvent per line) to the log. Valid events are appended even "
                "when other lines are rejected; the exit code is 1 if any line was.");
  command->add_option("input", flags->input, "NDJSON file, or - for standard input")->required();
  AddDbOption(command, &flags->db);
  command->add_option("--sync", flags->sync, "Durability: always (fsync per batch), batch (group commit), off")
      ->capture_default_str()
      ->check(CLI::IsMember({"always", "batch", "off"}));
  command->add_option("--max-event-bytes", flags->max_event_bytes, "Refuse events larger than this")
      ->capture_default_str()
      ->check(CLI::Range(size_t{64}, size_t{64} << 20));
  command->add_option("--batch", flags->batch, "Events per WriteBatch")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  command->add_option("--schemas", flags->schemas, "Folder of event schemas (default: the ones built in)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunIngest(*flags); });
}

}  // namespace keel::cli
