// Optional values in the evaluator: `x.?f`, `x[?k]`, selections and indexes
// on an optional, and the optMap / optFlatMap macros.
#include "rules/cel/eval_nodes_internal.h"

namespace keel::cel {

const Value* OptionalInner(const Value& v) { return v.OptionalHasValue() ? &v.OptionalValue() : nullptr; }

const Value* ElementAt(const Value& container, const Value& index, Value* error) {
  if (container.kind() == Kind::kMap) return container.MapFind(index);
  if (container.kind() != Kind::kList) {
    *error = Value::Error(ErrorCode::kNoMatchingOverload, "cannot index " + std::string(KindName(container.kind())));
    return nullptr;
  }
  int64_t i;
  switch (index.kind()) {
    case Kind::kInt:
      i = index.AsInt();
      break;
    case Kind::kUint:
      i = index.AsUint() > static_cast<uint64_t>(INT64_MAX) ? -1 : static_cast<int64_t>(index.AsUint());
      break;
    case Kind::kDouble: {
      double d = index.AsDouble();
      if (!(d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
        *error = Value::Error(ErrorCode::kInvalidArgument, "list index " + index.DebugString() + " is not an integer");
        return nullptr;
      }
      i = static_cast<int64_t>(d);
      break;
    }
    default:
      *error = Value::Error(ErrorCode::kNoMatchingOverload,
                            "list index must be a number, found " + std::string(KindName(index.kind())));
      return nullptr;
  }
  auto items = container.ListItems();
  if (i < 0 || static_cast<uint64_t>(i) >= items.size()) return nullptr;
  return &items[static_cast<size_t>(i)];
}

const Value* OptionalAccessNode::Eval(EvalContext& ctx, Value* scratch) const {
  Value operand_tmp, index_tmp;
  const Value* operand = operand_->Eval(ctx, &operand_tmp);
  if (operand->IsError()) return Keep(operand, &operand_tmp, scratch);
  if (operand->kind() == Kind::kOptional) {
    operand = OptionalInner(*operand);
    if (operand == nullptr) {
      *scratch = Value::OptionalNone();
      return scratch;
    }
  }
  const Value* index = index_->Eval(ctx, &index_tmp);
  if (index->IsError()) return Keep(index, &index_tmp, scratch);
  Value error;
  const Value* found = ElementAt(*operand, *index, &error);
  if (error.IsError()) return Located(scratch, std::move(error));
  *scratch = found == nullptr ? Value::OptionalNone() : Value::OptionalOf(*found);
  return scratch;
}

// o.optMap(x, t): optional.of(t) with x the value, or none; o.optFlatMap(x,
// t): t itself, which must be optional.
const Value* ComprehensionNode::OptionalMap(EvalContext& ctx, const Value& optional, Value* scratch) const {
  const char* name = macro_ == MacroKind::kOptMap ? "optMap" : "optFlatMap";
  if (optional.kind() != Kind::kOptional) {
    return Fail(scratch, ErrorCode::kNoMatchingOverload,
                std::string(name) + "() needs an optional value, found " + std::string(KindName(optional.kind())));
  }
  if (!optional.OptionalHasValue()) {
    *scratch = optional;
    return scratch;
  }
  if (!ctx.Charge(iteration_cost_)) return Aborted(ctx, scratch);
  ctx.locals[slot_] = optional.OptionalValue();
  Value tmp;
  const Value* v = first_->Eval(ctx, &tmp);
  Value result = v->IsError() || macro_ == MacroKind::kOptFlatMap ? *v : Value::OptionalOf(*v);
  ctx.locals[slot_] = Value();
  if (!result.IsError() && result.kind() != Kind::kOptional) {
    return Fail(scratch, ErrorCode::kNoMatchingOverload,
                "optFlatMap() needs an optional from its transform, found " + std::string(KindName(result.kind())));
  }
  return Located(scratch, std::move(result));
}

}  // namespace keel::cel
