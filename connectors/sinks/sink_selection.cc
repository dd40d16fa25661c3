#include "connectors/sinks/sink_selection.h"

#include <algorithm>

#include "connectors/sinks/event_text.h"

namespace keel::sinks {

bool IsTypePattern(std::string_view pattern) {
  if (pattern == "*") return true;
  std::string_view name = pattern.ends_with(".*") ? pattern.substr(0, pattern.size() - 2) : pattern;
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

bool TypeMatches(std::string_view pattern, std::string_view type) {
  if (pattern == "*") return true;
  if (pattern.ends_with(".*")) return type.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == type;
}

Result<std::unique_ptr<SinkSelection>> SinkSelection::Create(std::string_view sink, SelectionOptions options,
                                                             const ExpressionCompiler* compiler) {
  for (const std::string& pattern : options.types) {
    if (!IsTypePattern(pattern)) {
      return Status::InvalidArgument("sink " + std::string(sink) + ": types: '" + pattern +
                                     "' is neither an event type nor KIND.* (like task.*)");
    }
  }
  std::shared_ptr<const Expression> condition;
  std::unique_ptr<ExpressionScope> scope;
  if (!options.condition.empty()) {
    if (compiler == nullptr) {
      return Status::InvalidArgument("sink " + std::string(sink) + ": `if` needs an expression compiler");
    }
    static const std::string kVariables[] = {"event"};
    ExpressionError error;
    auto compiled = compiler->Compile(options.condition, ExpressionForm::kCel, kVariables, &error);
    if (!compiled.ok()) {
      return Status::InvalidArgument("sink " + std::string(sink) + ": if: " + std::to_string(error.line) + ":" +
                                     std::to_string(error.column) + ": " + error.message);
    }
    condition = std::move(compiled).value();
    scope = compiler->NewScope();
  }
  return std::unique_ptr<SinkSelection>(new SinkSelection(std::move(options), std::move(condition), std::move(scope)));
}

bool SinkSelection::MatchesType(std::string_view type) const {
  if (options_.types.empty()) return true;
  return std::any_of(options_.types.begin(), options_.types.end(),
                     [&](const std::string& pattern) { return TypeMatches(pattern, type); });
}

bool SinkSelection::Selects(const StoredEvent& stored, std::string* failed) {
  failed->clear();
  const Event& event = stored.event;
  if (event.workspace == kSystemWorkspace) return false;  // ruleset.activated is the engine's own
  // A caused event is the engine's: derived by a rule, or a timer.fired.
  if (!options_.inputs_too && event.causation_id.empty()) return false;
  if (!MatchesType(event.type)) return false;
  if (condition_ == nullptr) return true;
  if (Status bound = scope_->BindJsonText(kEventVar, StoredEventJson(stored)); !bound.ok()) {
    *failed = bound.message();
    return false;
  }
  Result<bool> selected = condition_->EvaluateBool(*scope_);
  if (!selected.ok()) {
    *failed = selected.status().message();
    return false;
  }
  return *selected;
}

}  // namespace keel::sinks
