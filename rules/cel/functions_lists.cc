// cel-go's lists extension: lists.range(n), l.slice(i, j), l.flatten(),
// l.flatten(depth), l.distinct(), l.reverse(), l.sort(). (l.sortBy(x, key)
// is a macro, and l.first(), l.last() give optional values: see
// eval_comprehension.cc and functions_optionals.cc.) Every list built counts
// toward the list size limit and its elements toward the cost.
#include <algorithm>

#include "rules/cel/functions.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

using Args = const Value* const*;
constexpr Kind I = Kind::kInt, L = Kind::kList;

Value Built(std::vector<Value> items, EvalContext& ctx) {
  if (!ctx.AllowList(items.size()) || !ctx.Charge(static_cast<int64_t>(items.size()))) return ctx.Stopped();
  return Value::List(std::move(items));
}

Value Range(Args a, EvalContext& ctx) {
  int64_t n = a[0]->AsInt();
  if (n < 0) n = 0;
  if (!ctx.AllowList(static_cast<size_t>(n)) || !ctx.Charge(n)) return ctx.Stopped();
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) items.push_back(Value::Int(i));
  return Value::List(std::move(items));
}

Value Slice(Args a, EvalContext& ctx) {
  std::span<const Value> items = a[0]->ListItems();
  int64_t begin = a[1]->AsInt(), end = a[2]->AsInt(), size = static_cast<int64_t>(items.size());
  if (begin < 0 || end < 0) {
    return Value::Error(ErrorCode::kIndexOutOfRange, "cannot slice(" + std::to_string(begin) + ", " +
                                                         std::to_string(end) + "), negative indexes not supported");
  }
  if (begin > end) {
    return Value::Error(ErrorCode::kIndexOutOfRange, "cannot slice(" + std::to_string(begin) + ", " +
                                                         std::to_string(end) + "), start index must be less than or "
                                                         "equal to end index");
  }
  if (end > size) {
    return Value::Error(ErrorCode::kIndexOutOfRange, "cannot slice(" + std::to_string(begin) + ", " +
                                                         std::to_string(end) + "), list is length " +
                                                         std::to_string(size));
  }
  return Built(std::vector<Value>(items.begin() + begin, items.begin() + end), ctx);
}

bool FlattenInto(std::span<const Value> items, int64_t depth, std::vector<Value>* out, EvalContext& ctx) {
  for (const Value& v : items) {
    if (!ctx.Charge(1)) return false;
    if (v.kind() == Kind::kList && depth > 0) {
      if (!FlattenInto(v.ListItems(), depth - 1, out, ctx)) return false;
    } else {
      out->push_back(v);
      if (!ctx.AllowList(out->size())) return false;
    }
  }
  return true;
}
Value FlattenDepth(const Value& list, int64_t depth, EvalContext& ctx) {
  if (depth < 0) return Value::Error(ErrorCode::kInvalidArgument, "flatten(): level must be non-negative");
  // Deeper than the nesting the evaluator allows is no deeper than that.
  depth = std::min<int64_t>(depth, 1000);
  std::vector<Value> out;
  if (!FlattenInto(list.ListItems(), depth, &out, ctx)) return ctx.Stopped();
  return Value::List(std::move(out));
}
Value Flatten(Args a, EvalContext& ctx) { return FlattenDepth(*a[0], 1, ctx); }
Value FlattenN(Args a, EvalContext& ctx) { return FlattenDepth(*a[0], a[1]->AsInt(), ctx); }

// Keeps the first of equal elements (CEL equality: 1 and 1.0 are equal).
Value Distinct(Args a, EvalContext& ctx) {
  std::vector<Value> out;
  for (const Value& v : a[0]->ListItems()) {
    if (!ctx.Charge(1 + static_cast<int64_t>(out.size()))) return ctx.Stopped();
    bool seen = std::any_of(out.begin(), out.end(), [&](const Value& o) { return o.Equals(v); });
    if (!seen) out.push_back(v);
  }
  return Value::List(std::move(out));
}

Value ReverseList(Args a, EvalContext& ctx) {
  std::span<const Value> items = a[0]->ListItems();
  return Built(std::vector<Value>(items.rbegin(), items.rend()), ctx);
}

// Sorts values of one comparable kind (numbers of any kinds count as one).
Value SortValues(std::vector<Value> items, EvalContext& ctx) {
  for (size_t i = 1; i < items.size(); ++i) {
    bool numbers = IsNumeric(items[0].kind()) && IsNumeric(items[i].kind());
    if (items[i].kind() != items[0].kind() && !numbers) {
      return Value::Error(ErrorCode::kNoMatchingOverload, "sort(): list elements must have the same type, found " +
                                                              std::string(KindName(items[0].kind())) + " and " +
                                                              std::string(KindName(items[i].kind())));
    }
  }
  if (!items.empty() && CompareValues(items[0], items[0]) == 3) {
    return Value::Error(ErrorCode::kNoMatchingOverload,
                        "sort(): elements of type " + std::string(KindName(items[0].kind())) + " cannot be ordered");
  }
  // n log n comparisons.
  int64_t steps = static_cast<int64_t>(items.size());
  for (size_t n = items.size(); n > 1; n /= 2) steps += static_cast<int64_t>(items.size());
  if (!ctx.Charge(steps)) return ctx.Stopped();
  std::stable_sort(items.begin(), items.end(), [](const Value& x, const Value& y) { return CompareValues(x, y) < 0; });
  return Value::List(std::move(items));
}
Value Sort(Args a, EvalContext& ctx) {
  std::span<const Value> items = a[0]->ListItems();
  return SortValues(std::vector<Value>(items.begin(), items.end()), ctx);
}

}  // namespace

Value SortByKeys(const Value& list, const Value& keys, EvalContext& ctx) {
  std::span<const Value> items = list.ListItems(), key_items = keys.ListItems();
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  Value sorted_keys = SortValues(std::vector<Value>(key_items.begin(), key_items.end()), ctx);
  if (sorted_keys.IsError()) return sorted_keys;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return CompareValues(key_items[x], key_items[y]) < 0; });
  std::vector<Value> out;
  out.reserve(items.size());
  for (size_t i : order) out.push_back(items[i]);
  return Value::List(std::move(out));
}

void RegisterListFunctions(FunctionRegistry& r) {
  r.Add("lists.range", false, {I}, L, Range);
  r.Add("slice", true, {L, I, I}, L, Slice);
  r.Add("flatten", true, {L}, L, Flatten);
  r.Add("flatten", true, {L, I}, L, FlattenN);
  r.Add("distinct", true, {L}, L, Distinct);
  r.Add("reverse", true, {L}, L, ReverseList);
  r.Add("sort", true, {L}, L, Sort);
}

}  // namespace keel::cel
