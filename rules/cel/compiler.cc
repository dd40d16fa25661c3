#include "rules/cel/compiler.h"

#include <optional>

#include "rules/cel/time_zone.h"

namespace keel::cel {
namespace {

struct Compiled {
  NodePtr node;
  Kind kind = Kind::kDyn;
};

std::optional<Kind> TypeNamed(std::string_view name) {
  static const std::pair<std::string_view, Kind> kTypes[] = {
      {"int", Kind::kInt},       {"uint", Kind::kUint},       {"double", Kind::kDouble},
      {"bool", Kind::kBool},     {"string", Kind::kString},   {"bytes", Kind::kBytes},
      {"list", Kind::kList},     {"map", Kind::kMap},         {"null_type", Kind::kNull},
      {"type", Kind::kType},     {"optional_type", Kind::kOptional}, {"google.protobuf.Timestamp", Kind::kTimestamp},
      {"google.protobuf.Duration", Kind::kDuration}};
  for (const auto& [n, k] : kTypes) {
    if (n == name) return k;
  }
  return std::nullopt;
}

bool Fits(Kind actual, std::initializer_list<Kind> allowed) {
  if (actual == Kind::kDyn) return true;
  for (Kind k : allowed) {
    if (k == actual) return true;
  }
  return false;
}

class Compiler {
 public:
  explicit Compiler(const CompileOptions& options) : options_(options) {}

  Result<CompiledExpr> Run(const Expr& root, int32_t* error_offset) {
    Compiled c = Compile(root);
    if (!error_.empty()) {
      *error_offset = error_offset_;
      return Status::InvalidArgument(error_);
    }
    CompiledExpr out;
    out.root = std::move(c.node);
    out.variables = std::move(used_);
    out.local_count = local_count_;
    return out;
  }

 private:
  Compiled Fail(int32_t offset, std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_offset_ = offset;
    }
    return Compiled{std::make_unique<ConstNode>(offset, Value()), Kind::kDyn};
  }
  bool failed() const { return !error_.empty(); }

  template <typename T, typename... Args>
  NodePtr Make(Args&&... args) {
    ++node_count_;
    return std::make_unique<T>(std::forward<Args>(args)...);
  }

  Compiled Compile(const Expr& e) {
    struct Depth {
      explicit Depth(int* d) : d(d) { ++*d; }
      ~Depth() { --*d; }
      int* d;
    } depth(&depth_);
    if (depth_ > options_.max_nesting) return Fail(e.offset, "expression nested too deeply");
    switch (e.kind) {
      case ExprKind::kConst:
        return {Make<ConstNode>(e.offset, e.constant), e.constant.kind()};
      case ExprKind::kIdent:
        return CompileIdent(e);
      case ExprKind::kSelect:
        return CompileSelect(e);
      case ExprKind::kCall:
        return CompileCall(e);
      case ExprKind::kList:
        return CompileList(e);
      case ExprKind::kMap:
        return CompileMap(e);
      case ExprKind::kStruct:
        return Fail(e.offset, "message construction '" + e.name +
                                  "{...}' is not supported (keel has no protobuf messages)");
      case ExprKind::kComprehension:
        return CompileComprehension(e);
    }
    return Fail(e.offset, "unsupported expression");
  }

  // A comprehension variable, a declared variable, or a type name.
  std::optional<Compiled> Resolve(std::string_view name, int32_t offset, bool include_locals) {
    if (!name.empty() && name.front() == '.') {
      name.remove_prefix(1);
      include_locals = false;
    }
    if (include_locals) {
      for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
        if (it->first == name) return Compiled{Make<LocalNode>(offset, it->second), Kind::kDyn};
      }
    }
    for (const VariableDecl& decl : options_.variables) {
      if (decl.name != name) continue;
      int index = 0;
      while (index < static_cast<int>(used_.size()) && used_[index].name != name) ++index;
      if (index == static_cast<int>(used_.size())) used_.push_back(decl);
      return Compiled{Make<VarNode>(offset, index, decl.name, decl.type), decl.type};
    }
    if (auto type = TypeNamed(name)) return Compiled{Make<ConstNode>(offset, Value::Type(*type)), Kind::kType};
    return std::nullopt;
  }

