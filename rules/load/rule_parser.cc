// Reading rule files: the YAML document, custom event types, and rules.
#include <algorithm>
#include <map>
#include <set>

#include "engine/yaml_load.h"
#include "rules/load/name_pattern.h"
#include "rules/load/rule_loader.h"
#include "rules/load/yaml_values.h"

namespace keel::rules {

namespace {

constexpr std::string_view kRuleFields[] = {"id", "description", "enabled", "on", "if", "then", "scope", "order"};
constexpr std::string_view kRuleListFields[] = {"rules", "events", "calendars"};

void CheckNode(LoadContext& context, const YAML::Node& node, bool rule_level = false);

void CheckMembers(LoadContext& context, const YAML::Node& node, bool rule_level) {
  if (IsUnquotedTemplate(node)) {
    context.Error(NodePosition(node), "a {{ }} template must be quoted (\"{{ ... }}\"): YAML reads an unquoted '{' "
                                      "as the start of a mapping");
    return;
  }
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) CheckNode(context, item);
    return;
  }
  if (!node.IsMap()) return;
  bool list_of_rules = rule_level && IsRuleListDocument(node);
  std::map<std::string, Position> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    Position where = NodePosition(it->first);
    if (!it->first.IsScalar()) {
      context.Error(where, "a key must be a plain string, not " + DescribeNode(it->first));
      continue;
    }
    auto [first, inserted] = seen.emplace(it->first.Scalar(), where);
    if (!inserted) {
      context.Error(where, "duplicate key '" + it->first.Scalar() + "' (first at line " +
                               std::to_string(first->second.line) + ")");
    }
    if (list_of_rules && it->first.Scalar() == "rules" && it->second.IsSequence()) {
      // A copy, not `: it->second`: yaml-cpp's iterator hands out its pair
      // through a temporary, which a range-for would outlive (found by the
      // rule_file fuzzer under AddressSanitizer).
      const YAML::Node rules = it->second;
      for (const YAML::Node& item : rules) CheckNode(context, item, /*rule_level=*/true);
    } else {
      CheckNode(context, it->second);
    }
  }
}

// Duplicate keys, keys that are not strings, unquoted templates. `rule_level`:
// the node may be a rule, whose id then names the problems found in it.
void CheckNode(LoadContext& context, const YAML::Node& node, bool rule_level) {
  std::string outer = context.rule_id();
  if (rule_level && Member(node, "id").IsScalar()) context.set_rule_id(Member(node, "id").Scalar());
  CheckMembers(context, node, rule_level);
  context.set_rule_id(outer);
}

bool Matches(const std::string& text, const char* pattern) { return MatchesWhole(text, pattern); }

// `on`: each entry an event type or a glob over the known types. Sets the
// rule's patterns and the types they select.
bool ReadOn(LoadContext& context, const FieldReader& f, const LoadState& state, Rule* rule) {
  const YAML::Node node = f.Get("on");
  Position where = f.ValuePosition("on");
  if (node.IsMap()) return ReadTimeTrigger(context, node, where, rule);
  if (node.IsSequence() && node.size() == 0) {
    context.Error(where, "on: expected an event type, a glob or a list of them; the list is empty");
    return false;
  }
  std::optional<std::vector<std::string>> patterns = ReadLiteralStrings(context, node, where, "on");
  if (!patterns) return false;
  rule->on = *patterns;
  std::set<std::string> types;
  bool ok = true;
  for (size_t i = 0; i < patterns->size(); ++i) {
    const std::string& pattern = (*patterns)[i];
    Position at = node.IsSequence() ? NodePosition(node[i]) : where;
    if (!Matches(pattern, "[a-z0-9_.*]+")) {
      context.Error(at, "on: '" + pattern + "' is neither an event type nor a glob (lower-case letters, digits, '_', '.', '*')");
      ok = false;
      continue;
    }
    std::vector<std::string> matched = state.catalog.Match(pattern);
    if (matched.empty()) {
      context.Error(at, IsGlob(pattern) ? "on: '" + pattern + "' matches no event type"
                                        : "unknown event type '" + pattern + "'" + DidYouMean(pattern, state.catalog.all()));
      ok = false;
      continue;
    }
    types.insert(matched.begin(), matched.end());
  }
  if (!ok) return false;
  rule->event_types.assign(types.begin(), types.end());
  return true;
}

