// What loading one file needs: the file, where problems go, and helpers that
// read YAML nodes into checked values, reporting every problem with its place.
// Internal to rules/.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "rules/cel/cel.h"
#include "rules/diagnostic.h"
#include "rules/load/source_file.h"
#include "rules/value_template.h"

namespace keel::rules {

class LoadContext {
 public:
  LoadContext(const SourceFile& file, std::vector<Diagnostic>* diagnostics)
      : file_(file), diagnostics_(diagnostics) {}

  const SourceFile& file() const { return file_; }
  // The rule the next problems are about ("" for none).
  void set_rule_id(std::string rule_id) { rule_id_ = std::move(rule_id); }
  const std::string& rule_id() const { return rule_id_; }

  void Error(Position position, std::string message) { Add(Severity::kError, position, std::move(message)); }
  void Warning(Position position, std::string message) { Add(Severity::kWarning, position, std::move(message)); }
  size_t error_count() const { return errors_; }

 private:
  void Add(Severity severity, Position position, std::string message);

  const SourceFile& file_;
  std::vector<Diagnostic>* diagnostics_;
  std::string rule_id_;
  size_t errors_ = 0;
};

// "; did you mean 'x'?" when one of `candidates` is close to `word`, else "".
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates);
std::string DidYouMean(std::string_view word, std::span<const std::string> candidates);

// The members of a YAML mapping, checked against the fields a construct knows:
// an unknown field is an error at its key (with a suggestion).
class FieldReader {
 public:
  // `construct` names the mapping in messages: "rule", "create_task", ...
  // Missing fields are reported at `anchor` when given, else at the mapping.
  FieldReader(LoadContext& context, const YAML::Node& map, std::string construct,
              std::span<const std::string_view> fields, Position anchor = {});

  bool Has(std::string_view name) const { return Find(name) != nullptr; }
  // The value, or an undefined node when the field is absent.
  YAML::Node Get(std::string_view name) const;
  Position KeyPosition(std::string_view name) const;
  Position ValuePosition(std::string_view name) const;
  // Reports "missing required field" at the mapping; false when absent.
  bool Require(std::string_view name) const;
  const std::string& construct() const { return construct_; }
  Position position() const { return position_; }

 private:
  const std::pair<YAML::Node, YAML::Node>* Find(std::string_view name) const;

  LoadContext& context_;
  std::string construct_;
  Position position_;
  Position anchor_;
  std::vector<std::pair<YAML::Node, YAML::Node>> members_;
};

// Compiles the CEL expression at bytes [begin, end) of a string scalar's
// decoded value; an error is reported at its place in the file, with a caret.
std::optional<cel::Program> CompileExpression(LoadContext& context, const ScalarPositions& positions,
                                              std::string_view decoded, size_t begin, size_t end);

// A value that may hold {{ }} templates, compiled.
std::optional<ValueTemplate> ReadValue(LoadContext& context, const YAML::Node& node);
// A string written literally (no templates): ids, names, types.
std::optional<std::string> ReadLiteralString(LoadContext& context, const YAML::Node& node, Position where,
                                             std::string_view what);
// A string, or a list of strings, written literally.
std::optional<std::vector<std::string>> ReadLiteralStrings(LoadContext& context, const YAML::Node& node,
                                                           Position where, std::string_view what);

// The file's place for a string value's template "{{" at `offset`, or the
// node's place.
Position PlaceInString(LoadContext& context, const YAML::Node& node, size_t offset);

}  // namespace keel::rules
