// Reading a ValueTemplate from a rule or template file: the YAML value's
// strings compiled with their places in the file, for errors at load and at
// evaluation.
#include <utility>

#include "rules/load/load_context.h"
#include "rules/load/yaml_values.h"
#include "rules/value_template_tree.h"

namespace keel::rules {
namespace {

using namespace template_tree;

std::optional<Node> ReadNode(LoadContext& context, const YAML::Node& yaml) {
  if (!yaml.IsDefined() || yaml.IsNull()) return LiteralNode(nullptr);
  if (yaml.IsSequence()) {
    Node node;
    node.type = Node::Type::kList;
    bool ok = true;
    for (const YAML::Node& item : yaml) {
      std::optional<Node> child = ReadNode(context, item);
      if (child) node.items.push_back(*std::move(child));
      ok = ok && child.has_value();
    }
    if (!ok) return std::nullopt;
    Collapse(&node);
    return node;
  }
  if (yaml.IsMap()) {
    Node node;
    node.type = Node::Type::kMap;
    bool ok = true;
    for (auto it = yaml.begin(); it != yaml.end(); ++it) {
      if (!it->first.IsScalar()) {
        ok = false;  // reported by the document check
        continue;
      }
      std::optional<Node> child = ReadNode(context, it->second);
      if (child) {
        node.keys.push_back(it->first.Scalar());
        node.items.push_back(*std::move(child));
      }
      ok = ok && child.has_value();
    }
    if (!ok) return std::nullopt;
    Collapse(&node);
    return node;
  }
  if (!IsStringScalar(yaml)) return LiteralNode(ScalarToJson(yaml));
  const std::string& s = yaml.Scalar();
  if (s.find("{{") == std::string::npos) return LiteralNode(s);
  ScalarPositions positions(context.file(), NodePosition(yaml), s);
  auto split = SplitTemplates(s);
  if (auto* error = std::get_if<SplitError>(&split)) {
    context.Error(positions.At(error->offset), error->message);
    return std::nullopt;
  }
  auto compile = [&](const Segment& segment) {
    return CompileExpression(context, positions, s, segment.begin, segment.end);
  };
  auto origin = [&](const Segment& segment) {
    return std::make_pair(context.file().display(), positions.At(segment.begin));
  };
  return BuildString(s, std::get<std::vector<Segment>>(split), compile, origin);
}

}  // namespace

std::optional<ValueTemplate> ReadValue(LoadContext& context, const YAML::Node& node) {
  std::optional<Node> root = ReadNode(context, node);
  if (!root) return std::nullopt;
  return ValueTemplate(std::make_shared<Node>(*std::move(root)));
}

Position PlaceInString(LoadContext& context, const YAML::Node& node, size_t offset) {
  if (!IsStringScalar(node)) return NodePosition(node);
  return ScalarPositions(context.file(), NodePosition(node), node.Scalar()).At(offset);
}

}  // namespace keel::rules
