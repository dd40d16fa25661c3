// keel state KIND/ID --db DIR [--as-of SEQ|TIME]: an entity's state.
#include <iostream>

#include "cli/log_access.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/commands.h"
#include "cli/terminal_text.h"
#include "engine/canonical_json.h"
#include "engine/log/projection.h"

namespace keel::cli {
namespace {

struct StateFlags {
  std::string entity;
  std::string db;
  std::string as_of;
  std::string workspace;
  bool json = false;
};

void PrintState(const EntityRef& entity, const std::string& workspace, const EntityState& state, bool json) {
  if (json) {
    std::cout << state.ToCanonical() << "\n";
    return;
  }
  std::cout << TerminalText(entity.ToString()) << " in " << TerminalText(workspace) << ", version "
            << state.version() << "\n";
  size_t width = 0;
  for (const auto& [name, value] : state.fields()) width = std::max(width, name.size());
  for (const auto& [name, value] : state.fields()) {
    if (name == "id" || name == "kind" || name == "workspace" || name == "version") continue;
    std::string shown = IsJsonString(value) ? DecodeJsonString(value) : std::string(value);
    std::cout << "  " << TerminalText(name) << std::string(width - name.size() + 2, ' ') << TerminalText(shown)
              << "\n";
  }
}

int RunState(const StateFlags& flags) {
  auto entity = ParseEntityArgument(flags.entity);
  if (!entity.ok()) return ReportError("state", entity.status());
  AsOf as_of;
  if (!flags.as_of.empty()) {
    auto parsed = ParseAsOf(flags.as_of);
    if (!parsed.ok()) return ReportError("state", parsed.status());
    as_of = *parsed;
  }
  auto log = OpenLogForReading(flags.db);
  if (!log.ok()) return ReportError("state", log.status());
  auto workspace = ResolveWorkspace(**log, *entity, flags.workspace);
  if (!workspace.ok()) return ReportError("state", workspace.status());
  Result<std::optional<EntityState>> state =
      flags.as_of.empty() ? (*log)->GetEntity(*workspace, *entity) : StateAsOf(**log, *workspace, *entity, as_of);
  if (!state.ok()) return ReportError("state", state.status());
  if (!state->has_value()) {
    std::string when = flags.as_of.empty() ? "" : " as of " + flags.as_of;
    return ReportError("state", Status::NotFound(entity->ToString() + " has no state in workspace '" +
                                                 *workspace + "'" + when));
  }
  PrintState(*entity, *workspace, **state, flags.json);
  return kExitOk;
}

}  // namespace

void AddStateCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<StateFlags>();
  CLI::App* command = app.add_subcommand("state", "Print an entity's current state, or its state as of an "
                                                  "earlier sequence number or time");
  command->add_option("entity", flags->entity, "KIND/ID, for example task/T-7")->required();
  AddDbOption(command, &flags->db);
  command->add_option("--as-of", flags->as_of, "A sequence number or an RFC 3339 time")
      ->check(CLI::Validator(
          [](const std::string& text) {
            auto parsed = ParseAsOf(text);
            return parsed.ok() ? std::string() : parsed.status().message();
          },
          "SEQ|TIME"));
  command->add_option("--workspace", flags->workspace, "The entity's workspace (needed when several have it)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunState(*flags); });
}

}  // namespace keel::cli
