// The macros' loops. Each follows CEL's expansion of the macro, so errors are
// absorbed or propagated exactly as there: all() is a chain of &&, exists() of
// ||, exists_one() and the collecting macros see every element. Two-variable
// forms bind (index, element) of a list or (key, value) of a map.
#include "rules/cel/eval_nodes_internal.h"

namespace keel::cel {

const Value& ComprehensionNode::BindAt(EvalContext& ctx, const Range& range, size_t i) const {
  if (range.is_map) {
    ctx.locals[slot_] = range.entries[i].first;
    if (slot2_ >= 0) ctx.locals[slot2_] = range.entries[i].second;
    return range.entries[i].first;
  }
  if (slot2_ >= 0) {
    ctx.locals[slot_] = Value::Int(static_cast<int64_t>(i));
    ctx.locals[slot2_] = range.items[i];
  } else {
    ctx.locals[slot_] = range.items[i];
  }
  return range.items[i];
}

const Value* ComprehensionNode::Eval(EvalContext& ctx, Value* scratch) const {
  Value range_tmp;
  const Value* range_value = range_->Eval(ctx, &range_tmp);
  if (macro_ == MacroKind::kBind) return Bind(ctx, *range_value, scratch);
  if (range_value->IsError()) return Keep(range_value, &range_tmp, scratch);
  if (macro_ == MacroKind::kOptMap || macro_ == MacroKind::kOptFlatMap) {
    return OptionalMap(ctx, *range_value, scratch);
  }
  Range range;
  if (range_value->kind() == Kind::kList) {
    range.items = range_value->ListItems();
  } else if (range_value->kind() == Kind::kMap && macro_ != MacroKind::kSortBy) {
    range.entries = range_value->MapEntries();
    range.is_map = true;
  } else {
    return Fail(scratch, ErrorCode::kNoMatchingOverload,
                "cannot iterate over " + std::string(KindName(range_value->kind())) + " (a list or a map is needed)");
  }
  const Value* result;
  switch (macro_) {
    case MacroKind::kAll:
    case MacroKind::kExists:
      result = Quantify(ctx, range, scratch);
      break;
    case MacroKind::kExistsOne:
      result = ExistsOne(ctx, range, scratch);
      break;
    case MacroKind::kTransformMap:
    case MacroKind::kTransformMapEntry:
      result = CollectMap(ctx, range, scratch);
      break;
    case MacroKind::kSortBy:
      result = SortBy(ctx, *range_value, range, scratch);
      break;
    default:
      result = Collect(ctx, range, scratch);
      break;
  }
  if (result == &ctx.locals[slot_] || (slot2_ >= 0 && result == &ctx.locals[slot2_])) {
    *scratch = *result;
    result = scratch;
  }
  ctx.locals[slot_] = Value();
  if (slot2_ >= 0) ctx.locals[slot2_] = Value();
  if (ctx.aborted && ctx.abort_offset < 0) ctx.abort_offset = offset();
  return result;
}

// all: accumulate with &&; exists: with ||. Stops once the result is decided.
const Value* ComprehensionNode::Quantify(EvalContext& ctx, const Range& range, Value* scratch) const {
  const bool decisive = macro_ == MacroKind::kExists;
  Value error;  // the first error or non-bool seen, kept unless the result is decided
  for (size_t i = 0; i < range.size(); ++i) {
    if (!ctx.Charge(iteration_cost_)) return Aborted(ctx, scratch);
    BindAt(ctx, range, i);
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

const Value* ComprehensionNode::ExistsOne(EvalContext& ctx, const Range& range, Value* scratch) const {
  int64_t count = 0;
  for (size_t i = 0; i < range.size(); ++i) {
    if (!ctx.Charge(iteration_cost_)) return Aborted(ctx, scratch);
    BindAt(ctx, range, i);
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

// Evaluates the filter of element `i` (already bound): true to keep it, false
// to skip it; an error value in *error otherwise.
static bool Keeps(const Node& filter, EvalContext& ctx, std::string_view macro, Value* error) {
  Value tmp;
  const Value* keep = filter.Eval(ctx, &tmp);
  if (keep->kind() == Kind::kBool) return keep->AsBool();
  *error = keep->IsError() ? *keep
                           : Value::Error(ErrorCode::kNoMatchingOverload,
                                          "the predicate of " + std::string(macro) + "() must be bool, found " +
                                              std::string(KindName(keep->kind())));
  return false;
}

// map(x, t), map(x, filter, t), filter(x, p), transformList(i, v[, filter], t).
const Value* ComprehensionNode::Collect(EvalContext& ctx, const Range& range, Value* scratch) const {
  std::vector<Value> out;
  const bool has_filter = macro_ == MacroKind::kFilter || macro_ == MacroKind::kMapFilter || second_ != nullptr;
  out.reserve(has_filter ? 0 : range.size());
  const char* name = macro_ == MacroKind::kFilter ? "filter" : macro_ == MacroKind::kTransformList ? "transformList" : "map";
  for (size_t i = 0; i < range.size(); ++i) {
    if (!ctx.Charge(iteration_cost_)) return Aborted(ctx, scratch);
    const Value& item = BindAt(ctx, range, i);
    if (has_filter) {
      Value error;
      bool keep = Keeps(*first_, ctx, name, &error);
      if (error.IsError()) return Located(scratch, std::move(error));
      if (!keep) continue;
      if (macro_ == MacroKind::kFilter) {
        out.push_back(item);
        continue;
      }
    }
    const Node* transform = has_filter ? second_.get() : first_.get();
    Value tmp;
    const Value* v = transform->Eval(ctx, &tmp);
    if (v->IsError()) return Keep(v, &tmp, scratch);
    out.push_back(v == &tmp ? std::move(tmp) : *v);
    if (!ctx.AllowList(out.size())) return Aborted(ctx, scratch);
  }
  *scratch = Value::List(std::move(out));
  return scratch;
}

// transformMap(k, v[, filter], t): the same keys (a list's indexes) with t as
// values; transformMapEntry(k, v[, filter], t): t is a map whose entries are
// merged, a repeated key being an error.
const Value* ComprehensionNode::CollectMap(EvalContext& ctx, const Range& range, Value* scratch) const {
  const bool entries = macro_ == MacroKind::kTransformMapEntry;
  const char* name = entries ? "transformMapEntry" : "transformMap";
  std::vector<MapEntry> out;
  for (size_t i = 0; i < range.size(); ++i) {
    if (!ctx.Charge(iteration_cost_)) return Aborted(ctx, scratch);
    BindAt(ctx, range, i);
    if (second_ != nullptr) {
      Value error;
      bool keep = Keeps(*first_, ctx, name, &error);
      if (error.IsError()) return Located(scratch, std::move(error));
      if (!keep) continue;
    }
    const Node* transform = second_ != nullptr ? second_.get() : first_.get();
    Value tmp;
    const Value* v = transform->Eval(ctx, &tmp);
    if (v->IsError()) return Keep(v, &tmp, scratch);
    if (!entries) {
      Value key = range.is_map ? range.entries[i].first : Value::Int(static_cast<int64_t>(i));
      out.emplace_back(std::move(key), v == &tmp ? std::move(tmp) : *v);
    } else if (v->kind() != Kind::kMap) {
      return Fail(scratch, ErrorCode::kNoMatchingOverload,
                  "transformMapEntry() needs a map from its transform, found " + std::string(KindName(v->kind())));
    } else {
      for (const MapEntry& e : v->MapEntries()) out.push_back(e);
    }
    if (!ctx.AllowList(out.size())) return Aborted(ctx, scratch);
  }
  std::string repeated;
  Value map = MakeMap(std::move(out), &repeated);
  if (!repeated.empty()) {
    return Fail(scratch, ErrorCode::kInvalidArgument, std::string(name) + "(): " + repeated);
  }
  *scratch = std::move(map);
  return scratch;
}

// l.sortBy(x, key): the keys are computed once per element, then sorted.
const Value* ComprehensionNode::SortBy(EvalContext& ctx, const Value& list, const Range& range,
                                       Value* scratch) const {
  std::vector<Value> keys;
  keys.reserve(range.size());
  for (size_t i = 0; i < range.size(); ++i) {
    if (!ctx.Charge(iteration_cost_)) return Aborted(ctx, scratch);
    BindAt(ctx, range, i);
    Value tmp;
    const Value* key = first_->Eval(ctx, &tmp);
    if (key->IsError()) return Keep(key, &tmp, scratch);
    keys.push_back(key == &tmp ? std::move(tmp) : *key);
  }
  Value sorted = SortByKeys(list, Value::List(std::move(keys)), ctx);
  if (ctx.aborted) return Aborted(ctx, scratch);
  return Located(scratch, std::move(sorted));
}

// cel.bind(name, init, body): `init`, even an error, is what `name` reads;
// it is evaluated once.
const Value* ComprehensionNode::Bind(EvalContext& ctx, const Value& init, Value* scratch) const {
  if (!ctx.Charge(1)) return Aborted(ctx, scratch);
  Value saved = std::move(ctx.locals[slot_]);
  ctx.locals[slot_] = init;
  Value tmp;
  const Value* result = first_->Eval(ctx, &tmp);
  // The result may point into the bound value, which is released below.
  if (result != scratch) *scratch = *result;
  ctx.locals[slot_] = std::move(saved);
  return scratch;
}

}  // namespace keel::cel
