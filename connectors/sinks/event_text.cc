#include "connectors/sinks/event_text.h"

#include <array>

namespace keel::sinks {

std::string StoredEventJson(const StoredEvent& stored) {
  const std::string& canonical = stored.event.canonical;
  std::string json(canonical, 0, canonical.empty() ? 0 : canonical.size() - 1);  // without the closing '}'
  json.append(json.size() > 1 ? ",\"seq\":" : "\"seq\":").append(std::to_string(stored.seq)).push_back('}');
  return json;
}

Result<EventTextTemplate> EventTextTemplate::Compile(std::string_view text, const ExpressionCompiler& compiler) {
  static const std::array<std::string, 1> kVariables = {std::string(kEventVar)};
  ExpressionError error;
  auto expression = compiler.Compile(text, ExpressionForm::kTemplate, kVariables, &error);
  if (!expression.ok()) {
    return Status::InvalidArgument(std::to_string(error.line) + ":" + std::to_string(error.column) + ": " +
                                   error.message);
  }
  return EventTextTemplate(&compiler, std::move(*expression));
}

Result<std::string> EventTextTemplate::Render(const StoredEvent& event) const {
  std::unique_ptr<ExpressionScope> scope = compiler_->NewScope();
  KEEL_RETURN_IF_ERROR(scope->BindJsonText(kEventVar, StoredEventJson(event)));
  KEEL_ASSIGN_OR_RETURN(nlohmann::json value, expression_->Evaluate(*scope));
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return Status::InvalidArgument("the text template gave null");
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace keel::sinks
