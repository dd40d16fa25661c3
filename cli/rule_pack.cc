#include "cli/rule_pack.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/terminal_text.h"
#include "engine/json_time.h"

namespace keel::cli {

RulePackPaths ResolveRulePack(const std::string& dir, const std::string& templates) {
  RulePackPaths paths{dir, templates};
  std::error_code error;
  std::filesystem::path folder(dir);
  if (!std::filesystem::is_directory(folder / "rules", error)) return paths;
  if (paths.templates.empty() && std::filesystem::is_directory(folder / "templates", error)) {
    paths.templates = (folder / "templates").generic_string();
  }
  paths.rules = (folder / "rules").generic_string();
  return paths;
}

Result<rules::RuleSet> LoadRuleSetForRun(const RulePackPaths& paths) {
  std::vector<rules::Diagnostic> diagnostics;
  Result<rules::RuleSet> set = rules::RuleSet::Load(paths.rules, paths.templates, {}, &diagnostics);
  if (set.ok()) return set;
  size_t errors = 0;
  for (const rules::Diagnostic& d : diagnostics) {
    if (d.severity != rules::Severity::kError) continue;
    std::cerr << TerminalLines(rules::FormatDiagnostic(d)) << "\n";
    ++errors;
  }
  if (errors == 0) return set.status();
  return Status::InvalidArgument("the rule set has " + std::to_string(errors) + (errors == 1 ? " error" : " errors") +
                                 " (shown above; keel rules check lists them too)");
}

}  // namespace keel::cli
