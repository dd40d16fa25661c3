#include "rules/value_template.h"

#include "rules/value_template_tree.h"

namespace keel::rules {
namespace template_tree {
namespace {

// Skips the CEL string literal whose quote is at s[at]; returns the offset
// just after it, or s.size() when it does not end.
size_t SkipStringLiteral(std::string_view s, size_t at) {
  char quote = s[at];
  bool raw = at > 0 && (s[at - 1] == 'r' || s[at - 1] == 'R');
  bool triple = s.substr(at, 3) == std::string(3, quote);
  std::string_view close = triple ? s.substr(at, 3) : s.substr(at, 1);
  for (size_t i = at + close.size(); i < s.size();) {
    if (!raw && s[i] == '\\') {
      i += 2;
    } else if (s.substr(i, close.size()) == close) {
      return i + close.size();
    } else {
      ++i;
    }
  }
  return s.size();
}

// Finds the "}}" closing the template opened at `open`, skipping braces and
// strings of the expression itself: {{ {"a": {"b": 1}} }} is one template.
std::optional<size_t> FindClose(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open + 2; i < s.size();) {
    char c = s[i];
    if (c == '"' || c == '\'') {
      i = SkipStringLiteral(s, i);
      continue;
    }
    if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (depth > 0) {
        --depth;
      } else if (i + 1 < s.size() && s[i + 1] == '}') {
        return i;
      }
    }
    ++i;
  }
  return std::nullopt;
}

}  // namespace

std::variant<std::vector<Segment>, SplitError> SplitTemplates(std::string_view s) {
  std::vector<Segment> segments;
  size_t literal_start = 0;
  for (size_t i = 0; i + 1 < s.size();) {
    if (s[i] != '{' || s[i + 1] != '{') {
      ++i;
      continue;
    }
    if (i > literal_start) segments.push_back({false, literal_start, literal_start, i});
    std::optional<size_t> close = FindClose(s, i);
    if (!close) return SplitError{i, "'{{' without a matching '}}'"};
    std::string_view inner = s.substr(i + 2, *close - i - 2);
    if (inner.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return SplitError{i, "empty template '{{ }}': write an expression between the braces"};
    }
    segments.push_back({true, i, i + 2, *close});
    i = *close + 2;
    literal_start = i;
  }
  if (literal_start < s.size()) segments.push_back({false, literal_start, literal_start, s.size()});
  return segments;
}

bool IsBlankText(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::optional<nlohmann::json> ConstantOf(const cel::Program& program) {
  cel::Activation empty;
  Result<cel::Value> value = program.Evaluate(empty);
  if (!value.ok()) return std::nullopt;
  return cel::ToJson(*value);
}

std::string TextOf(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// Lists and mappings whose members are all literal become one literal.
void Collapse(Node* node) {
  bool literal = true;
  bool constant = true;
  nlohmann::json value = node->type == Node::Type::kList ? nlohmann::json::array() : nlohmann::json::object();
  auto visit = [&](const Node& child, const std::string* key) {
    literal = literal && child.type == Node::Type::kLiteral;
    constant = constant && child.constant.has_value();
    if (!child.constant) return;
    if (key) {
      value[*key] = *child.constant;
    } else {
      value.push_back(*child.constant);
    }
  };
  bool is_map = node->type == Node::Type::kMap;
  for (size_t i = 0; i < node->items.size(); ++i) visit(node->items[i], is_map ? &node->keys[i] : nullptr);
  if (constant) node->constant = value;
  if (literal) {
    node->type = Node::Type::kLiteral;
    node->literal = std::move(value);
    node->items.clear();
    node->keys.clear();
  }
}

Node LiteralNode(nlohmann::json value) {
  Node node;
  node.constant = value;
  node.literal = std::move(value);
  return node;
}

}  // namespace template_tree

namespace {

using namespace template_tree;

Result<Node> ParseJson(const nlohmann::json& value, const cel::CompileOptions& options, const std::string& path) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    auto split = SplitTemplates(s);
    if (auto* error = std::get_if<SplitError>(&split)) {
      return Status::InvalidArgument(path + ": " + std::to_string(error->offset) + ": " + error->message);
    }
    std::string first_error;
    auto compile = [&](const Segment& segment) -> std::optional<cel::Program> {
      cel::Diagnostic diagnostic;
      Result<cel::Program> program = cel::Compile(s.substr(segment.begin, segment.end - segment.begin), options, &diagnostic);
      if (program.ok()) return *program;
      if (first_error.empty()) {
        std::string_view expression = std::string_view(s).substr(segment.begin, segment.end - segment.begin);
        size_t offset = OffsetOfLineColumn(expression, diagnostic.position.line, diagnostic.position.column);
        first_error = path + ": " + std::to_string(segment.begin + offset) + ": " + diagnostic.message;
      }
      return std::nullopt;
    };
    auto origin = [&](const Segment& segment) {
      return std::make_pair(std::string(), Position{1, static_cast<int>(segment.begin) + 1});
    };
    std::optional<Node> node = BuildString(s, std::get<std::vector<Segment>>(split), compile, origin);
    if (!node) return Status::InvalidArgument(first_error);
    return *std::move(node);
  }
  if (value.is_array()) {
    Node node;
    node.type = Node::Type::kList;
    for (size_t i = 0; i < value.size(); ++i) {
      KEEL_ASSIGN_OR_RETURN(Node item, ParseJson(value[i], options, path + "/" + std::to_string(i)));
      node.items.push_back(std::move(item));
    }
    Collapse(&node);
    return node;
  }
  if (value.is_object()) {
    Node node;
    node.type = Node::Type::kMap;
    for (const auto& [key, member] : value.items()) {
      KEEL_ASSIGN_OR_RETURN(Node child, ParseJson(member, options, path + "/" + key));
      node.keys.push_back(key);
      node.items.push_back(std::move(child));
    }
    Collapse(&node);
    return node;
  }
  return LiteralNode(value);
}

