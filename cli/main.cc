// keel: the command line. The one place that knows engine/, rules/ and
// connectors/ and wires them together.
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/report.h"
#include "cli/commands.h"
#include "cli/terminal_text.h"

namespace {

// CLI11 answers both `keel nosuchcmd` and `keel` with "A subcommand is
// required". Follows the command words of `argv` down the command tree and,
// where a command is needed, says which word is not one, or that one is
// missing, and lists the commands there are. Nothing when the words are
// right or an option comes first (CLI11 handles those).
std::optional<std::string> CommandWordProblem(CLI::App& app, int argc, char** argv) {
  CLI::App* current = &app;
  std::string path = "keel";
  for (int i = 1;; ++i) {
    std::vector<CLI::App*> commands = current->get_subcommands([](CLI::App*) { return true; });
    if (commands.empty()) return std::nullopt;
    std::string names;
    for (CLI::App* command : commands) names += (names.empty() ? "" : ", ") + command->get_name();
    if (i == argc) return path + ": error: a command is required; the commands are: " + names;
    std::string word = argv[i];
    if (word.empty() || word[0] == '-') return std::nullopt;
    auto named = std::find_if(commands.begin(), commands.end(), [&](CLI::App* c) { return c->check_name(word); });
    if (named == commands.end()) {
      return path + ": error: unknown command '" + keel::cli::TerminalText(word) + "'; the commands are: " + names;
    }
    current = *named;
    path += " " + word;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"keel: an event-sourced automation rules engine for work management"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Print help for every command");
  int exit_code = keel::cli::kExitOk;
  keel::cli::AddIngestCommand(app, &exit_code);
  keel::cli::AddLogCommand(app, &exit_code);
  keel::cli::AddStateCommand(app, &exit_code);
  keel::cli::AddVerifyCommand(app, &exit_code);
  keel::cli::AddBenchCommand(app, &exit_code);
  keel::cli::AddRulesCommand(app, &exit_code);
  keel::cli::AddRunCommand(app, &exit_code);
  keel::cli::AddHistoryCommand(app, &exit_code);
  keel::cli::AddExportCommand(app, &exit_code);
  keel::cli::AddReplayCommand(app, &exit_code);
  keel::cli::AddWhatIfCommand(app, &exit_code);
  keel::cli::AddExplainCommand(app, &exit_code);
  keel::cli::AddServeCommand(app, &exit_code);
  keel::cli::AddDeliveriesCommand(app, &exit_code);
  keel::cli::AddMapCommand(app, &exit_code);
  keel::cli::AddMappingsCommand(app, &exit_code);
  keel::cli::AddApiCommand(app, &exit_code);
  if (std::optional<std::string> problem = CommandWordProblem(app, argc, argv)) {
    std::cerr << *problem << "\nRun with --help or --help-all for more information.\n";
    return keel::cli::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return keel::cli::kExitUsage;
  }
  return exit_code;
}
