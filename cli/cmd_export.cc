// keel export --db DIR --format ndjson|csv [--from SEQ|TIME] [--to SEQ|TIME]
// [--entity KIND/ID] [--type TYPE|PREFIX.*] [--workspace WS] [--out FILE]:
// events for auditors' own tools.
#include <fstream>
#include <iostream>

#include "cli/json_output.h"
#include "cli/log_access.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/commands.h"
#include "cli/export_csv.h"
#include "cli/output_path.h"
#include "engine/log/projection.h"

namespace keel::cli {
namespace {

struct ExportFlags {
  std::string db;
  std::string format = "ndjson";
  std::string from;
  std::string to;
  std::string entity;
  std::string type;
  std::string workspace;
  std::string out;
};

// A bound of --from or --to: a seq, or a time compared with the event's `time`.
Result<AsOf> ParseBound(const std::string& text) {
  auto parsed = ParseAsOf(text);
  if (!parsed.ok()) {
    return Status::InvalidArgument("'" + text + "' is neither a sequence number nor an RFC 3339 time");
  }
  return parsed;
}

// "task.*" selects every type that starts with "task."; anything else without
// a '*' is an exact type.
bool IsTypePattern(std::string_view text) {
  size_t star = text.find('*');
  if (star == std::string_view::npos) return !text.empty();
  return star == text.size() - 1 && text.size() >= 3 && text.ends_with(".*");
}

struct ExportFilter {
  uint64_t from_seq = 1;
  uint64_t to_seq = UINT64_MAX;
  std::optional<int64_t> from_micros;
  std::optional<int64_t> to_micros;
  std::string type;  // exact, or a prefix when type_is_prefix
  bool type_is_prefix = false;
  std::string workspace;  // empty: every workspace

  bool Accepts(uint64_t seq, const Event& event) const {
    if (seq < from_seq || seq > to_seq) return false;
    if (from_micros && event.time_micros < *from_micros) return false;
    if (to_micros && event.time_micros > *to_micros) return false;
    if (!workspace.empty() && event.workspace != workspace) return false;
    if (type.empty()) return true;
    return type_is_prefix ? event.type.starts_with(type) : event.type == type;
  }
};

Result<ExportFilter> MakeFilter(const ExportFlags& flags) {
  ExportFilter filter;
  if (!flags.from.empty()) {
    KEEL_ASSIGN_OR_RETURN(AsOf from, ParseBound(flags.from));
    if (from.time_micros) {
      filter.from_micros = from.time_micros;
    } else {
      filter.from_seq = from.seq;
    }
  }
  if (!flags.to.empty()) {
    KEEL_ASSIGN_OR_RETURN(AsOf to, ParseBound(flags.to));
    if (to.time_micros) {
      filter.to_micros = to.time_micros;
    } else {
      filter.to_seq = to.seq;
    }
  }
  // Swapped bounds would silently export nothing; an auditor should hear about it.
  if (filter.from_seq > filter.to_seq ||
      (filter.from_micros && filter.to_micros && *filter.from_micros > *filter.to_micros)) {
    return Status::InvalidArgument("--from " + (flags.from.empty() ? "1" : flags.from) + " is after --to " +
                                   flags.to);
  }
  if (flags.type.ends_with(".*")) {
    filter.type = flags.type.substr(0, flags.type.size() - 1);  // keeps the dot: "task.*" is not "tasks.x"
    filter.type_is_prefix = true;
  } else {
    filter.type = flags.type;
  }
  filter.workspace = flags.workspace;
  return filter;
}

// Writes the selected events in one format; counts them.
class EventSink {
 public:
  EventSink(std::ostream& out, bool csv) : out_(out), csv_(csv) {
    if (csv_) out_ << CsvHeaderRow();
  }
  void Write(const StoredEvent& stored) {
    if (csv_) {
      out_ << CsvEventRow(stored);
    } else {
      out_ << StoredEventToJson(stored).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
           << '\n';
    }
    ++written_;
  }
  uint64_t written() const { return written_; }

