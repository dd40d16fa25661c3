// keel replay --db DIR [--to SEQ|TIME] [--into DIR]: the log's input events
// run again through the rule sets active at each point, into a fresh
// database; says "identical" or where the first divergence is.
#include <iostream>

#include "cli/json_output.h"
#include "cli/log_access.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/terminal_text.h"
#include "cli/commands.h"
#include "cli/terminal_text.h"
#include "cli/scratch_dir.h"
#include "rules/audit/replay.h"

namespace keel::cli {
namespace {

struct ReplayFlags {
  std::string db;
  std::string to;
  std::string into;
  bool json = false;
};

std::string Shortened(const std::string& text) {
  return text.empty() ? "(nothing)" : TerminalText(Abbreviate(text, 400));
}

int RunReplay(const ReplayFlags& flags) {
  auto source = OpenLogForReading(flags.db);
  if (!source.ok()) return ReportError("replay", source.status());
  rules::ReplayOptions options;
  if (!flags.to.empty()) {
    auto to = ParseAsOf(flags.to);
    if (!to.ok()) return ReportError("replay", to.status().WithContext("--to"));
    options.to = *to;
  }
  std::optional<ScratchDir> scratch;
  std::filesystem::path into = flags.into;
  if (into.empty()) {
    scratch.emplace("replay");
    if (!scratch->ok()) return ReportError("replay", Status::IOError("cannot create a temporary folder"));
    into = scratch->path() / "db";
  } else {
    std::error_code error;
    if (std::filesystem::exists(into, error) && !std::filesystem::is_empty(into, error)) {
      return ReportError("replay", Status::FailedPrecondition("--into " + flags.into + " is not empty; the replay "
                                                              "writes a fresh database"));
    }
  }
  LogOptions target_options;
  target_options.create_if_missing = true;
  target_options.sync = SyncMode::kOff;
  auto target = EventLog::Open(into, target_options);
  if (!target.ok()) return ReportError("replay", target.status());
  Progress progress("replay");
  options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
  auto result = rules::Replay(**source, **target, options);
  if (!result.ok()) return ReportError("replay", result.status());
  if (Status s = (*target)->Sync(); !s.ok()) return ReportError("replay", s);

  const std::optional<rules::Divergence>& divergence = result->first_divergence;
  if (flags.json) {
    nlohmann::ordered_json out = {{"identical", result->identical},
                                  {"events", result->events},
                                  {"first_divergence", divergence ? nlohmann::ordered_json(divergence->seq) : nullptr}};
    if (divergence) {
      out["expected"] = divergence->expected;
      out["found"] = divergence->found;
    }
    if (!flags.into.empty()) out["into"] = flags.into;
    PrintJson(out);
  } else if (result->identical) {
    std::cout << "identical: " << result->events << " events replayed; every derived event, hash"
              << (result->entities_compared ? " and entity state" : "") << " matches the log\n";
  } else {
    std::cout << "diverged at seq " << divergence->seq << " (of " << result->events << " events)\n"
              << "  expected (the log): " << Shortened(divergence->expected) << "\n"
              << "  found (the replay): " << Shortened(divergence->found) << "\n";
  }
  if (!flags.into.empty() && !flags.json) std::cout << "the replayed database is in " << flags.into << "\n";
  return result->identical ? kExitOk : kExitFailed;
}

}  // namespace

void AddReplayCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ReplayFlags>();
  CLI::App* command = app.add_subcommand(
      "replay", "Run the log's input events again, through the rule set active at each point, into a fresh "
                "database, and compare: identical, or the first divergence (exit 1)");
  AddDbOption(command, &flags->db);
  command->add_option("--to", flags->to, "Replay up to this sequence number or RFC 3339 time");
  command->add_option("--into", flags->into, "Keep the replayed database in this (empty or new) folder");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunReplay(*flags); });
}

}  // namespace keel::cli
