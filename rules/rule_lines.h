// A rule's own lines in its file: what `keel explain` and the API's rules
// page show as the rule's source.
#pragma once

#include <optional>
#include <string>

#include "rules/ruleset.h"

namespace keel::rules {

struct RuleLines {
  std::string file;  // the source key: "rules/kickoff.yaml"
  int first_line = 0, last_line = 0;
  std::string text;  // those lines, each ending in '\n'
};

// From the rule's `id` to the line before the next rule of the same file,
// blank lines at the end left out; nullopt when the set holds no source for
// the rule's file.
std::optional<RuleLines> LinesOfRule(const RuleSet& set, const Rule& rule);

}  // namespace keel::rules
