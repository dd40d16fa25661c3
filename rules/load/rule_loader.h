// The pieces of RuleSet::Load: reading rule files, actions and templates from
// parsed YAML, and the checks that need the whole set. Internal to rules/.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "engine/schema/schema_registry.h"
#include "rules/calendar.h"
#include "rules/event_types.h"
#include "rules/load/load_context.h"
#include "rules/ruleset.h"

namespace keel::rules {

// What reading the files of one rule set shares.
struct LoadState {
  explicit LoadState(std::vector<std::string> builtin_types) : catalog(std::move(builtin_types)) {}
  EventTypeCatalog catalog;
  // The schemas with the custom types added: candidate events are checked here.
  const SchemaRegistry* registry = nullptr;
  std::map<std::string, const TaskTemplate*, std::less<>> templates;
  bool has_templates = false;  // whether a templates folder was given
};

// A custom event type declared under `events:`.
struct EventDeclaration {
  std::string type;
  nlohmann::json data_schema;
  Position position;
};

// Parses a file's text into one YAML document; syntax errors are reported
// with their place. Also reports duplicate keys, keys that are not scalars and
// unquoted {{ }} templates (which YAML reads as nested mappings).
std::optional<YAML::Node> ParseYamlDocument(LoadContext& context);

// A rules file is one rule, or a mapping with `rules:` (a list of rules)
// and/or `events:` (custom event types).
bool IsRuleListDocument(const YAML::Node& root);
std::vector<EventDeclaration> ReadEventDeclarations(LoadContext& context, const YAML::Node& root);
void ReadRules(LoadContext& context, const YAML::Node& root, const LoadState& state, std::vector<Rule>* rules);
std::optional<Action> ReadAction(LoadContext& context, const YAML::Node& node, size_t index, const Rule& rule,
                                 const LoadState& state);
std::optional<TaskTemplate> ReadTemplate(LoadContext& context, const YAML::Node& root);

// `on:` written as a mapping (time_trigger_parser.cc): sets rule->time and
// rule->event_types. REQUIRES: the rule's scope was read.
bool ReadTimeTrigger(LoadContext& context, const YAML::Node& node, Position where, Rule* rule);

// A business calendar declared under `calendars:`.
struct CalendarDeclaration {
  std::string workspace;  // or "*"
  std::shared_ptr<const WorkspaceCalendar> calendar;
  Position position;
};
std::vector<CalendarDeclaration> ReadCalendars(LoadContext& context, const YAML::Node& root);

// Warnings for an action whose event, built from its constant values, the
// event schemas refuse (it can never validate).
void CheckActionCandidates(LoadContext& context, const Action& action, const Rule& rule, const LoadState& state,
                           const std::map<std::string, Position>& field_positions);
// The event types an action can produce.
std::vector<std::string> EmittedTypes(const Action& action, const Rule& rule, const EventTypeCatalog& catalog);

// Checks a document against rules/ or templates/ JSON Schema (valijson) and
// reports what fails at the YAML place of the failing JSON path.
void CheckAgainstSchema(LoadContext& context, const YAML::Node& root, bool is_template);

}  // namespace keel::rules

namespace keel::rules {
// Each action's name and fields (name, required), as the loader reads them;
// tests compare it with schemas/rule.schema.json.
std::vector<std::pair<std::string, std::vector<std::pair<std::string, bool>>>> ActionFieldTable();
}  // namespace keel::rules