 private:
  std::ostream& out_;
  bool csv_;
  uint64_t written_ = 0;
};

Status ExportEntity(const EventLog& log, const ExportFlags& flags, ExportFilter filter, EventSink* sink) {
  KEEL_ASSIGN_OR_RETURN(EntityRef entity, ParseEntityArgument(flags.entity));
  KEEL_ASSIGN_OR_RETURN(filter.workspace, ResolveWorkspace(log, entity, flags.workspace));
  Status read_error;
  KEEL_RETURN_IF_ERROR(log.ScanStream(filter.workspace, entity, [&](uint64_t seq) {
    if (seq < filter.from_seq) return true;
    if (seq > filter.to_seq) return false;
    auto stored = log.Read(seq);
    if (!stored.ok()) {
      read_error = stored.status();
      return false;
    }
    if (filter.Accepts(seq, stored->event)) sink->Write(*stored);
    return true;
  }));
  return read_error;
}

Status Export(const EventLog& log, const ExportFlags& flags, const ExportFilter& filter, EventSink* sink) {
  if (!flags.entity.empty()) return ExportEntity(log, flags, filter, sink);
  Progress progress("export");
  uint64_t total = log.Head().seq;
  return log.Scan(filter.from_seq, filter.to_seq, [&](const StoredEvent& stored) {
    if (filter.Accepts(stored.seq, stored.event)) sink->Write(stored);
    progress.Update(stored.seq, total);
    return true;
  });
}

int RunExport(const ExportFlags& flags) {
  auto filter = MakeFilter(flags);
  if (!filter.ok()) return ReportError("export", filter.status());
  auto log = OpenLogForReading(flags.db);
  if (!log.ok()) return ReportError("export", log.status());
  std::ofstream file;
  if (!flags.out.empty()) {
    file.open(flags.out, std::ios::binary | std::ios::trunc);
    if (!file) return ReportError("export", Status::IOError("cannot write '" + flags.out + "'"));
  }
  std::ostream& out = flags.out.empty() ? std::cout : file;
  EventSink sink(out, flags.format == "csv");
  Status exported = Export(**log, flags, *filter, &sink);
  if (!exported.ok()) return ReportError("export", exported);
  out.flush();
  if (!out) {
    std::string target = flags.out.empty() ? "standard output" : "'" + flags.out + "'";
    return ReportError("export", Status::IOError("writing " + target + " failed"));
  }
  if (!flags.out.empty()) std::cout << sink.written() << " events written to " << flags.out << "\n";
  return kExitOk;
}

CLI::Validator BoundValidator() {
  return CLI::Validator(
      [](const std::string& text) {
        auto parsed = ParseBound(text);
        return parsed.ok() ? std::string() : parsed.status().message();
      },
      "SEQ|TIME");
}

}  // namespace

void AddExportCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* command = app.add_subcommand(
      "export", "Write events for auditors' own tools: NDJSON (one event per line, with its seq and hash) or "
                "CSV (a header row, the envelope's attributes, the data as JSON in the last column)");
  AddDbOption(command, &flags->db);
  command->add_option("--format", flags->format,
                      "ndjson or csv (a CSV cell that starts with =, +, -, @, tab, CR or LF gets a leading ' "
                      "so that spreadsheets show it as text instead of running it as a formula)")
      ->check(CLI::IsMember({"ndjson", "csv"}))
      ->capture_default_str();
  command->add_option("--from", flags->from, "First event: a sequence number, or an RFC 3339 time (by the "
                                             "event's time attribute)")
      ->check(BoundValidator());
  command->add_option("--to", flags->to, "Last event: a sequence number, or an RFC 3339 time (inclusive)")
      ->check(BoundValidator());
  command->add_option("--entity", flags->entity, "Only the events of one entity, KIND/ID")
      ->check(CLI::Validator(
          [](const std::string& text) {
            EntityRef ref;
            if (ParseEntityRef(text, &ref)) return std::string();
            return "'" + text + "' is not KIND/ID (for example task/T-7)";
          },
          "KIND/ID"));
  command->add_option("--type", flags->type, "Only events of this type, or of every type under a prefix "
                                             "(task.*)")
      ->check(CLI::Validator(
          [](const std::string& text) {
            if (IsTypePattern(text)) return std::string();
            return "'" + text + "' is not TYPE or PREFIX.* (for example task.*)";
          },
          "TYPE"));
  command->add_option("--workspace", flags->workspace, "Only events of this workspace (with --entity: the "
                                                       "entity's workspace)");
  command->add_option("--out", flags->out, "Write to this file instead of standard output (never inside a database "
                                           "folder)")
      ->check(CLI::Validator(RefuseDatabaseFolder, "PATH"));
  command->callback([flags, exit_code] { *exit_code = RunExport(*flags); });
}

}  // namespace keel::cli