Status WithMessage(const Status& status, std::string message) {
  switch (status.code()) {
    case StatusCode::kResourceExhausted: return Status::ResourceExhausted(std::move(message));
    case StatusCode::kInvalidArgument: return Status::InvalidArgument(std::move(message));
    default: return Status::Internal(std::move(message));
  }
}

// "file:line:col: message (in {{ expr }})", the place translated into the file
// (exact on the expression's first line; its column beyond that).
Result<nlohmann::json> EvaluatePart(const TextPart& part, const cel::Activation& activation,
                                    const cel::EvalOptions& options) {
  cel::Diagnostic diagnostic;
  Result<cel::Value> value = part.program->Evaluate(activation, options, &diagnostic);
  if (value.ok()) return cel::ToJson(*value);
  Position at = part.start;
  if (diagnostic.position.line <= 1) {
    at.col += diagnostic.position.column - 1;
  } else {
    at.line += diagnostic.position.line - 1;
    at.col = diagnostic.position.column;
  }
  std::string where = (part.file.empty() ? "" : part.file + ":") + std::to_string(at.line) + ":" + std::to_string(at.col);
  std::string message = diagnostic.message.empty() ? value.status().message() : diagnostic.message;
  return WithMessage(value.status(), where + ": " + message + " (in " + part.text + ")");
}

Result<nlohmann::json> EvaluateNode(const Node& node, const cel::Activation& activation,
                                    const cel::EvalOptions& options) {
  switch (node.type) {
    case Node::Type::kLiteral:
      return node.literal;
    case Node::Type::kExpression:
      return EvaluatePart(node.parts[0], activation, options);
    case Node::Type::kText: {
      std::string text;
      for (const TextPart& part : node.parts) {
        if (!part.program) {
          text += part.text;
          continue;
        }
        KEEL_ASSIGN_OR_RETURN(nlohmann::json value, EvaluatePart(part, activation, options));
        text += TextOf(value);
      }
      return nlohmann::json(std::move(text));
    }
    case Node::Type::kList: {
      nlohmann::json list = nlohmann::json::array();
      for (const Node& item : node.items) {
        KEEL_ASSIGN_OR_RETURN(nlohmann::json value, EvaluateNode(item, activation, options));
        list.push_back(std::move(value));
      }
      return list;
    }
    case Node::Type::kMap: {
      nlohmann::json map = nlohmann::json::object();
      for (size_t i = 0; i < node.items.size(); ++i) {
        KEEL_ASSIGN_OR_RETURN(nlohmann::json value, EvaluateNode(node.items[i], activation, options));
        map[node.keys[i]] = std::move(value);
      }
      return map;
    }
  }
  return Status::Internal("unknown value template node");
}

}  // namespace

ValueTemplate::ValueTemplate() : root_(std::make_shared<Node>(LiteralNode(nullptr))) {}

ValueTemplate ValueTemplate::Literal(nlohmann::json value) {
  return ValueTemplate(std::make_shared<Node>(LiteralNode(std::move(value))));
}

Result<ValueTemplate> ValueTemplate::Parse(const nlohmann::json& value, const cel::CompileOptions& options) {
  KEEL_ASSIGN_OR_RETURN(Node node, ParseJson(value, options, ""));
  return ValueTemplate(std::make_shared<Node>(std::move(node)));
}

bool ValueTemplate::is_literal() const { return root_->type == Node::Type::kLiteral; }
const nlohmann::json& ValueTemplate::literal() const { return root_->literal; }
bool ValueTemplate::is_single_expression() const { return root_->type == Node::Type::kExpression; }
const std::optional<nlohmann::json>& ValueTemplate::constant() const { return root_->constant; }

nlohmann::json ValueTemplate::ConstantMembers() const {
  nlohmann::json out = nlohmann::json::object();
  if (root_->type == Node::Type::kLiteral && root_->literal.is_object()) return root_->literal;
  if (root_->type != Node::Type::kMap) return out;
  for (size_t i = 0; i < root_->items.size(); ++i) {
    if (root_->items[i].constant) out[root_->keys[i]] = *root_->items[i].constant;
  }
  return out;
}

Result<nlohmann::json> ValueTemplate::Evaluate(const cel::Activation& activation,
                                               const cel::EvalOptions& options) const {
  return EvaluateNode(*root_, activation, options);
}

}  // namespace keel::rules
