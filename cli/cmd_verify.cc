// keel verify --db DIR: recompute the hash chain, check indexes, projections and rule sets.
#include <iostream>

#include "cli/json_output.h"
#include "cli/log_access.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/commands.h"
#include "cli/terminal_text.h"
#include "engine/log/durable_head.h"
#include "engine/audit/verify.h"

namespace keel::cli {
namespace {

struct VerifyFlags {
  std::string db;
  bool json = false;
};

void PrintReport(const VerifyReport& report, bool json) {
  if (json) {
    nlohmann::ordered_json first_bad = report.first_bad_seq ? nlohmann::ordered_json(*report.first_bad_seq) : nlohmann::ordered_json();
    PrintJson({{"ok", report.ok()},
               {"events", report.events},
               {"first_bad_seq", first_bad},
               {"problems", report.problems}});
    return;
  }
  if (report.ok()) {
    std::cout << "ok: " << report.events << " events; hash chain, indexes, projections and rule sets verified\n";
    return;
  }
  std::cout << "FAILED: " << report.problems.size() << " problem(s) in " << report.events << " events\n";
  if (report.first_bad_seq) std::cout << "first bad seq: " << *report.first_bad_seq << "\n";
  for (const auto& problem : report.problems) std::cout << "  " << TerminalText(problem) << "\n";
}

int RunVerify(const VerifyFlags& flags) {
  auto log = OpenLogForReading(flags.db);
  if (!log.ok()) return ReportError("verify", log.status());
  Progress progress("verify");
  VerifyOptions options;
  options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
  auto report = VerifyLog(**log, options);
  if (!report.ok()) return ReportError("verify", report.status());
  // A damaged write-ahead log or MANIFEST can leave a shorter log whose
  // chain is whole: the head once acknowledged as durable says so.
  if (auto problem = CheckDurableHead(**log, flags.db)) report->problems.push_back("durable head: " + *problem);
  PrintReport(*report, flags.json);
  return report->ok() ? kExitOk : kExitFailed;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* command = app.add_subcommand(
      "verify", "Recompute the hash chain and check the indexes, projections and stored rule sets; names the "
                "first sequence number that does not match and exits 1 on any problem");
  AddDbOption(command, &flags->db);
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunVerify(*flags); });
}

}  // namespace keel::cli
