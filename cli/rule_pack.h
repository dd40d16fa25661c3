// Rule folders on the command line: a rules folder (with --templates), or a
// pack folder holding rules/ and templates/.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "engine/schema/schema_registry.h"
#include "engine/status.h"
#include "rules/ruleset.h"

namespace keel::cli {

struct RulePackPaths {
  std::string rules;
  std::string templates;  // empty: none
};

// DIR/rules and DIR/templates when DIR is a pack; else DIR and `templates`.
RulePackPaths ResolveRulePack(const std::string& dir, const std::string& templates);

// Loads the rule set. When it has errors, prints each (file:line:col, caret)
// to stderr and returns InvalidArgument "the rule set has N errors".
Result<rules::RuleSet> LoadRuleSetForRun(const RulePackPaths& paths);

}  // namespace keel::cli
