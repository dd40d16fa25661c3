// keel ingest FILE|- --db DIR: NDJSON events into the log. When the log has
// an active rule set (from `keel run`), its rules run on the events as they
// would under `keel run`: a log's derived events never depend on which
// command brought its input in, so replays stay identical.
#include <iostream>

#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/commands.h"
#include "cli/terminal_text.h"
#include "connectors/ndjson/ndjson_ingest.h"
#include "connectors/ndjson/ndjson_reader.h"
#include "engine/ingest/ingest.h"
#include "engine/schema/schema_registry.h"
#include "rules/react/attach_rule_set.h"
#include "rules/react/ruleset_store.h"

namespace keel::cli {
namespace {

struct IngestFlags {
  std::string input;
  std::string db;
  std::string sync = "batch";
  std::string schemas;
  size_t max_event_bytes = size_t{1} << 20;
  int64_t event_time_window = TimeWindow::kDefaultDays;
  size_t batch = 1000;
  bool json = false;
};

void PrintSummary(const IngestCounts& counts, const std::vector<RejectedLine>& rejected,
                  const std::optional<std::string>& ruleset, bool json) {
  if (json) {
    nlohmann::ordered_json errors = nlohmann::ordered_json::array();
    for (const auto& r : rejected) errors.push_back({{"line", r.line}, {"reason", r.reason}});
    PrintJson({{"appended", counts.appended},
               {"duplicates", counts.duplicates},
               {"rejected", counts.rejected},
               {"ruleset", ruleset ? nlohmann::ordered_json(*ruleset) : nlohmann::ordered_json(nullptr)},
               {"errors", errors}});
    return;
  }
  std::cout << "appended " << counts.appended << ", duplicates " << counts.duplicates << ", rejected "
            << counts.rejected << "\n";
  if (ruleset) {
    std::cout << "the log's active rule set " << ruleset->substr(0, 16)
              << " ran on them (keel log shows what it derived)\n";
  }
  for (const auto& r : rejected) std::cout << "  line " << r.line << ": " << TerminalText(r.reason) << "\n";
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
  auto active = rules::LoadActiveRuleSet(**log);
  if (!active.ok()) return ReportError("ingest", active.status().WithContext("the log's active rule set"));
  std::optional<std::string> ruleset;
  if (*active) {
    if (Status s = (*active)->RegisterCustomEventTypes(**schemas); !s.ok()) return ReportError("ingest", s);
    rules::AttachRuleSet(**log, **active, schemas->get());
    // Under the limits it was activated with (keel run --max-depth ...).
    auto limits = (*log)->ActiveRuleSetLimits();
    if (!limits.ok()) return ReportError("ingest", limits.status());
    (*log)->SetCascadeLimits(*limits);
    ruleset = (*active)->hash();
  }

  Ingestor ingestor(log->get(), schemas->get(),
                    DecodeOptions{flags.max_event_bytes, TimeWindow{.days = flags.event_time_window}});
  IngestLoopOptions loop;
  loop.batch = flags.batch;
  loop.max_event_bytes = flags.max_event_bytes;
  IngestRun run;
  {
    Progress progress("ingest");  // cleared from the terminal before the summary
    loop.on_progress = [&progress](uint64_t handled) { progress.Update(handled, 0); };
    run = IngestLines(**reader, ingestor, loop);
  }
  Status stopped = run.stopped.ok() ? (*log)->Sync() : run.stopped;
  PrintSummary(run.counts, run.rejected, ruleset, flags.json);
  if (!stopped.ok()) return ReportStopped("ingest", stopped);
  return run.counts.rejected == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddIngestCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<IngestFlags>();
  CLI::App* command = app.add_subcommand(
      "ingest", "Append NDJSON events (one CloudEvent per line) to the log. Valid events are appended even "
                "when other lines are rejected; the exit code is 1 if any line was. When the log has an active "
                "rule set (from keel run), its rules run on the events.");
  command->add_option("input", flags->input, "NDJSON file, or - for standard input")->required();
  AddDbOption(command, &flags->db);
  AddSyncOption(command, &flags->sync);
  command->add_option("--max-event-bytes", flags->max_event_bytes, "Refuse events larger than this")
      ->capture_default_str()
      ->check(WholeNumber("an event size limit in bytes", 64, uint64_t{64} << 20));
  AddEventTimeWindowOption(command, &flags->event_time_window);
  command->add_option("--batch", flags->batch, "Events per WriteBatch")
      ->capture_default_str()
      ->check(WholeNumber("events per WriteBatch", 1, 100000));
  command->add_option("--schemas", flags->schemas, "Folder of event schemas (default: the ones built in)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunIngest(*flags); });
}

}  // namespace keel::cli
