// The macros' loops. Each follows CEL's expansion of the macro, so errors are
// absorbed or propagated exactly as there: all() is a chain of &&, exists() of
// ||, exists_one() and the collecting macros see every element.
#include "rules/cel/eval_nodes_internal.h"

namespace keel::cel {
namespace {

std::vector<Value> MapKeys(const Value& map) {
  std::vector<Value> keys;
  keys.reserve(map.MapSize());
  for (const MapEntry& e : map.MapEntries()) keys.push_back(e.first);
  return keys;
}

}  // namespace

const Value* ComprehensionNode::Eval(EvalContext& ctx, Value* scratch) const {
  Value range_tmp;
  const Value* range = range_->Eval(ctx, &range_tmp);
  if (range->IsError()) return Keep(range, &range_tmp, scratch);
  std::vector<Value> keys;
  std::span<const Value> items;
  if (range->kind() == Kind::kList) {
    items = range->ListItems();
  } else if (range->kind() == Kind::kMap) {
    keys = MapKeys(*range);
    items = keys;
  } else {
    return Fail(scratch, ErrorCode::kNoMatchingOverload,
                "cannot iterate over " + std::string(KindName(range->kind())) + " (a list or a map is needed)");
  }
  const Value* result;
  switch (macro_) {
    case MacroKind::kAll:
    case MacroKind::kExists:
      result = Quantify(ctx, items, scratch);
      break;
    case MacroKind::kExistsOne:
      result = ExistsOne(ctx, items, scratch);
      break;
    default:
      result = Collect(ctx, items, scratch);
      break;
  }
  if (result == &ctx.locals[slot_]) {
    *scratch = *result;
    result = scratch;
  }
  ctx.locals[slot_] = Value();
  if (ctx.aborted && ctx.abort_offset < 0) ctx.abort_offset = offset();
  return result;
}

// all: accumulate with &&; exists: with ||. Stops once the result is decided.
const Value* ComprehensionNode::Quantify(EvalContext& ctx, std::span<const Value> items, Value* scratch) const {
  const bool decisive = macro_ == MacroKind::kExists;
  Value error;  // the first error or non-bool seen, kept unless the result is decided
  for (const Value& item : items) {
    if (!ctx.Charge(iteration_cost_)) return Aborted(ctx, scratch);
    ctx.locals[slot_] = item;
    Value tmp;
    const Value* p = first_->Eval(ctx, &tmp);
    if (p->kind() == Kind::kBool) {
      if (p->AsBool() == decisive) return BoolValue(decisive);
    } else if (error.IsNull()) {
      error = p->IsError() ? *p
                           : Value::Error(ErrorCode::kNoMatchingOverload,
                                          "the predicate of " + std::string(decisive ? "exists" : "all") +
                                              "() must be bool, found " + std::string(KindName(p->kind())));
    }
  }
  if (!error.IsNull()) return Located(scratch, std::move(error));
  return BoolValue(!decisive);
}

const Value* ComprehensionNode::ExistsOne(EvalContext& ctx, std::span<const Value> items, Value* scratch) const {
  int64_t count = 0;
  for (const Value& item : items) {
    if (!ctx.Charge(iteration_cost_)) return Aborted(ctx, scratch);
    ctx.locals[slot_] = item;
    Value tmp;
    const Value* p = first_->Eval(ctx, &tmp);
    if (p->IsError()) return Keep(p, &tmp, scratch);
    if (p->kind() != Kind::kBool) {
      return Fail(scratch, ErrorCode::kNoMatchingOverload,
                  "the predicate of exists_one() must be bool, found " + std::string(KindName(p->kind())));
    }
    count += p->AsBool();
  }
  return BoolValue(count == 1);
}

// map(x, t), map(x, filter, t) and filter(x, p).
const Value* ComprehensionNode::Collect(EvalContext& ctx, std::span<const Value> items, Value* scratch) const {
  std::vector<Value> out;
  out.reserve(macro_ == MacroKind::kMap ? items.size() : 0);
  const bool has_filter = macro_ != MacroKind::kMap;
  for (const Value& item : items) {
    if (!ctx.Charge(iteration_cost_)) return Aborted(ctx, scratch);
    ctx.locals[slot_] = item;
    if (has_filter) {
      Value tmp;
      const Value* keep = first_->Eval(ctx, &tmp);
      if (keep->IsError()) return Keep(keep, &tmp, scratch);
      if (keep->kind() != Kind::kBool) {
        return Fail(scratch, ErrorCode::kNoMatchingOverload,
                    "the predicate of " + std::string(macro_ == MacroKind::kFilter ? "filter" : "map") +
                        "() must be bool, found " + std::string(KindName(keep->kind())));
      }
      if (!keep->AsBool()) continue;
      if (macro_ == MacroKind::kFilter) {
        out.push_back(item);
        continue;
      }
    }
    const Node* transform = macro_ == MacroKind::kMap ? first_.get() : second_.get();
    Value tmp;
    const Value* v = transform->Eval(ctx, &tmp);
    if (v->IsError()) return Keep(v, &tmp, scratch);
    out.push_back(v == &tmp ? std::move(tmp) : *v);
  }
  *scratch = Value::List(std::move(out));
  return scratch;
}

}  // namespace keel::cel
