#include "rules/load/load_context.h"

#include <algorithm>

#include "rules/load/yaml_values.h"

namespace keel::rules {

void LoadContext::Add(Severity severity, Position position, std::string message) {
  Diagnostic d;
  d.file = file_.display();
  d.line = position.line;
  d.col = position.col;
  d.rule_id = rule_id_;
  d.message = std::move(message);
  d.severity = severity;
  d.snippet = file_.Snippet(position);
  diagnostics_->push_back(std::move(d));
  if (severity == Severity::kError) ++errors_;
}

namespace {

// Optimal string alignment distance: edits, counting a swap of neighbours as one.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

template <typename Strings>
std::string Suggest(std::string_view word, const Strings& candidates) {
  if (word.size() < 3) return {};  // any short word is close to another
  size_t limit = word.size() == 3 ? 1 : word.size() <= 7 ? 2 : 3;
  size_t best = limit + 1;
  std::string_view choice;
  for (const auto& candidate : candidates) {
    size_t distance = EditDistance(word, candidate);
    if (distance < best) {
      best = distance;
      choice = candidate;
    }
  }
  if (choice.empty()) return {};
  return "; did you mean '" + std::string(choice) + "'?";
}

}  // namespace

std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates) {
  return Suggest(word, candidates);
}
std::string DidYouMean(std::string_view word, std::span<const std::string> candidates) {
  return Suggest(word, candidates);
}

FieldReader::FieldReader(LoadContext& context, const YAML::Node& map, std::string construct,
                         std::span<const std::string_view> fields, Position anchor)
    : context_(context), construct_(std::move(construct)), position_(NodePosition(map)),
      anchor_(anchor.line > 0 ? anchor : position_) {
  if (!map.IsMap()) {
    context_.Error(position_, construct_ + ": expected a mapping, got " + DescribeNode(map));
    return;
  }
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) continue;  // reported by the document check
    const std::string& key = it->first.Scalar();
    if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
      context_.Error(NodePosition(it->first),
                     "unknown field '" + key + "' in " + construct_ + DidYouMean(key, fields));
      continue;
    }
    if (Find(key)) continue;  // a duplicate key, reported by the document check
    members_.emplace_back(it->first, it->second);
  }
}

const std::pair<YAML::Node, YAML::Node>* FieldReader::Find(std::string_view name) const {
  for (const auto& member : members_) {
    if (member.first.Scalar() == name) return &member;
  }
  return nullptr;
}

YAML::Node FieldReader::Get(std::string_view name) const {
  const auto* member = Find(name);
  return member ? member->second : YAML::Node(YAML::NodeType::Undefined);
}

Position FieldReader::KeyPosition(std::string_view name) const {
  const auto* member = Find(name);
  return member ? NodePosition(member->first) : position_;
}

Position FieldReader::ValuePosition(std::string_view name) const {
  const auto* member = Find(name);
  return member ? rules::ValuePosition(member->first, member->second) : position_;
}

bool FieldReader::Require(std::string_view name) const {
  if (Has(name)) return true;
  context_.Error(anchor_, construct_ + ": missing required field '" + std::string(name) + "'");
  return false;
}

std::optional<cel::Program> CompileExpression(LoadContext& context, const ScalarPositions& positions,
                                              std::string_view decoded, size_t begin, size_t end) {
  std::string_view expression = decoded.substr(begin, end - begin);
  cel::Diagnostic diagnostic;
  Result<cel::Program> program = cel::Compile(expression, cel::CompileOptions(), &diagnostic);
  if (program.ok()) return *std::move(program);
  size_t offset = OffsetOfLineColumn(expression, diagnostic.position.line, diagnostic.position.column);
  std::string message = diagnostic.message.empty() ? program.status().message() : diagnostic.message;
  context.Error(positions.At(begin + offset), message);
  return std::nullopt;
}

std::optional<std::string> ReadLiteralString(LoadContext& context, const YAML::Node& node, Position where,
                                             std::string_view what) {
  if (!IsStringScalar(node)) {
    context.Error(where, std::string(what) + ": expected a string, got " + DescribeNode(node));
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  if (size_t open = s.find("{{"); open != std::string::npos) {
    context.Error(PlaceInString(context, node, open),
                  std::string(what) + ": {{ }} templates are not allowed here; write the value literally");
    return std::nullopt;
  }
  return s;
}

std::optional<std::vector<std::string>> ReadLiteralStrings(LoadContext& context, const YAML::Node& node,
                                                           Position where, std::string_view what) {
  std::vector<std::string> out;
  if (!node.IsSequence()) {
    std::optional<std::string> one = ReadLiteralString(context, node, where, what);
    if (!one) return std::nullopt;
    out.push_back(*one);
    return out;
  }
  bool ok = true;
  for (const YAML::Node& item : node) {
    std::optional<std::string> s = ReadLiteralString(context, item, NodePosition(item), what);
    if (s) out.push_back(*s);
    ok = ok && s.has_value();
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace keel::rules
