// CelExpressionCompiler: engine/expression.h over keel's CEL. A bare
// expression is one cel::Program; a template is its text split into literal
// parts and programs (rules' template syntax, rules/value_template_tree.h).
#include "rules/expressions.h"

#include <cctype>
#include <map>
#include <span>
#include <variant>

#include "rules/cel/json_selected.h"
#include "rules/value_template_tree.h"

namespace keel::rules {
namespace {

using template_tree::Segment;
using template_tree::SplitError;

// 1-based line and column (in characters) of byte `offset` of `text`.
ExpressionError PlaceAt(std::string_view text, size_t offset, std::string message) {
  ExpressionError error;
  error.message = std::move(message);
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++error.line;
      error.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++error.column;
    }
  }
  return error;
}

struct CelJsonSelection final : JsonSelection {
  cel::JsonPathTree tree;
};

class CelScope final : public ExpressionScope {
 public:
  Status BindJsonText(std::string_view name, std::string_view text, const JsonSelection* selection) override {
    if (selection == nullptr) return BindJsonText(name, text);
    KEEL_ASSIGN_OR_RETURN(cel::Value value,
                          cel::FromJsonTextSelected(text, static_cast<const CelJsonSelection*>(selection)->tree));
    activation_.Bind(name, std::move(value));
    return Status::OK();
  }
  void BindJson(std::string_view name, const nlohmann::json& value) override {
    activation_.Bind(name, cel::FromJson(value));
  }
  Status BindJsonText(std::string_view name, std::string_view text) override {
    KEEL_ASSIGN_OR_RETURN(cel::Value value, cel::FromJsonText(text));
    activation_.Bind(name, std::move(value));
    return Status::OK();
  }
  void BindString(std::string_view name, std::string_view value) override {
    activation_.Bind(name, cel::Value::String(value));
  }
  void BindStringMap(std::string_view name, std::span<const std::pair<std::string, std::string>> entries) override {
    std::vector<cel::MapEntry> map;
    map.reserve(entries.size());
    for (const auto& [key, value] : entries) {
      bool repeated = false;
      for (cel::MapEntry& entry : map) {
        if (entry.first.AsString() == key) {  // a repeated header: the last one counts
          entry.second = cel::Value::String(value);
          repeated = true;
        }
      }
      if (!repeated) map.emplace_back(cel::Value::String(key), cel::Value::String(value));
    }
    Result<cel::Value> value = cel::Value::Map(std::move(map));
    activation_.Bind(name, value.ok() ? *std::move(value) : cel::Value::Null());
  }
  void BindInt(std::string_view name, int64_t value) override { activation_.Bind(name, cel::Value::Int(value)); }
  void BindListItem(std::string_view name, std::string_view list, size_t index) override {
    const cel::Value* bound = activation_.Find(list);
    if (bound == nullptr || bound->kind() != cel::Kind::kList || index >= bound->ListItems().size()) {
      activation_.Unbind(name);
      return;
    }
    activation_.Bind(name, bound->ListItems()[index]);
  }
  void Unbind(std::string_view name) override { activation_.Unbind(name); }
  void SetPeople(const PeopleDirectory* people) override { activation_.SetPeople(people); }
  void Clear() override {
    activation_.Clear();
    activation_.SetPeople(nullptr);
  }

  void Bind(std::string_view name, cel::Value value) { activation_.Bind(name, std::move(value)); }
  const cel::Activation& activation() const { return activation_; }

 private:
  cel::Activation activation_;
};

const cel::Activation& ActivationOf(const ExpressionScope& scope) {
  return static_cast<const CelScope&>(scope).activation();
}

Status EvaluationError(const Status& status, const cel::Diagnostic& diagnostic) {
  std::string message = diagnostic.message.empty() ? status.message() : diagnostic.message;
  if (status.code() == StatusCode::kResourceExhausted) return Status::ResourceExhausted(std::move(message));
  return Status::InvalidArgument(std::move(message));
}

// One piece of a template: literal text, or a program.
struct Part {
  std::string text;
  std::optional<cel::Program> program;
};

class CelExpression final : public Expression {
 public:
  // `reads_nothing`: no program reads a variable (or the people), so the
  // value is known now.
  CelExpression(std::string text, std::vector<Part> parts, bool whole, const cel::EvalOptions& options,
                bool reads_nothing)
      : text_(std::move(text)), parts_(std::move(parts)), whole_(whole), options_(options) {
    if (!reads_nothing) return;
    cel::Activation empty;
    Result<cel::Value> value = Value(empty);
    if (value.ok()) constant_ = cel::ToJson(*value);
  }

