// Compile() and Program::Evaluate(): the public entry points.
#include <algorithm>
#include <optional>

#include "engine/utf8.h"
#include "rules/cel/compiler.h"
#include "rules/cel/parser.h"
#include "rules/cel/read_paths.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {

struct Program::Impl {
  std::string source;
  std::vector<EqualityGuard> guards;
  std::vector<std::string> identifiers;  // every name the expression reads, sorted
  std::vector<std::string> field_paths;
  ReadPaths reads;
  // Per variable read: the members selected of it by name, sorted; nullopt
  // when it is also read whole. Sorted by variable name.
  std::vector<std::pair<std::string, std::optional<std::vector<std::string>>>> selected_members;
  NodePtr root;
  std::vector<VariableDecl> variables;
  int local_count = 0;
};

namespace {

Status ErrorAt(std::string_view source, int32_t offset, std::string_view message, StatusCode code,
               Diagnostic* diagnostic) {
  SourcePosition pos = PositionOf(source, offset);
  if (diagnostic != nullptr) {
    diagnostic->position = pos;
    diagnostic->message = std::string(message);
  }
  std::string text = std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + std::string(message);
  return code == StatusCode::kResourceExhausted ? Status::ResourceExhausted(std::move(text))
                                                : Status::InvalidArgument(std::move(text));
}

// `operand.a.b` down to a variable: {"var", "a", "b"}; empty for anything else.
std::vector<std::string> FieldPath(const Expr& expr) {
  if (expr.kind == ExprKind::kIdent) return {expr.name};
  if (expr.kind != ExprKind::kSelect || expr.test_only || !expr.operand) return {};
  std::vector<std::string> path = FieldPath(*expr.operand);
  if (!path.empty()) path.push_back(expr.name);
  return path;
}

bool IsGuardConstant(const Expr& expr) {
  if (expr.kind != ExprKind::kConst) return false;
  Kind kind = expr.constant.kind();
  return kind == Kind::kString || kind == Kind::kBool || kind == Kind::kInt || kind == Kind::kUint ||
         kind == Kind::kDouble;
}

void CollectGuards(const Expr& expr, std::vector<EqualityGuard>* guards) {
  if (expr.kind != ExprKind::kCall || expr.operand || expr.args.size() != 2) return;
  if (expr.name == op::kAnd) {
    CollectGuards(*expr.args[0], guards);
    CollectGuards(*expr.args[1], guards);
    return;
  }
  if (expr.name != op::kEquals) return;
  for (int side = 0; side < 2; ++side) {
    const Expr& path_side = *expr.args[side];
    const Expr& value_side = *expr.args[1 - side];
    std::vector<std::string> path = FieldPath(path_side);
    if (path.size() >= 2 && IsGuardConstant(value_side)) {
      guards->push_back({std::move(path), value_side.constant});
      return;
    }
  }
}

// Calls `visit` on each direct subexpression of `expr`.
template <typename Visit>
void ForEachChild(const Expr& expr, Visit&& visit) {
  if (expr.operand) visit(*expr.operand);
  for (const ExprPtr& arg : expr.args) {
    if (arg) visit(*arg);
  }
  for (const auto& [key, value] : expr.entries) {
    if (key) visit(*key);
    if (value) visit(*value);
  }
}

// Every identifier in the tree (variables, and comprehension variables,
// which can only make UsesVariable answer yes more often, never wrongly no).
void CollectIdentifiers(const Expr& expr, std::vector<std::string>* out) {
  if (expr.kind == ExprKind::kIdent) out->push_back(expr.name);
  ForEachChild(expr, [out](const Expr& child) { CollectIdentifiers(child, out); });
}

void CollectFieldPaths(const Expr& expr, std::vector<std::string>* out) {
  std::vector<std::string> path = FieldPath(expr);
  if (expr.kind == ExprKind::kSelect && expr.test_only && expr.operand) {  // has(a.b): the field a.b
    path = FieldPath(*expr.operand);
    if (!path.empty()) path.push_back(expr.name);
  }
  if (path.size() >= 2) {
    std::string joined;
    for (const std::string& step : path) joined += (joined.empty() ? "" : ".") + step;
    if (std::find(out->begin(), out->end(), joined) == out->end()) out->push_back(std::move(joined));
    return;
  }
  ForEachChild(expr, [out](const Expr& child) { CollectFieldPaths(child, out); });
}

// For each identifier, the member names selected of it (`x.name`, and
// `has(x.name)`), or nullopt once it is seen anywhere but as such an operand.
// A comprehension variable that shadows a name can only widen the answer.
using SelectedMembersMap = std::vector<std::pair<std::string, std::optional<std::vector<std::string>>>>;

std::optional<std::vector<std::string>>* MembersOf(SelectedMembersMap* out, const std::string& name) {
  for (auto& [variable, members] : *out) {
    if (variable == name) return &members;
  }
  out->emplace_back(name, std::vector<std::string>());
  return &out->back().second;
}

void CollectSelectedMembers(const Expr& expr, SelectedMembersMap* out) {
  if (expr.kind == ExprKind::kSelect && expr.operand && expr.operand->kind == ExprKind::kIdent) {
    std::optional<std::vector<std::string>>* members = MembersOf(out, expr.operand->name);
    if (*members) (*members)->push_back(expr.name);
    return;
  }
  if (expr.kind == ExprKind::kIdent) *MembersOf(out, expr.name) = std::nullopt;
  ForEachChild(expr, [out](const Expr& child) { CollectSelectedMembers(child, out); });
}

// Small programs keep their slots on the stack.
constexpr size_t kInlineSlots = 8;

}  // namespace