std::optional<cel::Program> ReadCondition(LoadContext& context, const YAML::Node& node, Position where) {
  std::string expression;
  if (IsStringScalar(node)) {
    expression = node.Scalar();
  } else if (node.IsScalar() && ScalarToJson(node).is_boolean()) {
    expression = node.Scalar() == "true" || node.Scalar() == "True" || node.Scalar() == "TRUE" ? "true" : "false";
  } else {
    context.Error(where, "if: expected a CEL expression (a string), got " + DescribeNode(node));
    return std::nullopt;
  }
  ScalarPositions positions(context.file(), NodePosition(node), expression);
  std::optional<cel::Program> program = CompileExpression(context, positions, expression, 0, expression.size());
  if (!program) return std::nullopt;
  // A condition whose kind is known at load must be a bool: `!` accepts
  // bools and values known only when evaluated.
  bool not_bool = !cel::Compile("!(" + expression + "\n)").ok();
  cel::Activation empty;
  Result<cel::Value> constant = program->Evaluate(empty);
  if (constant.ok() && constant->kind() != cel::Kind::kBool) not_bool = true;
  if (not_bool) {
    context.Error(positions.At(0), "if: the condition must be a bool; this expression yields " +
                                       (constant.ok() ? std::string(cel::KindName(constant->kind())) : "another type"));
    return std::nullopt;
  }
  return program;
}

void ReadScopeAndOrder(LoadContext& context, const FieldReader& f, Rule* rule) {
  if (f.Has("scope")) {
    const YAML::Node node = f.Get("scope");
    auto scope = ReadLiteralStrings(context, node, f.ValuePosition("scope"), "scope");
    if (scope && scope->empty()) {
      context.Error(f.ValuePosition("scope"), "scope: the list is empty; leave scope out to apply the rule to every workspace");
    } else if (scope) {
      for (size_t i = 0; i < scope->size(); ++i) {
        if (!Matches((*scope)[i], "[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
          context.Error(node.IsSequence() ? NodePosition(node[i]) : f.ValuePosition("scope"),
                        "scope: '" + (*scope)[i] + "' is not a workspace name (^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$)");
        }
      }
      std::sort(scope->begin(), scope->end());
      scope->erase(std::unique(scope->begin(), scope->end()), scope->end());
      rule->scope = *std::move(scope);
    }
  }
  if (f.Has("order")) {
    nlohmann::json order = ScalarToJson(f.Get("order"));
    if (!order.is_number_integer()) {
      context.Error(f.ValuePosition("order"), "order: expected an integer, got " + DescribeNode(f.Get("order")));
    } else {
      rule->order = order.get<int64_t>();
    }
  }
}

std::optional<Rule> ReadRule(LoadContext& context, const YAML::Node& node, const LoadState& state) {
  context.set_rule_id("");
  if (Member(node, "id").IsScalar()) context.set_rule_id(Member(node, "id").Scalar());
  size_t errors = context.error_count();
  FieldReader f(context, node, "rule", kRuleFields);
  if (!node.IsMap()) return std::nullopt;
  Rule rule;
  rule.file = context.file().key();
  Position at = f.position();
  if (f.Require("id")) {
    at = f.ValuePosition("id");
    std::optional<std::string> id = ReadLiteralString(context, f.Get("id"), at, "id");
    if (id && !Matches(*id, "[a-z0-9][a-z0-9_.-]*")) {
      context.Error(at, "id: '" + *id + "' is not a rule id (^[a-z0-9][a-z0-9_.-]*$)");
    }
    if (id) rule.id = *id;
  }
  rule.line = at.line;
  rule.col = at.col;
  if (f.Has("description")) {
    if (!IsStringScalar(f.Get("description"))) {
      context.Error(f.ValuePosition("description"), "description: expected a string, got " + DescribeNode(f.Get("description")));
    } else {
      rule.description = f.Get("description").Scalar();
    }
  }
  if (f.Has("enabled")) {
    nlohmann::json enabled = ScalarToJson(f.Get("enabled"));
    if (!enabled.is_boolean()) {
      context.Error(f.ValuePosition("enabled"), "enabled: expected true or false, got " + DescribeNode(f.Get("enabled")));
    } else {
      rule.enabled = enabled.get<bool>();
    }
  }
  ReadScopeAndOrder(context, f, &rule);
  if (f.Require("on")) {
    if (ReadOn(context, f, state, &rule)) {
      if (!rule.time && rule.event_types.size() == state.catalog.all().size()) {
        context.Warning(f.ValuePosition("on"), "on: matches every event type (" + std::to_string(rule.event_types.size()) +
                                                   "), so the rule has no event-type filter and runs for every event, "
                                                   "including the ones rules produce; name the types it needs");
      }
    }
  }
  if (f.Has("if")) {
    rule.condition = ReadCondition(context, f.Get("if"), f.ValuePosition("if"));
    rule.condition_line = f.ValuePosition("if").line;
    rule.condition_col = f.ValuePosition("if").col;
  }
  if (f.Require("then")) {
    const YAML::Node then = f.Get("then");
    if (!then.IsSequence() || then.size() == 0) {
      context.Error(f.ValuePosition("then"), "then: expected a non-empty list of actions, got " +
                                                 (then.IsSequence() ? std::string("an empty list") : DescribeNode(then)));
    } else {
      for (size_t i = 0; i < then.size(); ++i) {
        if (auto action = ReadAction(context, then[i], i, rule, state)) rule.actions.push_back(*std::move(action));
      }
    }
  }
  std::set<std::string> emits;
  for (const Action& action : rule.actions) emits.insert(action.emits.begin(), action.emits.end());
  rule.emits.assign(emits.begin(), emits.end());
  context.set_rule_id("");
  if (context.error_count() != errors) return std::nullopt;
  return rule;
}

}  // namespace

