// keel history KIND/ID --db DIR [--workspace WS] [--json]: every event of one
// entity in log order, who did it, and which rule derived it.
#include <iostream>

#include "cli/json_output.h"
#include "cli/log_access.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/commands.h"
#include "cli/terminal_text.h"
#include "engine/state/reducers.h"

namespace keel::cli {
namespace {

struct HistoryFlags {
  std::string entity;
  std::string db;
  std::string workspace;
  bool json = false;
};

// One row of the text table. `version` is the entity's version after the
// event, the same number `keel state --as-of SEQ` reports; "-" for events
// that leave the state alone (comments, notifications, timers).
struct HistoryRow {
  std::string seq, time, type, actor, version, rule, cause;
};

Result<std::vector<StoredEvent>> ReadStream(const EventLog& log, const std::string& workspace,
                                            const EntityRef& entity) {
  std::vector<StoredEvent> events;
  Status read_error;
  KEEL_RETURN_IF_ERROR(log.ScanStream(workspace, entity, [&](uint64_t seq) {
    auto stored = log.Read(seq);
    if (!stored.ok()) {
      read_error = stored.status();
      return false;
    }
    events.push_back(std::move(stored).value());
    return true;
  }));
  KEEL_RETURN_IF_ERROR(read_error);
  if (events.empty()) {
    return Status::NotFound("no events about " + entity.ToString() + " in workspace '" + workspace + "'");
  }
  return events;
}

Result<std::vector<HistoryRow>> TableRows(const std::vector<StoredEvent>& events) {
  std::vector<HistoryRow> rows = {{"SEQ", "TIME", "TYPE", "ACTOR", "VERSION", "RULE", "CAUSED BY"}};
  EntityState state;
  for (const StoredEvent& stored : events) {
    const Event& e = stored.event;
    std::string version = "-";
    if (ChangesEntityState(e.type)) {
      KEEL_RETURN_IF_ERROR(ApplyEvent(e, &state).WithContext("seq " + std::to_string(stored.seq)));
      version = std::to_string(state.version());
    }
    rows.push_back({std::to_string(stored.seq), TerminalText(e.time), TerminalText(e.type),
                    e.actor.empty() ? "-" : TerminalText(e.actor), std::move(version),
                    e.is_derived() ? TerminalText(e.rule_id) : "-",
                    e.is_derived() ? TerminalText(e.causation_id) : "-"});
  }
  return rows;
}

void PrintTable(const std::vector<HistoryRow>& rows) {
  auto columns = [](const HistoryRow& r) {
    return std::vector<const std::string*>{&r.seq, &r.time, &r.type, &r.actor, &r.version, &r.rule, &r.cause};
  };
  std::vector<size_t> widths(columns(rows.front()).size(), 0);
  for (const HistoryRow& row : rows) {
    auto cells = columns(row);
    for (size_t i = 0; i < cells.size(); ++i) widths[i] = std::max(widths[i], cells[i]->size());
  }
  for (const HistoryRow& row : rows) {
    auto cells = columns(row);
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      line += *cells[i];
      if (i + 1 < cells.size()) line += std::string(widths[i] - cells[i]->size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

int RunHistory(const HistoryFlags& flags) {
  auto entity = ParseEntityArgument(flags.entity);
  if (!entity.ok()) return ReportError("history", entity.status());
  auto log = OpenLogForReading(flags.db);
  if (!log.ok()) return ReportError("history", log.status());
  auto workspace = ResolveWorkspace(**log, *entity, flags.workspace);
  if (!workspace.ok()) return ReportError("history", workspace.status());
  auto events = ReadStream(**log, *workspace, *entity);
  if (!events.ok()) return ReportError("history", events.status());
  if (flags.json) {
    for (const StoredEvent& stored : *events) PrintJson(StoredEventToJson(stored));
    return kExitOk;
  }
  auto rows = TableRows(*events);
  if (!rows.ok()) return ReportError("history", rows.status());
  std::cout << TerminalText(entity->ToString()) << " in " << TerminalText(*workspace) << ": " << events->size()
            << (events->size() == 1 ? " event\n" : " events\n");
  PrintTable(*rows);
  return kExitOk;
}

}  // namespace

void AddHistoryCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<HistoryFlags>();
  CLI::App* command = app.add_subcommand(
      "history", "Print every event of one entity in log order: when, what, who, the entity's version after "
                 "it, and for derived events the rule and the event that caused it (with --json: one event "
                 "per line, with its seq and hash)");
  command->add_option("entity", flags->entity, "KIND/ID, for example task/T-7")->required();
  AddDbOption(command, &flags->db);
  command->add_option("--workspace", flags->workspace, "The entity's workspace (needed when several have it)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunHistory(*flags); });
}

}  // namespace keel::cli
