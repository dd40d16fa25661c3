// cel-go's optional values: optional.of(x), optional.none(),
// optional.ofNonZeroValue(x), o.hasValue(), o.value(), o.orValue(v), o.or(o2),
// and the lists extension's l.first(), l.last(). (`x.?f`, `x[?k]`, `[?e]`,
// `{?k: v}`, optMap and optFlatMap are syntax and macros: eval_optional.cc.)
#include "rules/cel/functions.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

using Args = const Value* const*;
constexpr Kind O = Kind::kOptional, A = Kind::kDyn, L = Kind::kList;

Value Of(Args a, EvalContext&) { return Value::OptionalOf(*a[0]); }
Value None(Args, EvalContext&) { return Value::OptionalNone(); }

// The zero value of its kind: null, false, 0, "", b"", [], {}, a zero duration, ...
bool IsZero(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull: return true;
    case Kind::kBool: return !v.AsBool();
    case Kind::kInt: return v.AsInt() == 0;
    case Kind::kUint: return v.AsUint() == 0;
    case Kind::kDouble: return v.AsDouble() == 0;
    case Kind::kString:
    case Kind::kBytes: return v.AsString().empty();
    case Kind::kList: return v.ListItems().empty();
    case Kind::kMap: return v.MapSize() == 0;
    case Kind::kDuration: return v.DurationNanos() == 0;
    case Kind::kTimestamp: return v.TimestampSeconds() == 0 && v.TimestampNanos() == 0;
    case Kind::kOptional: return !v.OptionalHasValue();
    default: return false;
  }
}
Value OfNonZero(Args a, EvalContext&) { return IsZero(*a[0]) ? Value::OptionalNone() : Value::OptionalOf(*a[0]); }

Value HasValue(Args a, EvalContext&) { return Value::Bool(a[0]->OptionalHasValue()); }
Value GetValue(Args a, EvalContext&) {
  if (!a[0]->OptionalHasValue()) return Value::Error(ErrorCode::kNoSuchKey, "optional.none() dereference");
  return a[0]->OptionalValue();
}
Value OrValue(Args a, EvalContext&) { return a[0]->OptionalHasValue() ? a[0]->OptionalValue() : *a[1]; }
Value Or(Args a, EvalContext&) { return a[0]->OptionalHasValue() ? *a[0] : *a[1]; }

Value First(Args a, EvalContext&) {
  auto items = a[0]->ListItems();
  return items.empty() ? Value::OptionalNone() : Value::OptionalOf(items.front());
}
Value Last(Args a, EvalContext&) {
  auto items = a[0]->ListItems();
  return items.empty() ? Value::OptionalNone() : Value::OptionalOf(items.back());
}

}  // namespace

void RegisterOptionalFunctions(FunctionRegistry& r) {
  r.Add("optional.of", false, {A}, O, Of);
  r.Add("optional.none", false, {}, O, None);
  r.Add("optional.ofNonZeroValue", false, {A}, O, OfNonZero);
  r.Add("hasValue", true, {O}, Kind::kBool, HasValue);
  r.Add("value", true, {O}, A, GetValue);
  r.Add("orValue", true, {O, A}, A, OrValue);
  r.Add("or", true, {O, O}, O, Or);
  r.Add("first", true, {L}, O, First);
  r.Add("last", true, {L}, O, Last);
}

}  // namespace keel::cel
