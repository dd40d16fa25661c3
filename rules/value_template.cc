#include "rules/value_template.h"

#include <tuple>
#include <variant>

#include "rules/load_context.h"
#include "rules/yaml_values.h"

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

namespace {

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
