#include "connectors/webhooks/mapping_reader.h"

#include "connectors/webhooks/mapping_yaml.h"

namespace keel::webhooks {
namespace {

// At most this many lets: far more than any tool needs.
constexpr size_t kMaxLets = 1000;

}  // namespace

bool IsIdentifier(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Status MappingReader::Fail(FilePlace place, std::string_view message) const {
  return Status::InvalidArgument(AtPlace(file_, place, message));
}

Status MappingReader::CheckKeys(const YAML::Node& map, const KeySet& known, std::string_view what) const {
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) return Fail(PlaceOf(it->first), std::string(what) + ": keys are names");
    const std::string& key = it->first.Scalar();
    if (known.count(key) == 0) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      return Fail(PlaceOf(it->first), "unknown key '" + key + "' in " + std::string(what) + " (known: " + list + ")");
    }
  }
  return Status::OK();
}

Result<std::string> MappingReader::Text(const YAML::Node& node, std::string_view key) const {
  if (!node.IsScalar() || !ScalarJson(node).is_string()) {
    return Fail(PlaceOf(node), std::string(key) + ": expected text, got " + Describe(node));
  }
  return node.Scalar();
}

Result<std::string> MappingReader::RequiredText(const YAML::Node& map, std::string_view key) const {
  YAML::Node node = map[std::string(key)];
  if (!node.IsDefined()) return Fail(PlaceOf(map), "missing key '" + std::string(key) + "'");
  KEEL_ASSIGN_OR_RETURN(std::string text, Text(node, key));
  if (text.empty()) return Fail(PlaceOf(node), std::string(key) + ": must not be empty");
  return text;
}

Result<CompiledExpression> MappingReader::Compile(const YAML::Node& node, ExpressionForm form,
                                                  const std::vector<std::string>& vars, std::string_view key) const {
  if (node.IsMap() && node.size() == 1 && node.begin()->first.IsMap()) {
    return Fail(PlaceOf(node), std::string(key) + ": an unquoted {{ }} reads as YAML mapping; put the template in quotes");
  }
  if (!node.IsScalar()) {
    return Fail(PlaceOf(node), std::string(key) + ": expected " +
                                   (form == ExpressionForm::kCel ? "a CEL expression" : "a template") + ", got " +
                                   Describe(node));
  }
  std::string text = node.Scalar();
  if (form == ExpressionForm::kTemplate && !IsTextScalar(node)) text = ScalarJson(node).dump();
  ExpressionError error;
  Result<CompiledExpression> compiled = compiler_.Compile(text, form, vars, &error);
  if (!compiled.ok()) {
    return Fail(PlaceInScalar(text_, node, error.line, error.column), std::string(key) + ": " + error.message);
  }
  return compiled;
}

Result<DataNode> MappingReader::ReadData(const YAML::Node& node, const std::vector<std::string>& vars,
                                         const std::string& where) const {
  DataNode out;
  if (node.IsMap() && !(node.size() == 1 && node.begin()->first.IsMap())) {
    out.type = DataNode::Type::kMap;
    KeySet keys;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) return Fail(PlaceOf(it->first), where + ": keys are names");
      std::string key = it->first.Scalar();
      bool optional = key.size() > 1 && key.back() == '?';
      if (optional) key.pop_back();
      if (!keys.insert(key).second) return Fail(PlaceOf(it->first), where + ": '" + key + "' given twice");
      KEEL_ASSIGN_OR_RETURN(DataNode child, ReadData(it->second, vars, where + "." + key));
      out.keys.push_back(key);
      out.optional.push_back(optional);
      out.items.push_back(std::move(child));
      out.places.push_back(PlaceOf(it->second));
    }
    return out;
  }
  if (node.IsSequence()) {
    out.type = DataNode::Type::kList;
    for (size_t i = 0; i < node.size(); ++i) {
      KEEL_ASSIGN_OR_RETURN(DataNode child, ReadData(node[i], vars, where + "[" + std::to_string(i) + "]"));
      out.items.push_back(std::move(child));
      out.places.push_back(PlaceOf(node[i]));
    }
    return out;
  }
  if (!IsTextScalar(node) && !(node.IsMap())) {
    out.literal = ScalarJson(node);
    return out;
  }
  KEEL_ASSIGN_OR_RETURN(out.value, Compile(node, ExpressionForm::kTemplate, vars, where));
  return out;
}

Status MappingReader::ReadLets(const YAML::Node& lets, const std::vector<std::string>& reserved,
                               std::vector<std::string>* vars, std::vector<Let>* out) const {
  if (!lets.IsMap()) return Fail(PlaceOf(lets), "let: expected a mapping of name: CEL, got " + Describe(lets));
  for (auto it = lets.begin(); it != lets.end(); ++it) {
    std::string name = it->first.Scalar();
    if (!IsIdentifier(name)) return Fail(PlaceOf(it->first), "let: '" + name + "' is not a name (letters, digits, _)");
    for (const std::string& taken : *vars) {
      if (taken == name) return Fail(PlaceOf(it->first), "let: '" + name + "' is already a variable");
    }
    for (const std::string& taken : reserved) {
      if (taken == name) return Fail(PlaceOf(it->first), "let: '" + name + "' is for_each's variable");
    }
    KEEL_ASSIGN_OR_RETURN(CompiledExpression value, Compile(it->second, ExpressionForm::kCel, *vars, "let." + name));
    out->push_back({name, std::move(value)});
    vars->push_back(name);
  }
  if (out->size() > kMaxLets) return Fail(PlaceOf(lets), "let: more than 1000 names");
  return Status::OK();
}

}  // namespace keel::webhooks