  Result<nlohmann::json> Evaluate(const ExpressionScope& scope) const override {
    KEEL_ASSIGN_OR_RETURN(cel::Value value, Value(ActivationOf(scope)));
    return cel::ToJson(value);
  }
  Result<bool> EvaluateBool(const ExpressionScope& scope) const override {
    KEEL_ASSIGN_OR_RETURN(cel::Value value, Value(ActivationOf(scope)));
    if (value.kind() != cel::Kind::kBool) {
      return Status::InvalidArgument("expected a bool, got " + std::string(cel::KindName(value.kind())) + " " +
                                     value.DebugString());
    }
    return value.AsBool();
  }
  Status EvaluateInto(ExpressionScope& scope, std::string_view name) const override {
    Result<cel::Value> value = Value(ActivationOf(scope));
    if (!value.ok() && value.status().code() == StatusCode::kResourceExhausted) return value.status();
    // An error is bound as CEL's error value: it fails only the expressions
    // that read the name (CEL's `false && x` stays false).
    static_cast<CelScope&>(scope).Bind(
        name, value.ok() ? *std::move(value)
                         : cel::Value::Error(cel::ErrorCode::kInvalidArgument,
                                             std::string(name) + ": " + value.status().message()));
    return Status::OK();
  }
  Result<size_t> EvaluateList(ExpressionScope& scope, std::string_view name) const override {
    KEEL_ASSIGN_OR_RETURN(cel::Value value, Value(ActivationOf(scope)));
    if (value.IsNull()) value = cel::Value::List({});
    if (value.kind() != cel::Kind::kList) {
      return Status::InvalidArgument("expected a list, got " + std::string(cel::KindName(value.kind())));
    }
    size_t size = value.ListItems().size();
    static_cast<CelScope&>(scope).Bind(name, std::move(value));
    return size;
  }
  const std::optional<nlohmann::json>& constant() const override { return constant_; }
  std::string_view text() const override { return text_; }
  const std::vector<Part>& parts() const { return parts_; }
  // The one program of a bare expression, or nullptr.
  const cel::Program* whole_program() const { return whole_ && parts_.size() == 1 ? &*parts_[0].program : nullptr; }

 private:
  Result<cel::Value> ProgramValue(const cel::Program& program, const cel::Activation& activation) const {
    cel::Diagnostic diagnostic;
    Result<cel::Value> value = program.Evaluate(activation, options_, &diagnostic);
    if (!value.ok()) return EvaluationError(value.status(), diagnostic);
    return value;
  }

  Result<cel::Value> Value(const cel::Activation& activation) const {
    if (whole_) return ProgramValue(*parts_[0].program, activation);
    std::string text;
    for (const Part& part : parts_) {
      if (!part.program) {
        text += part.text;
        continue;
      }
      KEEL_ASSIGN_OR_RETURN(cel::Value value, ProgramValue(*part.program, activation));
      if (value.kind() == cel::Kind::kString) {
        text += value.AsString();
      } else {
        text += template_tree::TextOf(cel::ToJson(value));
      }
      if (text.size() > options_.max_string_size) {
        return Status::ResourceExhausted("a template's text would exceed " + std::to_string(options_.max_string_size) +
                                         " bytes");
      }
    }
    return cel::Value::String(text);
  }

  std::string text_;
  std::vector<Part> parts_;
  bool whole_;  // one program, its value kept as it is
  cel::EvalOptions options_;
  std::optional<nlohmann::json> constant_;
};

}  // namespace

Result<std::shared_ptr<const Expression>> CelExpressionCompiler::Compile(std::string_view text, ExpressionForm form,
                                                                         std::span<const std::string> variables,
                                                                         ExpressionError* error) const {
  cel::CompileOptions options;
  options.variables.clear();
  for (const std::string& name : variables) options.variables.push_back({name, cel::Kind::kDyn});
  auto fail = [&](ExpressionError place) -> Status {
    std::string message = std::to_string(place.line) + ":" + std::to_string(place.column) + ": " + place.message;
    if (error != nullptr) *error = std::move(place);
    return Status::InvalidArgument(std::move(message));
  };
  // Compiles text[begin, end), placing its errors in the whole text.
  auto compile = [&](size_t begin, size_t end) -> Result<cel::Program> {
    std::string_view source = text.substr(begin, end - begin);
    cel::Diagnostic diagnostic;
    Result<cel::Program> program = cel::Compile(source, options, &diagnostic);
    if (program.ok()) return program;
    size_t offset = OffsetOfLineColumn(source, diagnostic.position.line, diagnostic.position.column);
    return fail(PlaceAt(text, begin + offset, diagnostic.message.empty() ? program.status().message() : diagnostic.message));
  };

  std::vector<Part> parts;
  bool whole = false;
  if (form == ExpressionForm::kCel) {
    if (template_tree::IsBlankText(text)) return fail(PlaceAt(text, 0, "empty expression"));
    KEEL_ASSIGN_OR_RETURN(cel::Program program, compile(0, text.size()));
    parts.push_back({std::string(text), std::move(program)});
    whole = true;
  } else {
    auto split = template_tree::SplitTemplates(text);
    if (auto* bad = std::get_if<SplitError>(&split)) return fail(PlaceAt(text, bad->offset, bad->message));
    size_t expressions = 0;
    bool blank_around = true;
    for (const Segment& segment : std::get<std::vector<Segment>>(split)) {
      if (!segment.expression) {
        std::string literal(text.substr(segment.begin, segment.end - segment.begin));
        blank_around = blank_around && template_tree::IsBlankText(literal);
        parts.push_back({std::move(literal), std::nullopt});
        continue;
      }
      ++expressions;
      KEEL_ASSIGN_OR_RETURN(cel::Program program, compile(segment.begin, segment.end));
      parts.push_back({std::string(text.substr(segment.open, segment.end + 2 - segment.open)), std::move(program)});
    }
    if (expressions == 1 && blank_around) {
      std::erase_if(parts, [](const Part& part) { return !part.program; });
      whole = true;
    }
  }
  bool reads_nothing = true;
  for (const Part& part : parts) {
    if (!part.program) continue;
    // person() reads the scope's people: never constant (a coarse test; it only costs the folding).
    if (part.program->source().find("person") != std::string_view::npos) reads_nothing = false;
    for (const std::string& name : variables) reads_nothing = reads_nothing && !part.program->UsesVariable(name);
  }
  return std::shared_ptr<const Expression>(
      std::make_shared<CelExpression>(std::string(text), std::move(parts), whole, options_, reads_nothing));
}

