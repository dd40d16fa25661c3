// The keel subcommands. Each Add*Command registers itself on `app` and, when
// chosen, stores its exit code in `*exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace keel::cli {

void AddIngestCommand(CLI::App& app, int* exit_code);
void AddLogCommand(CLI::App& app, int* exit_code);
void AddStateCommand(CLI::App& app, int* exit_code);
void AddVerifyCommand(CLI::App& app, int* exit_code);
void AddBenchCommand(CLI::App& app, int* exit_code);
void AddRulesCommand(CLI::App& app, int* exit_code);
void AddRunCommand(CLI::App& app, int* exit_code);
void AddHistoryCommand(CLI::App& app, int* exit_code);
void AddExportCommand(CLI::App& app, int* exit_code);
void AddReplayCommand(CLI::App& app, int* exit_code);
void AddWhatIfCommand(CLI::App& app, int* exit_code);
void AddExplainCommand(CLI::App& app, int* exit_code);
void AddServeCommand(CLI::App& app, int* exit_code);
void AddDeliveriesCommand(CLI::App& app, int* exit_code);
void AddMapCommand(CLI::App& app, int* exit_code);
void AddMappingsCommand(CLI::App& app, int* exit_code);
void AddApiCommand(CLI::App& app, int* exit_code);

}  // namespace keel::cli
