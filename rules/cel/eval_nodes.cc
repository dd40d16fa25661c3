// Evaluation of the nodes that access values and combine them.
#include "rules/cel/eval_nodes_internal.h"

namespace keel::cel {
namespace {

const Value kBools[2] = {Value::Bool(false), Value::Bool(true)};

std::string KindOf(const Value* v) { return std::string(KindName(v->kind())); }

}  // namespace

const Value* BoolValue(bool b) { return &kBools[b ? 1 : 0]; }

const Value* Node::Located(Value* scratch, Value v) const {
  if (v.IsError() && v.ErrorOffset() < 0 && ValueAccess::RefCount(v) == 1) {
    ValueAccess::MutableError(v)->offset = offset_;
  }
  *scratch = std::move(v);
  return scratch;
}

const Value* VarNode::Unbound(EvalContext& ctx, Value* scratch) const {
  const Value* v = ctx.vars[index_];
  if (v == nullptr) {
    v = ctx.activation->FindOrBindLate(name_);
    ctx.vars[index_] = v;
    if (const Value* bound = Get(ctx)) return bound;
  }
  if (v == nullptr) return Fail(scratch, ErrorCode::kUnbound, "no value is bound to variable '" + name_ + "'");
  if (v->IsError()) return v;
  return Fail(scratch, ErrorCode::kNoMatchingOverload,
              "variable '" + name_ + "' is declared " + std::string(KindName(kind_)) + " but holds " + KindOf(v));
}

const Value* DynamicVarNode::Eval(EvalContext& ctx, Value* scratch) const {
  const Value* v = ctx.activation->FindOrBindLate(name_);
  if (v == nullptr) return Fail(scratch, ErrorCode::kUnbound, "undeclared reference to '" + name_ + "'");
  return v;
}

HasFieldNode::HasFieldNode(int32_t offset, NodePtr operand, std::string field)
    : Node(offset), operand_(std::move(operand)), field_(std::move(field)), hash_(internal::HashBytes(field_)) {}

const Value* HasFieldNode::Eval(EvalContext& ctx, Value* scratch) const {
  Value tmp;
  const Value* operand = operand_->Eval(ctx, &tmp);
  if (operand->IsError()) return Keep(operand, &tmp, scratch);
  if (operand->kind() == Kind::kOptional) {
    operand = OptionalInner(*operand);
    if (operand == nullptr) return BoolValue(false);
  }
  if (operand->kind() != Kind::kMap) {
    return Fail(scratch, ErrorCode::kNoMatchingOverload, "has() needs a map, found " + KindOf(operand));
  }
  return BoolValue(internal::FindStringKey(ValueAccess::Map(*operand), field_, hash_) != nullptr);
}

void FieldPathNode::Append(int32_t offset, std::string field) {
  uint64_t hash = internal::HashBytes(field);
  fields_.push_back(Field{std::move(field), hash, offset});
}

const Value* FieldPathNode::Eval(EvalContext& ctx, Value* scratch) const {
  Value tmp;
  const Value* v = var_ != nullptr ? var_->Get(ctx) : nullptr;
  if (v == nullptr) v = operand_->Eval(ctx, &tmp);
  if (v->IsError()) return Keep(v, &tmp, scratch);
  const bool temporary = v == &tmp;
  for (const Field& f : fields_) {
    const Value* next = v->kind() == Kind::kMap ? internal::FindStringKey(ValueAccess::Map(*v), f.name, f.hash)
                                                : nullptr;
    if (next == nullptr) return Missing(f, v, scratch);
    v = next;
  }
  return Borrow(v, temporary, scratch);
}

const Value* FieldPathNode::OptionalPath(size_t k, const Value* v, Value* scratch) const {
  Value result = *v;
  for (; k < fields_.size(); ++k) {
    const Field& f = fields_[k];
    const Value* inner = OptionalInner(result);
    if (inner == nullptr) break;
    if (inner->kind() != Kind::kMap) return Missing(f, inner, scratch);
    const Value* next = internal::FindStringKey(ValueAccess::Map(*inner), f.name, f.hash);
    result = next == nullptr ? Value::OptionalNone()
             : next->kind() == Kind::kOptional ? *next
                                               : Value::OptionalOf(*next);
  }
  *scratch = std::move(result);
  return scratch;
}

const Value* FieldPathNode::Missing(const Field& f, const Value* v, Value* scratch) const {
  if (v->kind() == Kind::kOptional) return OptionalPath(static_cast<size_t>(&f - fields_.data()), v, scratch);
  Value error = v->kind() == Kind::kMap
                    ? Value::Error(ErrorCode::kNoSuchKey, "no such key: '" + f.name + "'")
                    : Value::Error(ErrorCode::kNoMatchingOverload,
                                   "cannot select field '" + f.name + "' from " + KindOf(v));
  ValueAccess::MutableError(error)->offset = f.offset;
  *scratch = std::move(error);
  return scratch;
}

const Value* IndexNode::Eval(EvalContext& ctx, Value* scratch) const {
  Value container_tmp, index_tmp;
  const Value* c = container_->Eval(ctx, &container_tmp);
  if (c->IsError()) return Keep(c, &container_tmp, scratch);
  const Value* i = index_->Eval(ctx, &index_tmp);
  if (i->IsError()) return Keep(i, &index_tmp, scratch);
  const Value* element = nullptr;
  if (c->kind() == Kind::kOptional) {
    const Value* inner = OptionalInner(*c);
    if (inner == nullptr) return Keep(c, &container_tmp, scratch);
    Value error;
    const Value* found = ElementAt(*inner, *i, &error);
    if (error.IsError()) return Located(scratch, std::move(error));
    *scratch = found == nullptr ? Value::OptionalNone() : Value::OptionalOf(*found);
    return scratch;
  }
  if (c->kind() == Kind::kList) {
    int64_t index;
    switch (i->kind()) {
      case Kind::kInt:
        index = i->AsInt();
        break;
      case Kind::kUint:
        index = i->AsUint() > static_cast<uint64_t>(INT64_MAX) ? -1 : static_cast<int64_t>(i->AsUint());
        break;
      case Kind::kDouble: {
        double d = i->AsDouble();
        if (!(d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
          return Fail(scratch, ErrorCode::kInvalidArgument, "list index " + i->DebugString() + " is not an integer");
        }
        index = static_cast<int64_t>(d);
        break;
      }
      default:
        return Fail(scratch, ErrorCode::kNoMatchingOverload, "list index must be a number, found " + KindOf(i));
    }
    auto items = c->ListItems();
    if (index < 0 || static_cast<uint64_t>(index) >= items.size()) {
      return Fail(scratch, ErrorCode::kIndexOutOfRange,
                  "index " + std::to_string(index) + " out of range for a list of size " + std::to_string(items.size()));
    }
    element = &items[static_cast<size_t>(index)];
  } else if (c->kind() == Kind::kMap) {
    element = c->MapFind(*i);
    if (element == nullptr) return Fail(scratch, ErrorCode::kNoSuchKey, "no such key: " + i->DebugString());
  } else {
    return Fail(scratch, ErrorCode::kNoMatchingOverload, "cannot index " + KindOf(c));
  }
  return Borrow(element, c == &container_tmp, scratch);
}

template <int N>
const Value* CallNode<N>::Eval(EvalContext& ctx, Value* scratch) const {
  const Value* args[N > 0 ? N : 1] = {};
  Value tmps[N > 0 ? N : 1];
  for (int i = 0; i < N; ++i) {
    args[i] = args_[i]->Eval(ctx, &tmps[i]);
    if (args[i]->IsError()) return Keep(args[i], &tmps[i], scratch);
  }
  FnImpl impl = direct_ != nullptr ? direct_ : function_->Dispatch(args);
  if (impl == nullptr) return NoOverload(args, scratch);
  *scratch = impl(args, ctx);
  if (scratch->IsError() || ctx.aborted) return Failed(ctx, scratch);
  return scratch;
}

template <int N>
const Value* CallNode<N>::NoOverload(const Value* const* args, Value* scratch) const {
  return Located(scratch, NoMatchingOverload(function_->name, args, N));
}

// The function failed or spent the budget: this call is where.
template <int N>
const Value* CallNode<N>::Failed(EvalContext& ctx, Value* scratch) const {
  if (ctx.aborted && ctx.abort_offset < 0) ctx.abort_offset = offset();
  return Located(scratch, std::move(*scratch));
}

NodePtr MakeCallNode(int32_t offset, const Function* function, FnImpl direct, std::vector<NodePtr> args) {
  switch (args.size()) {
    case 0: return std::make_unique<CallNode<0>>(offset, function, direct, std::move(args));
    case 1: return std::make_unique<CallNode<1>>(offset, function, direct, std::move(args));
    case 2: return std::make_unique<CallNode<2>>(offset, function, direct, std::move(args));
    case 3: return std::make_unique<CallNode<3>>(offset, function, direct, std::move(args));
    default: return std::make_unique<CallNode<4>>(offset, function, direct, std::move(args));
  }
}

const Value* LogicNode::Eval(EvalContext& ctx, Value* scratch) const {
  // && is decided by a false operand, || by a true one, whichever side it is on.
  const bool decisive = !is_and_;
  Value left_tmp, right_tmp;
  const Value* l = left_->Eval(ctx, &left_tmp);
  if (l->kind() == Kind::kBool && l->AsBool() == decisive) return BoolValue(decisive);
  const Value* r = right_->Eval(ctx, &right_tmp);
  if (r->kind() == Kind::kBool && r->AsBool() == decisive) return BoolValue(decisive);
  if (l->kind() == Kind::kBool && r->kind() == Kind::kBool) return BoolValue(!decisive);
  const char* op = is_and_ ? "&&" : "||";
  if (l->IsError()) return Keep(l, &left_tmp, scratch);
  if (l->kind() != Kind::kBool) {
    return Fail(scratch, ErrorCode::kNoMatchingOverload, std::string("'") + op + "' needs bool operands, found " + KindOf(l));
  }
  if (r->IsError()) return Keep(r, &right_tmp, scratch);
  return Fail(scratch, ErrorCode::kNoMatchingOverload, std::string("'") + op + "' needs bool operands, found " + KindOf(r));
}

const Value* ConditionalNode::Eval(EvalContext& ctx, Value* scratch) const {
  Value tmp;
  const Value* c = cond_->Eval(ctx, &tmp);
  if (c->IsError()) return Keep(c, &tmp, scratch);
  if (c->kind() != Kind::kBool) {
    return Fail(scratch, ErrorCode::kNoMatchingOverload, "the condition of '?:' must be bool, found " + KindOf(c));
  }
  return (c->AsBool() ? yes_ : no_)->Eval(ctx, scratch);
}

namespace {
int64_t EqualityCost(const Value& v) {
  if (v.kind() == Kind::kList) return static_cast<int64_t>(v.ListItems().size());
  if (v.kind() == Kind::kMap) return static_cast<int64_t>(v.MapSize());
  return 0;
}
}  // namespace

const Value* EqualsNode::Eval(EvalContext& ctx, Value* scratch) const {
  Value left_tmp, right_tmp;
  const Value* l = left_->Eval(ctx, &left_tmp);
  if (l->IsError()) return Keep(l, &left_tmp, scratch);
  const Value* r = right_->Eval(ctx, &right_tmp);
  if (r->IsError()) return Keep(r, &right_tmp, scratch);
  if (l->kind() == Kind::kString && r->kind() == Kind::kString) {
    return BoolValue(internal::BytesEqual(l->AsString(), r->AsString()) != negate_);
  }
  if (int64_t cost = EqualityCost(*l); cost > 0 && !ctx.Charge(cost)) return Aborted(ctx, scratch);
  return BoolValue(l->Equals(*r) != negate_);
}

const Value* InNode::Eval(EvalContext& ctx, Value* scratch) const {
  Value element_tmp, container_tmp;
  const Value* e = element_->Eval(ctx, &element_tmp);
  if (e->IsError()) return Keep(e, &element_tmp, scratch);
  const Value* c = container_->Eval(ctx, &container_tmp);
  if (c->IsError()) return Keep(c, &container_tmp, scratch);
  if (c->kind() == Kind::kList) {
    auto items = c->ListItems();
    if (!ctx.Charge(static_cast<int64_t>(items.size()))) return Aborted(ctx, scratch);
    if (e->kind() == Kind::kString) {
      std::string_view needle = e->AsString();
      for (const Value& item : items) {
        if (item.kind() == Kind::kString && internal::BytesEqual(item.AsString(), needle)) return BoolValue(true);
      }
      return BoolValue(false);
    }
    for (const Value& item : items) {
      if (item.Equals(*e)) return BoolValue(true);
    }
    return BoolValue(false);
  }
  if (c->kind() == Kind::kMap) return BoolValue(c->MapFind(*e) != nullptr);
  return Fail(scratch, ErrorCode::kNoMatchingOverload, "'in' needs a list or a map on its right, found " + KindOf(c));
}

const Value* ListNode::Eval(EvalContext& ctx, Value* scratch) const {
  std::vector<Value> items;
  items.reserve(items_.size());
  for (size_t n = 0; n < items_.size(); ++n) {
    Value tmp;
    const Value* v = items_[n]->Eval(ctx, &tmp);
    if (v->IsError()) return Keep(v, &tmp, scratch);
    if (!optional_.empty() && optional_[n]) {
      if (v->kind() != Kind::kOptional) {
        return Fail(scratch, ErrorCode::kNoMatchingOverload, "a list element written ?e must be optional, found " + KindOf(v));
      }
      if (!v->OptionalHasValue()) continue;
      items.push_back(v->OptionalValue());
      continue;
    }
    items.push_back(v == &tmp ? std::move(tmp) : *v);
  }
  *scratch = Value::List(std::move(items));
  return scratch;
}

const Value* MapNode::Eval(EvalContext& ctx, Value* scratch) const {
  std::vector<MapEntry> entries;
  entries.reserve(entries_.size());
  size_t skipped = 0;
  for (const auto& [key_node, value_node] : entries_) {
    Value key_tmp, value_tmp;
    const Value* k = key_node->Eval(ctx, &key_tmp);
    if (k->IsError()) return Keep(k, &key_tmp, scratch);
    const Value* v = value_node->Eval(ctx, &value_tmp);
    if (v->IsError()) return Keep(v, &value_tmp, scratch);
    if (!optional_.empty() && optional_[entries.size() + skipped]) {
      if (v->kind() != Kind::kOptional) {
        return Fail(scratch, ErrorCode::kNoMatchingOverload, "a map value written ?k: v must be optional, found " + KindOf(v));
      }
      if (!v->OptionalHasValue()) {
        ++skipped;
        continue;
      }
      v = &v->OptionalValue();
    }
    Kind kind = k->kind();
    if (kind != Kind::kString && kind != Kind::kInt && kind != Kind::kUint && kind != Kind::kBool) {
      return Fail(scratch, ErrorCode::kInvalidArgument, "unsupported map key type " + KindOf(k));
    }
    entries.emplace_back(*k, *v);
  }
  std::string error;
  Value map = MakeMap(std::move(entries), &error);
  if (!error.empty()) return Fail(scratch, ErrorCode::kInvalidArgument, error);
  *scratch = std::move(map);
  return scratch;
}

const Value* MatchesNode::Eval(EvalContext& ctx, Value* scratch) const {
  Value tmp;
  const Value* s = subject_->Eval(ctx, &tmp);
  if (s->IsError()) return Keep(s, &tmp, scratch);
  if (s->kind() != Kind::kString) {
    return Fail(scratch, ErrorCode::kNoMatchingOverload, "matches() applies to strings, found " + KindOf(s));
  }
  std::string_view text = s->AsString();
  if (!ctx.Charge(StringCost(text.size()))) return Aborted(ctx, scratch);
  return BoolValue(RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_));
}

}  // namespace keel::cel