Result<Program> Compile(std::string_view expression, const CompileOptions& options, Diagnostic* diagnostic) {
  if (expression.size() > options.max_expression_bytes) {
    return ErrorAt(expression, 0,
                   "expression is longer than " + std::to_string(options.max_expression_bytes) + " bytes",
                   StatusCode::kInvalidArgument, diagnostic);
  }
  if (!IsValidUtf8(expression)) {
    return ErrorAt(expression, static_cast<int32_t>(Utf8ValidPrefix(expression)), "expression is not valid UTF-8",
                   StatusCode::kInvalidArgument, diagnostic);
  }
  int32_t error_offset = 0;
  ParseOptions parse_options{options.enable_macros, options.max_nesting};
  Result<ExprPtr> tree = Parse(expression, parse_options, &error_offset);
  if (!tree.ok()) {
    return ErrorAt(expression, error_offset, tree.status().message(), StatusCode::kInvalidArgument, diagnostic);
  }
  std::vector<EqualityGuard> guards;
  CollectGuards(**tree, &guards);
  std::vector<std::string> identifiers;
  CollectIdentifiers(**tree, &identifiers);
  std::vector<std::string> field_paths;
  CollectFieldPaths(**tree, &field_paths);
  SelectedMembersMap selected_members;
  CollectSelectedMembers(**tree, &selected_members);
  for (auto& [variable, members] : selected_members) {
    if (!members) continue;
    std::sort(members->begin(), members->end());
    members->erase(std::unique(members->begin(), members->end()), members->end());
  }
  std::sort(selected_members.begin(), selected_members.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::sort(identifiers.begin(), identifiers.end());
  identifiers.erase(std::unique(identifiers.begin(), identifiers.end()), identifiers.end());
  Result<CompiledExpr> compiled = CompileTree(**tree, options, &error_offset);
  if (!compiled.ok()) {
    return ErrorAt(expression, error_offset, compiled.status().message(), StatusCode::kInvalidArgument, diagnostic);
  }
  auto impl = std::make_shared<Program::Impl>();
  impl->source = std::string(expression);
  impl->root = std::move(compiled->root);
  impl->variables = std::move(compiled->variables);
  impl->local_count = compiled->local_count;
  impl->guards = std::move(guards);
  impl->identifiers = std::move(identifiers);
  impl->field_paths = std::move(field_paths);
  impl->reads = CollectReadPaths(**tree);
  impl->selected_members = std::move(selected_members);
  return Program(std::move(impl));
}

std::string_view Program::source() const { return impl_->source; }

std::span<const EqualityGuard> Program::guards() const { return impl_->guards; }

std::span<const std::string> Program::field_paths() const { return impl_->field_paths; }

const ReadPaths& Program::reads() const { return impl_->reads; }

bool Program::UsesVariable(std::string_view name) const {
  return std::binary_search(impl_->identifiers.begin(), impl_->identifiers.end(), name);
}

std::optional<std::span<const std::string>> Program::SelectedMembers(std::string_view name) const {
  static const std::vector<std::string> kNone;
  for (const auto& [variable, members] : impl_->selected_members) {
    if (variable != name) continue;
    if (!members) return std::nullopt;
    return std::span<const std::string>(*members);
  }
  return std::span<const std::string>(kNone);  // not read at all
}

Result<Value> Program::Evaluate(const Activation& activation, const EvalOptions& options,
                                Diagnostic* diagnostic) const {
  const Impl& impl = *impl_;
  const Value* vars_inline[kInlineSlots];
  std::vector<const Value*> vars_heap;
  const Value** vars = vars_inline;
  if (impl.variables.size() > kInlineSlots) {
    vars_heap.resize(impl.variables.size());
    vars = vars_heap.data();
  }
  for (size_t i = 0; i < impl.variables.size(); ++i) vars[i] = activation.Find(impl.variables[i].name);

  // Comprehension variables: constructed only when the expression has any.
  struct Locals {
    explicit Locals(size_t n) : n(n) {
      data = n <= kInlineSlots ? reinterpret_cast<Value*>(inline_storage) : heap.emplace(n).data();
      if (n <= kInlineSlots) {
        for (size_t i = 0; i < n; ++i) new (&data[i]) Value();
      }
    }
    ~Locals() {
      if (n <= kInlineSlots) {
        for (size_t i = 0; i < n; ++i) data[i].~Value();
      }
    }
    size_t n;
    Value* data;
    alignas(Value) unsigned char inline_storage[kInlineSlots * sizeof(Value)];
    std::optional<std::vector<Value>> heap;
  } locals(static_cast<size_t>(impl.local_count));

  EvalContext ctx;
  ctx.vars = vars;
  ctx.locals = locals.data;
  ctx.activation = &activation;
  ctx.options = &options;
  Value scratch;
  const Value* result = impl.root->Eval(ctx, &scratch);
  if (ctx.aborted) {
    return ErrorAt(impl.source, std::max(ctx.abort_offset, 0), ctx.abort_message, StatusCode::kResourceExhausted,
                   diagnostic);
  }
  if (result->IsError()) {
    return ErrorAt(impl.source, std::max(result->ErrorOffset(), 0), result->ErrorMessage(),
                   StatusCode::kInvalidArgument, diagnostic);
  }
  return result == &scratch ? std::move(scratch) : *result;
}

void Activation::Bind(std::string_view name, Value value) {
  for (Binding& binding : bindings_) {
    if (binding.name == name) {
      binding.value = std::move(value);
      binding.bound = true;
      return;
    }
  }
  bindings_.push_back(Binding{std::string(name), std::move(value), true});
}

void Activation::Unbind(std::string_view name) {
  for (Binding& binding : bindings_) {
    if (binding.name == name) {
      // The slot stays: binding the name again reuses it.
      binding.value = Value();
      binding.bound = false;
      return;
    }
  }
}

const Value* Activation::Find(std::string_view name) const {
  for (const Binding& binding : bindings_) {
    if (internal::BytesEqual(binding.name, name)) return binding.bound ? &binding.value : nullptr;
  }
  return nullptr;
}

const Value* Activation::FindOrBindLate(std::string_view name) const {
  const Value* value = Find(name);
  if (value != nullptr || late_binder_ == nullptr) return value;
  late_binder_->BindOnFirstRead(name);
  return Find(name);
}

namespace {

// The `line`-th line (1-based) of `text`, without its newline.
std::string_view LineOf(std::string_view text, int line) {
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  std::string_view out = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  return out;
}

// Spaces (tabs kept, so the caret lines up) for the characters before `column`.
std::string CaretPadding(std::string_view line, int column) {
  std::string pad;
  int col = 1;
  for (size_t i = 0; i < line.size() && col < column; ++i) {
    unsigned char c = line[i];
    if ((c & 0xC0) == 0x80) continue;
    pad.push_back(c == '\t' ? '\t' : ' ');
    ++col;
  }
  pad.append(static_cast<size_t>(std::max(0, column - col)), ' ');
  return pad;
}

}  // namespace

std::string FormatDiagnostic(std::string_view file_name, const ExpressionOrigin& origin,
                             std::string_view expression, const Diagnostic& diagnostic,
                             std::string_view file_text) {
  const SourcePosition& pos = diagnostic.position;
  int line = origin.line + pos.line - 1;
  int column = pos.line == 1 ? origin.column + pos.column - 1 : origin.continuation_indent + pos.column;
  std::string out;
  if (!file_name.empty()) out.append(file_name).append(":");
  out.append(std::to_string(line)).append(":").append(std::to_string(column)).append(": ");
  out.append(diagnostic.message).append("\n");
  std::string_view shown;
  int caret_column;
  if (!file_text.empty()) {
    shown = LineOf(file_text, line);
    caret_column = column;
  } else {
    shown = LineOf(expression, pos.line);
    caret_column = pos.column;
  }
  out.append(shown).append("\n").append(CaretPadding(shown, caret_column)).append("^");
  return out;
}

}  // namespace keel::cel
