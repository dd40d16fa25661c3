// ValueTemplate: a value from a rule or template file whose strings may hold
// {{ CEL }} templates, compiled once at load.
//
//   "{{ entity.budget }}"          one template and nothing else: the value keeps
//                                  the expression's type (here a number)
//   "Brief for {{ entity.title }}" text around templates: a string; results that
//                                  are not strings are written as JSON text
//   [a, "{{ x }}"], {k: "{{ x }}"} lists and mappings: each member on its own
//
// Evaluate returns plain JSON data. What an expression produces is inserted as
// data and never scanned for templates again: a title that evaluates to
// "{{ x }}" stays the text "{{ x }}". To write "{{" literally, write
// {{ "{{" }}.
//
// Cheap to copy (the compiled form is shared); safe for concurrent use without
// external synchronization.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/status.h"
#include "rules/cel/cel.h"

namespace keel::rules {

class ValueTemplate {
 public:
  ValueTemplate();  // the literal null
  static ValueTemplate Literal(nlohmann::json value);
  // Compiles the templates in the strings of `value` (programmatic use and
  // tests). Errors are InvalidArgument "<json path>: <offset>: <message>".
  static Result<ValueTemplate> Parse(const nlohmann::json& value, const cel::CompileOptions& options = {});

  // True when no string holds a template.
  bool is_literal() const;
  // The literal value. REQUIRES: is_literal().
  const nlohmann::json& literal() const;
  // True when the whole value is one {{ expression }} (it keeps its type).
  bool is_single_expression() const;
  // The value when it cannot depend on the event: a literal, or templates of
  // constants only (`{{ 1 + 2 }}`), computed at load.
  const std::optional<nlohmann::json>& constant() const;

  // For a mapping: the members whose values are constant, as an object
  // (empty for anything else).
  nlohmann::json ConstantMembers() const;

  // The value for one evaluation. An expression's error is returned with the
  // place of the template in its file, when known.
  Result<nlohmann::json> Evaluate(const cel::Activation& activation,
                                  const cel::EvalOptions& options = {}) const;

  struct Node;  // value_template.cc
  explicit ValueTemplate(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  const Node& root() const { return *root_; }

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace keel::rules
