// keel's CEL behind engine/expression.h: what server/ and cli/ hand to
// connectors/webhooks so mapping files evaluate with the same language,
// functions and limits as rules. Templates are rules' "{{ }}" templates.
#pragma once

#include <memory>

#include "engine/expression.h"
#include "rules/cel/cel.h"

namespace keel::rules {

// The CEL implementation of ExpressionCompiler. Stateless; safe for concurrent use.
class CelExpressionCompiler final : public ExpressionCompiler {
 public:
  explicit CelExpressionCompiler(cel::EvalOptions options = {}) : options_(options) {}
  Result<std::shared_ptr<const Expression>> Compile(std::string_view text, ExpressionForm form,
                                                    std::span<const std::string> variables,
                                                    ExpressionError* error = nullptr) const override;
  std::unique_ptr<ExpressionScope> NewScope() const override;
  std::shared_ptr<const JsonSelection> SelectionOf(
      std::string_view name, std::span<const Expression* const> expressions,
      std::span<const std::pair<std::string, const Expression*>> aliases) const override;

 private:
  cel::EvalOptions options_;
};

// The one compiler a process needs.
const ExpressionCompiler& CelExpressions();

}  // namespace keel::rules