std::optional<YAML::Node> ParseYamlDocument(LoadContext& context) {
  // Duplicate keys are left to CheckNode, which reports every one of them
  // with the rule it is in.
  YamlLimits limits;
  limits.refuse_duplicate_keys = false;
  YamlPlace place;
  Result<std::vector<YAML::Node>> loaded = LoadYaml(context.file().text(), limits, &place);
  if (!loaded.ok()) {
    context.Error(place.line > 0 ? Position{place.line, place.col} : Position{1, 1}, loaded.status().message());
    return std::nullopt;
  }
  std::vector<YAML::Node> documents = *std::move(loaded);
  if (documents.empty() || (documents.size() == 1 && documents[0].IsNull())) {
    context.Error({1, 1}, "the file holds no YAML document");
    return std::nullopt;
  }
  if (documents.size() > 1) {
    context.Error(NodePosition(documents[1]), "one YAML document per file; this is document 2 of " +
                                                  std::to_string(documents.size()));
    return std::nullopt;
  }
  CheckNode(context, documents[0], /*rule_level=*/true);
  return documents[0];
}

bool IsRuleListDocument(const YAML::Node& root) {
  return root.IsMap() && !Member(root, "id").IsDefined() &&
         (Member(root, "rules").IsDefined() || Member(root, "events").IsDefined() ||
          Member(root, "calendars").IsDefined());
}

std::vector<EventDeclaration> ReadEventDeclarations(LoadContext& context, const YAML::Node& root) {
  std::vector<EventDeclaration> out;
  if (!IsRuleListDocument(root) || !Member(root, "events").IsDefined()) return out;
  const YAML::Node events = Member(root, "events");
  if (!events.IsMap()) {
    context.Error(NodePosition(events), "events: expected a mapping of event type to the JSON Schema of its data, got " +
                                            DescribeNode(events));
    return out;
  }
  for (auto it = events.begin(); it != events.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string& type = it->first.Scalar();
    Position where = NodePosition(it->first);
    if (!IsValidEventTypeName(type)) {
      context.Error(where, "events: '" + type + "' is not an event type name (^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$)");
      continue;
    }
    if (!it->second.IsMap()) {
      context.Error(ValuePosition(it->first, it->second),
                    "events." + type + ": expected the JSON Schema of the event's data (a mapping), got " + DescribeNode(it->second));
      continue;
    }
    out.push_back({type, NodeToJson(it->second), where});
  }
  return out;
}

void ReadRules(LoadContext& context, const YAML::Node& root, const LoadState& state, std::vector<Rule>* rules) {
  if (!root.IsMap()) {
    context.Error(NodePosition(root), "a rules file holds one rule (a mapping with id:), or rules: [...] and/or "
                                      "events: {...}; got " + DescribeNode(root));
    return;
  }
  if (!IsRuleListDocument(root)) {
    if (auto rule = ReadRule(context, root, state)) rules->push_back(*std::move(rule));
    return;
  }
  FieldReader f(context, root, "rules file", kRuleListFields);
  if (!f.Has("rules")) return;
  YAML::Node list = f.Get("rules");
  if (!list.IsSequence()) {
    context.Error(f.ValuePosition("rules"), "rules: expected a list of rules, got " + DescribeNode(list));
    return;
  }
  for (const YAML::Node& item : list) {
    if (auto rule = ReadRule(context, item, state)) rules->push_back(*std::move(rule));
  }
}

}  // namespace keel::rules