  Compiled Unresolved(std::string_view name, int32_t offset) {
    if (options_.type_check) return Fail(offset, "undeclared reference to '" + std::string(name) + "'");
    std::string plain(name.front() == '.' ? name.substr(1) : name);
    return {Make<DynamicVarNode>(offset, std::move(plain)), Kind::kDyn};
  }

  Compiled CompileIdent(const Expr& e) {
    if (auto c = Resolve(e.name, e.offset, true)) return std::move(*c);
    return Unresolved(e.name, e.offset);
  }

  bool IsLocal(std::string_view name) const {
    for (const auto& scope : scopes_) {
      if (scope.first == name) return true;
    }
    return false;
  }

  // a.b.c may name a declared variable or type with dots in its name; the
  // longest such prefix wins, the rest are field selections.
  std::optional<Compiled> ResolveQualified(const Expr& e) {
    std::vector<const Expr*> chain;
    const Expr* at = &e;
    while (at->kind == ExprKind::kSelect && !at->test_only && !at->optional) {
      chain.push_back(at);
      at = at->operand.get();
    }
    if (at->kind != ExprKind::kIdent || IsLocal(at->name)) return std::nullopt;
    std::vector<std::string> names = {at->name};
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) names.push_back(names.back() + "." + (*it)->name);
    // names[k] spans k selections; chain[chain.size() - k] is the select that ends it.
    for (size_t k = chain.size(); k >= 1; --k) {
      std::optional<Compiled> c = Resolve(names[k], chain[chain.size() - k]->offset, false);
      if (!c) continue;
      for (size_t j = k + 1; j <= chain.size(); ++j) {
        const Expr* select = chain[chain.size() - j];
        c->node = SelectField(std::move(c->node), select->offset, select->name);
        c->kind = Kind::kDyn;
      }
      return c;
    }
    return std::nullopt;
  }

  // operand.field; extends a path of selections rather than nesting nodes.
  NodePtr SelectField(NodePtr operand, int32_t offset, const std::string& field) {
    if (auto* path = dynamic_cast<FieldPathNode*>(operand.get())) {
      path->Append(offset, field);
      ++node_count_;
      return operand;
    }
    return Make<FieldPathNode>(offset, std::move(operand), field);
  }

  Compiled CompileSelect(const Expr& e) {
    if (!e.test_only) {
      if (auto c = ResolveQualified(e)) return std::move(*c);
    }
    Compiled operand = Compile(*e.operand);
    if (e.optional) {
      if (options_.type_check && !Fits(operand.kind, {Kind::kMap, Kind::kOptional})) {
        return Fail(e.offset, "cannot select field '" + e.name + "' from " + std::string(KindName(operand.kind)));
      }
      NodePtr field = Make<ConstNode>(e.offset, Value::String(e.name));
      return {Make<OptionalAccessNode>(e.offset, std::move(operand.node), std::move(field)), Kind::kOptional};
    }
    if (options_.type_check && !Fits(operand.kind, {Kind::kMap, Kind::kOptional})) {
      return Fail(e.offset, std::string(e.test_only ? "has() needs a map field, but the operand is "
                                                    : "cannot select a field from ") +
                                std::string(KindName(operand.kind)));
    }
    if (e.test_only) return {Make<HasFieldNode>(e.offset, std::move(operand.node), e.name), Kind::kBool};
    Kind kind = operand.kind == Kind::kOptional ? Kind::kOptional : Kind::kDyn;
    return {SelectField(std::move(operand.node), e.offset, e.name), kind};
  }

  Compiled CompileList(const Expr& e) {
    std::vector<NodePtr> items;
    bool constant = true;
    for (const ExprPtr& arg : e.args) {
      Compiled c = Compile(*arg);
      constant = constant && c.node->Constant() != nullptr;
      items.push_back(std::move(c.node));
    }
    if (!e.optional_items.empty()) return {Make<ListNode>(e.offset, std::move(items), e.optional_items), Kind::kList};
    if (constant) {
      std::vector<Value> values;
      for (const NodePtr& n : items) values.push_back(*n->Constant());
      return {Make<ConstNode>(e.offset, Value::List(std::move(values))), Kind::kList};
    }
    return {Make<ListNode>(e.offset, std::move(items)), Kind::kList};
  }

  Compiled CompileMap(const Expr& e) {
    std::vector<std::pair<NodePtr, NodePtr>> entries;
    bool constant = true;
    for (const auto& [key, value] : e.entries) {
      Compiled k = Compile(*key);
      Compiled v = Compile(*value);
      if (options_.type_check && !Fits(k.kind, {Kind::kString, Kind::kInt, Kind::kUint, Kind::kBool})) {
        return Fail(key->offset, "unsupported map key type " + std::string(KindName(k.kind)));
      }
      constant = constant && k.node->Constant() != nullptr && v.node->Constant() != nullptr;
      entries.emplace_back(std::move(k.node), std::move(v.node));
    }
    if (!e.optional_items.empty()) return {Make<MapNode>(e.offset, std::move(entries), e.optional_items), Kind::kMap};
    if (constant) {
      std::vector<MapEntry> values;
      for (const auto& [k, v] : entries) values.emplace_back(*k->Constant(), *v->Constant());
      Result<Value> map = Value::Map(std::move(values));
      // A repeated key stays an evaluation error, as CEL defines it.
      if (map.ok()) return {Make<ConstNode>(e.offset, std::move(map).value()), Kind::kMap};
    }
    return {Make<MapNode>(e.offset, std::move(entries)), Kind::kMap};
  }

  Compiled CompileComprehension(const Expr& e) {
    const MacroKind m = e.macro;
    const bool optional_macro = m == MacroKind::kOptMap || m == MacroKind::kOptFlatMap;
    Compiled range = Compile(*e.operand);
    if (options_.type_check && optional_macro && !Fits(range.kind, {Kind::kOptional})) {
      return Fail(e.offset, e.name + "() needs an optional value, found " + std::string(KindName(range.kind)));
    }
    if (options_.type_check && m != MacroKind::kBind && !optional_macro &&
        !Fits(range.kind, {Kind::kList, Kind::kMap})) {
      return Fail(e.offset, e.name + "() needs a list or a map, found " + std::string(KindName(range.kind)));
    }
    if (options_.type_check && m == MacroKind::kSortBy && !Fits(range.kind, {Kind::kList})) {
      return Fail(e.offset, "sortBy() needs a list, found " + std::string(KindName(range.kind)));
    }
    int slot = local_count_++;
    scopes_.emplace_back(e.iter_var, slot);
    int slot2 = -1;
    if (!e.iter_var2.empty()) {
      slot2 = local_count_++;
      scopes_.emplace_back(e.iter_var2, slot2);
    }
    int64_t before = node_count_;
    Compiled first = Compile(*e.args[0]);
    Compiled second;
    if (e.args.size() > 1) second = Compile(*e.args[1]);
    int64_t body_cost = node_count_ - before;
    scopes_.pop_back();
    if (slot2 >= 0) scopes_.pop_back();
    const bool transform = m == MacroKind::kTransformList || m == MacroKind::kTransformMap ||
                           m == MacroKind::kTransformMapEntry;
    bool first_is_predicate = m == MacroKind::kAll || m == MacroKind::kExists || m == MacroKind::kExistsOne ||
                              m == MacroKind::kFilter || m == MacroKind::kMapFilter || (transform && e.args.size() > 1);
    if (options_.type_check && first_is_predicate && !Fits(first.kind, {Kind::kBool})) {
      return Fail(e.args[0]->offset, "the predicate of " + e.name + "() must be bool, found " +
                                         std::string(KindName(first.kind)));
    }
    if (options_.type_check && m == MacroKind::kOptFlatMap && !Fits(first.kind, {Kind::kOptional})) {
      return Fail(e.args[0]->offset, "optFlatMap() needs an optional from its transform, found " +
                                         std::string(KindName(first.kind)));
    }
    Kind kind = Kind::kList;
    switch (m) {
      case MacroKind::kAll:
      case MacroKind::kExists:
      case MacroKind::kExistsOne:
        kind = Kind::kBool;
        break;
      case MacroKind::kTransformMap:
      case MacroKind::kTransformMapEntry:
        kind = Kind::kMap;
        break;
      case MacroKind::kBind:
        kind = first.kind;
        break;
      case MacroKind::kOptMap:
      case MacroKind::kOptFlatMap:
        kind = Kind::kOptional;
        break;
      default:
        break;
    }
    return {Make<ComprehensionNode>(e.offset, m, std::move(range.node), slot, slot2, std::move(first.node),
                                    std::move(second.node), 1 + body_cost),
            kind};
  }

  // `math.greatest(...)`, `strings.quote(...)`: a receiver that names no
  // variable but, with the function's name, a namespaced global function.
  std::optional<std::string> NamespacedFunction(const Expr& e) const {
    if (e.operand == nullptr || !IsQualifiedName(*e.operand)) return std::nullopt;
    std::string ns = QualifiedName(*e.operand);
    std::string root = ns.substr(0, ns.find('.'));
    if (IsLocal(root)) return std::nullopt;
    for (const VariableDecl& decl : options_.variables) {
      if (decl.name == root || ns.starts_with(decl.name + ".")) return std::nullopt;
    }
    std::string full = ns + "." + e.name;
    int arity = static_cast<int>(e.args.size());
    if (IsVariadic(full) && arity >= 1) return full;
    if (FunctionRegistry::Get().Find(full, false, arity) == nullptr) return std::nullopt;
    return full;
  }
  static bool IsVariadic(std::string_view name) { return name == "math.greatest" || name == "math.least"; }
  static bool IsQualifiedName(const Expr& e) {
    if (e.kind == ExprKind::kIdent) return !e.name.empty() && e.name.front() != '.';
    return e.kind == ExprKind::kSelect && !e.test_only && IsQualifiedName(*e.operand);
  }
  static std::string QualifiedName(const Expr& e) {
    if (e.kind == ExprKind::kIdent) return e.name;
    return QualifiedName(*e.operand) + "." + e.name;
  }

  Compiled CompileCall(const Expr& e) {
    if (e.operand == nullptr) {
      if (std::optional<Compiled> c = CompileOperator(e)) return std::move(*c);
    }
    std::vector<const Expr*> arg_exprs;
    std::string name = e.name;
    bool member = e.operand != nullptr;
    if (std::optional<std::string> full = NamespacedFunction(e)) {
      name = *full;
      member = false;
    } else if (e.operand) {
      arg_exprs.push_back(e.operand.get());
    }
    for (const ExprPtr& a : e.args) arg_exprs.push_back(a.get());
    const bool variadic = IsVariadic(name) && arg_exprs.size() > 1;
    const int arity = variadic ? 1 : static_cast<int>(arg_exprs.size());
    const FunctionRegistry& registry = FunctionRegistry::Get();
    const Function* fn = registry.Find(name, member, arity);
    if (fn == nullptr || arity > kMaxCallArgs) return UnknownFunction(e, name, member, arity);

    std::vector<NodePtr> args;
    std::vector<Kind> kinds;
    for (const Expr* a : arg_exprs) {
      Compiled c = Compile(*a);
      args.push_back(std::move(c.node));
      kinds.push_back(c.kind);
    }
    if (failed()) return Fail(e.offset, "");
    // math.greatest(a, b, c) is math.greatest([a, b, c]).
    if (variadic) {
      args = VectorOf(Make<ListNode>(e.offset, std::move(args)));
      kinds = {Kind::kList};
    }
    if (name == "matches" && arity == 2 && args[1]->Constant() != nullptr && args[1]->Constant()->kind() == Kind::kString) {
      return CompileMatches(e, std::move(args));
    }
    if (!CheckConstantZone(e, member, args)) return Fail(e.offset, "");
    std::vector<const Overload*> candidates = fn->Candidates(kinds);
    if (candidates.empty() && options_.type_check) {
      std::string message = "no matching overload for '" + DisplayName(name) + "' applied to (";
      for (size_t i = 0; i < kinds.size(); ++i) message += (i ? ", " : "") + std::string(KindName(kinds[i]));
      return Fail(e.offset, message + ")");
    }
    Kind result = candidates.empty() ? Kind::kDyn : candidates[0]->result;
    for (const Overload* o : candidates) {
      if (o->result != result) result = Kind::kDyn;
    }
    bool all_known = std::none_of(kinds.begin(), kinds.end(), [](Kind k) { return k == Kind::kDyn; });
    FnImpl direct = candidates.size() == 1 && all_known ? candidates[0]->impl : nullptr;
    ++node_count_;
    return {MakeCallNode(e.offset, fn, direct, std::move(args)), result};
  }

  static std::vector<NodePtr> VectorOf(NodePtr node) {
    std::vector<NodePtr> v;
    v.push_back(std::move(node));
    return v;
  }

  Compiled UnknownFunction(const Expr& e, const std::string& fn_name, bool member, int arity) {
    const FunctionRegistry& registry = FunctionRegistry::Get();
    std::string name = DisplayName(fn_name);
    std::string message;
    if (registry.HasName(fn_name, member)) {
      message = "'" + name + "' does not take " + std::to_string(member ? arity - 1 : arity) + " argument" +
                (arity - member == 1 ? "" : "s");
    } else if (registry.HasName(fn_name, !member)) {
      message = member ? "'" + name + "' is a function: call it as " + name + "(x, ...), not x." + name + "(...)"
                       : "'" + name + "' is a method: call it as x." + name + "(...)";
    } else {
      message = "undeclared function '" + name + "'";
    }
    if (options_.type_check) return Fail(e.offset, message);
    return {Make<ErrorNode>(e.offset, ErrorCode::kUnbound, "unbound function: " + message), Kind::kDyn};
  }

  // A time zone written as a literal must exist: a typo fails at load.
  bool CheckConstantZone(const Expr& e, bool member, const std::vector<NodePtr>& args) {
    static const std::pair<std::string_view, size_t> kZoneArgs[] = {
        {"add_business_days", 3}, {"is_business_day", 2}, {"business_days_between", 3}, {"start_of_day", 2}};
    bool takes_zone = member && args.size() == 2 && e.name.starts_with("get");
    for (const auto& [name, arity] : kZoneArgs) takes_zone |= !member && e.name == name && args.size() == arity;
    const Value* zone = takes_zone ? args.back()->Constant() : nullptr;
    if (zone == nullptr || zone->kind() != Kind::kString) return true;
    Result<std::shared_ptr<const TimeZone>> loaded = TimeZone::Load(zone->AsString());
    if (loaded.ok()) return true;
    Fail(e.args.back()->offset, loaded.status().message());
    return false;
  }

  Compiled CompileMatches(const Expr& e, std::vector<NodePtr> args) {
    std::string_view pattern = args[1]->Constant()->AsString();
    RE2::Options re_options;
    re_options.set_log_errors(false);
    auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), re_options);
    if (!re->ok()) {
      int32_t at = e.args.empty() ? e.offset : e.args.back()->offset;
      return Fail(at, "invalid regular expression: " + re->error());
    }
    return {Make<MatchesNode>(e.offset, std::move(args[0]), std::move(re)), Kind::kBool};
  }

  // The operators that are not plain strict functions.
  std::optional<Compiled> CompileOperator(const Expr& e) {
    const std::string& n = e.name;
    const auto& a = e.args;
    if ((n == op::kAnd || n == op::kOr) && a.size() == 2) {
      Compiled l = Compile(*a[0]), r = Compile(*a[1]);
      if (options_.type_check && (!Fits(l.kind, {Kind::kBool}) || !Fits(r.kind, {Kind::kBool}))) {
        Kind bad = Fits(l.kind, {Kind::kBool}) ? r.kind : l.kind;
        return Fail(e.offset, "'" + DisplayName(n) + "' needs bool operands, found " + std::string(KindName(bad)));
      }
      return Compiled{Make<LogicNode>(e.offset, n == op::kAnd, std::move(l.node), std::move(r.node)), Kind::kBool};
    }
    if (n == op::kConditional && a.size() == 3) {
      Compiled c = Compile(*a[0]), y = Compile(*a[1]), no = Compile(*a[2]);
      if (options_.type_check && !Fits(c.kind, {Kind::kBool})) {
        return Fail(a[0]->offset, "the condition of '?:' must be bool, found " + std::string(KindName(c.kind)));
      }
      Kind kind = y.kind == no.kind ? y.kind : Kind::kDyn;
      return Compiled{Make<ConditionalNode>(e.offset, std::move(c.node), std::move(y.node), std::move(no.node)), kind};
    }
    if ((n == op::kEquals || n == op::kNotEquals) && a.size() == 2) {
      Compiled l = Compile(*a[0]), r = Compile(*a[1]);
      return Compiled{Make<EqualsNode>(e.offset, n == op::kNotEquals, std::move(l.node), std::move(r.node)),
                      Kind::kBool};
    }
    if (n == op::kIn && a.size() == 2) {
      Compiled l = Compile(*a[0]), r = Compile(*a[1]);
      if (options_.type_check && !Fits(r.kind, {Kind::kList, Kind::kMap})) {
        return Fail(e.offset, "'in' needs a list or a map on its right, found " + std::string(KindName(r.kind)));
      }
      return Compiled{Make<InNode>(e.offset, std::move(l.node), std::move(r.node)), Kind::kBool};
    }
    if ((n == op::kIndex || n == op::kOptionalIndex) && a.size() == 2) {
      Compiled c = Compile(*a[0]), i = Compile(*a[1]);
      if (options_.type_check && !Fits(c.kind, {Kind::kList, Kind::kMap, Kind::kOptional})) {
        return Fail(e.offset, "cannot index " + std::string(KindName(c.kind)));
      }
      if (n == op::kOptionalIndex) {
        return Compiled{Make<OptionalAccessNode>(e.offset, std::move(c.node), std::move(i.node)), Kind::kOptional};
      }
      Kind kind = c.kind == Kind::kOptional ? Kind::kOptional : Kind::kDyn;
      return Compiled{Make<IndexNode>(e.offset, std::move(c.node), std::move(i.node)), kind};
    }
    if (n == "dyn" && a.size() == 1) {
      Compiled c = Compile(*a[0]);
      c.kind = Kind::kDyn;
      return c;
    }
    return std::nullopt;
  }

  const CompileOptions& options_;
  std::vector<std::pair<std::string, int>> scopes_;
  std::vector<VariableDecl> used_;
  int local_count_ = 0;
  int depth_ = 0;
  int64_t node_count_ = 0;
  std::string error_;
  int32_t error_offset_ = 0;
};

}  // namespace

Result<CompiledExpr> CompileTree(const Expr& expr, const CompileOptions& options, int32_t* error_offset) {
  Compiler compiler(options);
  return compiler.Run(expr, error_offset);
}

}  // namespace keel::cel
