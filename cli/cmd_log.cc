// keel log --db DIR [--from SEQ] [--to SEQ] [--entity KIND/ID]: events in order.
#include <iostream>

#include "cli/json_output.h"
#include "cli/log_access.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/commands.h"
#include "cli/terminal_text.h"

namespace keel::cli {
namespace {

struct LogFlags {
  std::string db;
  uint64_t from = 1;
  uint64_t to = UINT64_MAX;
  std::string entity;
  std::string workspace;
  bool json = false;
};

void PrintEvent(const StoredEvent& stored, bool json) {
  if (json) {
    PrintJson(StoredEventToJson(stored));
    return;
  }
  const Event& e = stored.event;
  std::cout << stored.seq << "  " << TerminalText(e.time) << "  " << TerminalText(e.workspace) << "  "
            << TerminalText(e.type) << "  " << TerminalText(e.subject) << "  " << TerminalText(e.actor);
  if (e.is_derived()) std::cout << "  (rule " << TerminalText(e.rule_id) << ")";
  std::cout << "  " << TerminalText(e.data()) << "\n";
}

Status PrintEntityStream(const EventLog& log, const LogFlags& flags) {
  KEEL_ASSIGN_OR_RETURN(EntityRef entity, ParseEntityArgument(flags.entity));
  KEEL_ASSIGN_OR_RETURN(std::string workspace, ResolveWorkspace(log, entity, flags.workspace));
  Status read_error;
  KEEL_RETURN_IF_ERROR(log.ScanStream(workspace, entity, [&](uint64_t seq) {
    if (seq < flags.from) return true;
    if (seq > flags.to) return false;
    auto stored = log.Read(seq);
    if (!stored.ok()) {
      read_error = stored.status();
      return false;
    }
    PrintEvent(*stored, flags.json);
    return true;
  }));
  return read_error;
}

int RunLog(const LogFlags& flags) {
  if (flags.from > flags.to) {
    ReportError("log", Status::InvalidArgument("--from " + std::to_string(flags.from) + " is after --to " +
                                               std::to_string(flags.to) + ": no events lie between them"));
    return kExitUsage;
  }
  auto log = OpenLogForReading(flags.db);
  if (!log.ok()) return ReportError("log", log.status());
  Status s = flags.entity.empty() ? (*log)->Scan(flags.from, flags.to,
                                                 [&](const StoredEvent& stored) {
                                                   PrintEvent(stored, flags.json);
                                                   return true;
                                                 })
                                  : PrintEntityStream(**log, flags);
  if (!s.ok()) return ReportError("log", s);
  return kExitOk;
}

}  // namespace

void AddLogCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<LogFlags>();
  CLI::App* command = app.add_subcommand("log", "Print events in log order (with --json: one event per line, "
                                                "with its seq and hash)");
  AddDbOption(command, &flags->db);
  command->add_option("--from", flags->from, "First sequence number")->check(WholeNumber("a sequence number", 1));
  command->add_option("--to", flags->to, "Last sequence number")->check(WholeNumber("a sequence number", 1));
  command->add_option("--entity", flags->entity, "Only the events of one entity, KIND/ID");
  command->add_option("--workspace", flags->workspace, "The entity's workspace (needed when several have it)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunLog(*flags); });
}

}  // namespace keel::cli