std::unique_ptr<ExpressionScope> CelExpressionCompiler::NewScope() const { return std::make_unique<CelScope>(); }

namespace {

// The reads of the variable and its aliases, as paths from the variable. An
// alias is a let whose value is always a part of the variable (or of another
// alias) or a constant: `issue: body.issue`, and also `fields: issue != null
// ? issue.fields : {}`. Reading a member of an alias reads that member of
// each part it may be.
class SelectionBuilder {
 public:
  using Path = std::vector<std::string>;
  explicit SelectionBuilder(std::string_view name) { roots_[std::string(name)] = {Path{}}; }

  // False when the program may read all of the variable.
  bool Add(const cel::Program& program) {
    const cel::ReadPaths& reads = program.reads();
    if (!KeepAll(reads.whole)) return false;
    if (reads.value_paths && !KeepAll(*reads.value_paths)) return false;
    TouchAll(reads.tested);
    return true;
  }
  bool AddAll(const CelExpression& expression) {
    for (const Part& part : expression.parts()) {
      if (part.program && !Add(*part.program)) return false;
    }
    return true;
  }
  bool AddAlias(const std::string& name, const CelExpression& expression) {
    const cel::Program* program = expression.whole_program();
    if (program == nullptr || !program->reads().value_paths) {
      roots_.erase(name);  // shadowed: the let is a value of its own
      return AddAll(expression);
    }
    const cel::ReadPaths& reads = program->reads();
    if (!KeepAll(reads.whole)) return false;
    TouchAll(reads.tested);
    std::vector<Path> prefixes;
    for (const Path& path : *reads.value_paths) {
      for (Path& full : Resolve(path)) prefixes.push_back(std::move(full));
    }
    roots_.erase(name);
    if (!prefixes.empty()) roots_[name] = std::move(prefixes);
    return true;
  }
  cel::JsonPathTree tree() const { return tree_; }

 private:
  // The paths from the variable that `path` (from a root) names.
  std::vector<Path> Resolve(const Path& path) const {
    std::vector<Path> out;
    auto root = roots_.find(path[0]);
    if (root == roots_.end()) return out;
    for (const Path& prefix : root->second) {
      Path full = prefix;
      full.insert(full.end(), path.begin() + 1, path.end());
      out.push_back(std::move(full));
    }
    return out;
  }
  bool KeepAll(const std::vector<Path>& paths) {
    for (const Path& path : paths) {
      for (const Path& full : Resolve(path)) {
        if (full.empty()) return false;
        cel::JsonPathTree* node = Walk(full);
        node->whole = true;
        node->members.clear();
      }
    }
    return true;
  }
  void TouchAll(const std::vector<Path>& paths) {
    for (const Path& path : paths) {
      for (const Path& full : Resolve(path)) Walk(full);
    }
  }
  // The node of `path`, made when missing; stops at a node kept whole.
  cel::JsonPathTree* Walk(const Path& path) {
    cel::JsonPathTree* node = &tree_;
    for (const std::string& step : path) {
      if (node->whole) return node;
      node = &node->members[step];
    }
    return node;
  }

  std::map<std::string, std::vector<Path>> roots_;
  cel::JsonPathTree tree_;
};

}  // namespace

std::shared_ptr<const JsonSelection> CelExpressionCompiler::SelectionOf(
    std::string_view name, std::span<const Expression* const> expressions,
    std::span<const std::pair<std::string, const Expression*>> aliases) const {
  SelectionBuilder builder(name);
  for (const auto& [alias, expression] : aliases) {
    if (!builder.AddAlias(alias, static_cast<const CelExpression&>(*expression))) return nullptr;
  }
  for (const Expression* expression : expressions) {
    if (!builder.AddAll(static_cast<const CelExpression&>(*expression))) return nullptr;
  }
  auto selection = std::make_shared<CelJsonSelection>();
  selection->tree = builder.tree();
  return selection;
}

const ExpressionCompiler& CelExpressions() {
  static const CelExpressionCompiler compiler;
  return compiler;
}

}  // namespace keel::rules
