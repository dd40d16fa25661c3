// How a ValueTemplate's tree is built from strings: "{{ }}" split out of
// text, each expression compiled by the caller, constant members folded.
// Shared by the JSON parser (rules/value_template.cc) and the rule-file reader
// (rules/load/value_template_reader.cc). Internal to rules/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/cel/cel.h"
#include "rules/diagnostic.h"
#include "rules/value_template.h"

namespace keel::rules {

// One piece of a string: literal text, or a compiled expression.
struct TextPart {
  std::string text;
  std::optional<cel::Program> program;
  // Where the expression starts, for errors at evaluation: the file ("" when
  // parsed from JSON) and the place of its first character.
  std::string file;
  Position start;
  std::optional<nlohmann::json> constant;
};

struct ValueTemplate::Node {
  enum class Type : uint8_t { kLiteral, kExpression, kText, kList, kMap };
  Type type = Type::kLiteral;
  nlohmann::json literal;                          // kLiteral
  std::vector<TextPart> parts;                     // kExpression (one), kText
  // kList: the items. kMap: the members' values, in file order, with their
  // keys in `keys` (two vectors, not pairs: a pair of an incomplete Node
  // inside Node is more than clang's libstdc++ checks accept).
  std::vector<Node> items;
  std::vector<std::string> keys;
  std::optional<nlohmann::json> constant;
};

namespace template_tree {

using Node = ValueTemplate::Node;

// A template's place in a string: the expression is s[begin, end), between
// "{{" at open and "}}" at end.
struct Segment {
  bool expression = false;
  size_t open = 0;
  size_t begin = 0;
  size_t end = 0;
};
struct SplitError {
  size_t offset = 0;
  std::string message;
};

// The segments of `s`: literal text and "{{ expression }}" in turn.
std::variant<std::vector<Segment>, SplitError> SplitTemplates(std::string_view s);

bool IsBlankText(std::string_view s);
// The value of an expression that reads no variable, computed at load.
std::optional<nlohmann::json> ConstantOf(const cel::Program& program);
// A value as it reads inside text: strings as they are, the rest as JSON.
std::string TextOf(const nlohmann::json& value);

// Builds the node of a string from its segments; `compile` compiles one
// expression (reporting its own errors) and `origin` names its place.
template <typename CompileFn, typename OriginFn>
std::optional<Node> BuildString(std::string_view s, const std::vector<Segment>& segments,
                                CompileFn compile, OriginFn origin) {
  // origin(segment) -> (file, place of the expression's first character)
  Node node;
  size_t expressions = 0;
  bool blank_around = true;
  bool ok = true;
  for (const Segment& segment : segments) {
    TextPart part;
    if (!segment.expression) {
      part.text = std::string(s.substr(segment.begin, segment.end - segment.begin));
      blank_around = blank_around && IsBlankText(part.text);
      node.parts.push_back(std::move(part));
      continue;
    }
    ++expressions;
    part.text = std::string(s.substr(segment.open, segment.end + 2 - segment.open));
    part.program = compile(segment);
    if (!part.program) {
      ok = false;
      continue;
    }
    std::tie(part.file, part.start) = origin(segment);
    part.constant = ConstantOf(*part.program);
    node.parts.push_back(std::move(part));
  }
  if (!ok) return std::nullopt;
  if (expressions == 0) {
    node.literal = std::string(s);
    node.constant = node.literal;
    node.parts.clear();
    return node;
  }
  if (expressions == 1 && blank_around) {
    std::erase_if(node.parts, [](const TextPart& p) { return !p.program; });
    node.type = Node::Type::kExpression;
    node.constant = node.parts[0].constant;
    return node;
  }
  node.type = Node::Type::kText;
  std::string text;
  bool constant = true;
  for (const TextPart& part : node.parts) {
    if (!part.program) {
      text += part.text;
    } else if (part.constant) {
      text += TextOf(*part.constant);
    } else {
      constant = false;
    }
  }
  if (constant) node.constant = text;
  return node;
}

// Lists and mappings whose members are all literal become one literal.
void Collapse(Node* node);

Node LiteralNode(nlohmann::json value);

}  // namespace template_tree
}  // namespace keel::rules
