// keel: the command line. The one place that knows engine/, rules/ and
// connectors/ and wires them together.
#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"

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
