// What a loaded RuleSet holds. Internal to rules/.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rules/calendar.h"
#include "rules/ruleset.h"

namespace keel::rules {

struct TypeNameHash {
  using is_transparent = void;
  size_t operator()(std::string_view name) const { return std::hash<std::string_view>()(name); }
};

struct RuleSet::Data {
  std::string hash;
  RuleSetSources sources;
  std::vector<Rule> rules;  // by order, then id; never resized after the index is built
  std::map<std::string, std::unique_ptr<TaskTemplate>, std::less<>> templates;
  // Event type -> the enabled rules listening to it, by order then id. Globs
  // are resolved against the known types at load, so a lookup is one probe.
  std::unordered_map<std::string, std::vector<const Rule*>, TypeNameHash, std::equal_to<>> index;
  std::map<std::string, nlohmann::json> custom_event_types;
  std::vector<std::string> event_types;
  std::vector<Diagnostic> warnings;
  std::vector<const Rule*> time_rules;  // enabled due/overdue/schedule rules, by order then id
  std::map<std::string, std::shared_ptr<const WorkspaceCalendar>, std::less<>> calendars;  // "*": the default
};

}  // namespace keel::rules
