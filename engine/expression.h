// Expressions for hosts below rules/: connectors/webhooks' mapping files
// compile CEL expressions and "{{ }}" templates through this interface, and
// rules/expressions.h implements it with keel's CEL (connectors may not include
// rules/; server/ and cli/ hand the implementation down).
//
//   compiler.Compile("body.action == 'opened'", ExpressionForm::kCel, {"headers", "body"}, &error)
//   scope = compiler.NewScope();
//   scope->BindJsonText("body", raw_body);   // parsed once, straight into the evaluator's values
//   expression->Evaluate(*scope)             // -> JSON
//
// A compiled Expression is immutable and safe for concurrent use; a scope
// belongs to one evaluation at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/status.h"

namespace keel {

// Who a tool's identity is in keel: the people file of one workspace. The
// `person(tool, identity)` function reads it, and `identity(tool, user_id)`
// the other way. Must be safe for concurrent use.
class PeopleDirectory {
 public:
  virtual ~PeopleDirectory() = default;
  // The keel user id (without "user:") of `identity` in `tool` ("jira",
  // "github", "email", ...), or nullopt when the file does not know it.
  virtual std::optional<std::string_view> Find(std::string_view tool, std::string_view identity) const = 0;
  // The reverse, for `identity(tool, user_id)`: the identity in `tool` of the
  // keel user `user_id` (without "user:"), the first the file lists for that
  // tool, or nullopt when it lists none.
  virtual std::optional<std::string_view> IdentityOf(std::string_view tool, std::string_view user_id) const {
    (void)tool;
    (void)user_id;
    return std::nullopt;
  }
};

// How the text of an expression is read.
enum class ExpressionForm {
  kCel,       // a bare CEL expression: `body.action == "opened"`
  kTemplate,  // text that may hold "{{ CEL }}": "{{ x }}" alone keeps x's type; text around it interpolates
};

// A compile error, placed inside the expression's text (1-based; a template's
// place counts from the first character of the whole template).
struct ExpressionError {
  int line = 1;
  int column = 1;
  std::string message;
};

// Which parts of a JSON variable some expressions can read, worked out by the
// evaluator (ExpressionCompiler::SelectionOf) so a scope builds values for
// those parts only. Opaque; immutable.
class JsonSelection {
 public:
  virtual ~JsonSelection() = default;
};

class Expression;

// The named values of one evaluation. Reuse it for the next delivery after
// Clear() (or by binding the same names again).
class ExpressionScope {
 public:
  virtual ~ExpressionScope() = default;
  virtual void BindJson(std::string_view name, const nlohmann::json& value) = 0;
  // JSON text bound as its value, without building a JSON tree first (the
  // fast way for a delivery's body). InvalidArgument when it is not JSON.
  virtual Status BindJsonText(std::string_view name, std::string_view text) = 0;
  // The same, keeping only what `selection` (of this evaluator; nullptr: all)
  // says the expressions can read: the other members are absent.
  virtual Status BindJsonText(std::string_view name, std::string_view text, const JsonSelection* selection) = 0;
  virtual void BindString(std::string_view name, std::string_view value) = 0;
  // A map of strings to strings (a delivery's headers).
  virtual void BindStringMap(std::string_view name, std::span<const std::pair<std::string, std::string>> entries) = 0;
  virtual void BindInt(std::string_view name, int64_t value) = 0;
  // Binds `name` to element `index` of the list bound as `list` (see
  // Expression::EvaluateList). REQUIRES: index < the list's size.
  virtual void BindListItem(std::string_view name, std::string_view list, size_t index) = 0;
  virtual void Unbind(std::string_view name) = 0;
  // What person() reads; nullptr: nobody is known (person() gives TOOL:IDENTITY).
  // Not owned; must outlive the evaluations.
  virtual void SetPeople(const PeopleDirectory* people) = 0;
  virtual void Clear() = 0;
};

// A compiled expression or template. Evaluation errors are InvalidArgument
// (or ResourceExhausted past the evaluator's limits) with a message that says
// what went wrong ("no such key: title") and no place: the host names its place.
class Expression {
 public:
  virtual ~Expression() = default;
  virtual Result<nlohmann::json> Evaluate(const ExpressionScope& scope) const = 0;
  // The value must be a bool.
  virtual Result<bool> EvaluateBool(const ExpressionScope& scope) const = 0;
  // Evaluates and binds the value as `name` in the evaluator's own form (no
  // round trip through JSON): a mapping's `let`. An evaluation error is bound
  // as an error that fails the expressions reading `name` ("NAME: message"),
  // not this call; only a resource limit fails it.
  virtual Status EvaluateInto(ExpressionScope& scope, std::string_view name) const = 0;
  // The value must be a list (null reads as the empty list): binds it as
  // `name` and returns its size, for BindListItem.
  virtual Result<size_t> EvaluateList(ExpressionScope& scope, std::string_view name) const = 0;
  // The value when it depends on no variable (a literal, `{{ 'a' + 'b' }}`).
  virtual const std::optional<nlohmann::json>& constant() const = 0;
  virtual std::string_view text() const = 0;
};

class ExpressionCompiler {
 public:
  virtual ~ExpressionCompiler() = default;
  // Compiles `text`, which may read only `variables` (and the evaluator's
  // functions). InvalidArgument on a syntax error or an undeclared name, with
  // `*error` (when given) placing it in `text`.
  virtual Result<std::shared_ptr<const Expression>> Compile(std::string_view text, ExpressionForm form,
                                                            std::span<const std::string> variables,
                                                            ExpressionError* error = nullptr) const = 0;
  virtual std::unique_ptr<ExpressionScope> NewScope() const = 0;
  // What of variable `name` `expressions` can read, where `aliases` (in order)
  // are names bound to expressions over it (a mapping's lets, which are also
  // read). nullptr when that is all of it, or cannot be told.
  virtual std::shared_ptr<const JsonSelection> SelectionOf(
      std::string_view name, std::span<const Expression* const> expressions,
      std::span<const std::pair<std::string, const Expression*>> aliases) const = 0;
};

}  // namespace keel
