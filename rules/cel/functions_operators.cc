// Arithmetic, ordering, logical not, size, and the string predicates of CEL's
// standard library. Equality, `in`, `&&`, `||`, `?:` and indexing are nodes of
// their own (eval_nodes.cc) because they are not strict or not typed.
#include <cmath>

#include <re2/re2.h>

#include "rules/cel/functions.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

using Args = const Value* const*;
constexpr Kind I = Kind::kInt, U = Kind::kUint, F = Kind::kDouble, S = Kind::kString,
               B = Kind::kBytes, L = Kind::kList, M = Kind::kMap, Z = Kind::kBool;

Value Overflow() { return Value::Error(ErrorCode::kOverflow, "integer overflow"); }

Value AddInt(Args a, EvalContext&) {
  int64_t r;
  if (__builtin_add_overflow(a[0]->AsInt(), a[1]->AsInt(), &r)) return Overflow();
  return Value::Int(r);
}
Value SubInt(Args a, EvalContext&) {
  int64_t r;
  if (__builtin_sub_overflow(a[0]->AsInt(), a[1]->AsInt(), &r)) return Overflow();
  return Value::Int(r);
}
Value MulInt(Args a, EvalContext&) {
  int64_t r;
  if (__builtin_mul_overflow(a[0]->AsInt(), a[1]->AsInt(), &r)) return Overflow();
  return Value::Int(r);
}
Value DivInt(Args a, EvalContext&) {
  int64_t x = a[0]->AsInt(), y = a[1]->AsInt();
  if (y == 0) return Value::Error(ErrorCode::kDivisionByZero, "division by zero");
  if (x == INT64_MIN && y == -1) return Overflow();
  return Value::Int(x / y);
}
Value ModInt(Args a, EvalContext&) {
  int64_t x = a[0]->AsInt(), y = a[1]->AsInt();
  if (y == 0) return Value::Error(ErrorCode::kDivisionByZero, "modulus by zero");
  if (x == INT64_MIN && y == -1) return Overflow();
  return Value::Int(x % y);
}
Value NegInt(Args a, EvalContext&) {
  if (a[0]->AsInt() == INT64_MIN) return Overflow();
  return Value::Int(-a[0]->AsInt());
}

Value UintOverflow() { return Value::Error(ErrorCode::kOverflow, "unsigned integer overflow"); }
Value AddUint(Args a, EvalContext&) {
  uint64_t r;
  if (__builtin_add_overflow(a[0]->AsUint(), a[1]->AsUint(), &r)) return UintOverflow();
  return Value::Uint(r);
}
Value SubUint(Args a, EvalContext&) {
  uint64_t r;
  if (__builtin_sub_overflow(a[0]->AsUint(), a[1]->AsUint(), &r)) return UintOverflow();
  return Value::Uint(r);
}
Value MulUint(Args a, EvalContext&) {
  uint64_t r;
  if (__builtin_mul_overflow(a[0]->AsUint(), a[1]->AsUint(), &r)) return UintOverflow();
  return Value::Uint(r);
}
Value DivUint(Args a, EvalContext&) {
  if (a[1]->AsUint() == 0) return Value::Error(ErrorCode::kDivisionByZero, "division by zero");
  return Value::Uint(a[0]->AsUint() / a[1]->AsUint());
}
Value ModUint(Args a, EvalContext&) {
  if (a[1]->AsUint() == 0) return Value::Error(ErrorCode::kDivisionByZero, "modulus by zero");
  return Value::Uint(a[0]->AsUint() % a[1]->AsUint());
}

Value AddDouble(Args a, EvalContext&) { return Value::Double(a[0]->AsDouble() + a[1]->AsDouble()); }
Value SubDouble(Args a, EvalContext&) { return Value::Double(a[0]->AsDouble() - a[1]->AsDouble()); }
Value MulDouble(Args a, EvalContext&) { return Value::Double(a[0]->AsDouble() * a[1]->AsDouble()); }
Value DivDouble(Args a, EvalContext&) { return Value::Double(a[0]->AsDouble() / a[1]->AsDouble()); }
Value NegDouble(Args a, EvalContext&) { return Value::Double(-a[0]->AsDouble()); }

Value ConcatString(Args a, EvalContext& ctx) {
  std::string_view x = a[0]->AsString(), y = a[1]->AsString();
  if (!ctx.AllowString(x.size() + y.size()) || !ctx.Charge(StringCost(x.size() + y.size()))) return ctx.Stopped();
  std::string out;
  out.reserve(x.size() + y.size());
  out.append(x).append(y);
  return a[0]->kind() == Kind::kBytes ? Value::Bytes(out) : Value::String(out);
}

Value ConcatList(Args a, EvalContext& ctx) {
  auto x = a[0]->ListItems(), y = a[1]->ListItems();
  if (y.empty()) return *a[0];
  if (x.empty()) return *a[1];
  if (!ctx.AllowList(x.size() + y.size()) || !ctx.Charge(static_cast<int64_t>(x.size() + y.size()))) {
    return ctx.Stopped();
  }
  std::vector<Value> out;
  out.reserve(x.size() + y.size());
  out.insert(out.end(), x.begin(), x.end());
  out.insert(out.end(), y.begin(), y.end());
  return Value::List(std::move(out));
}

Value Not(Args a, EvalContext&) { return Value::Bool(!a[0]->AsBool()); }

// Ordering; CompareValues already knows which kinds compare.
template <bool (*Test)(int)>
Value Compare(Args a, EvalContext&) {
  int c = CompareValues(*a[0], *a[1]);
  return Value::Bool(c != 2 && Test(c));
}
bool IsLess(int c) { return c == -1; }
bool IsLessEq(int c) { return c <= 0; }
bool IsGreater(int c) { return c == 1; }
bool IsGreaterEq(int c) { return c == 0 || c == 1; }

Value SizeString(Args a, EvalContext& ctx) {
  ctx.Charge(StringCost(a[0]->AsString().size()));
  return Value::Int(static_cast<int64_t>(Utf8Length(a[0]->AsString())));
}
Value SizeBytes(Args a, EvalContext&) { return Value::Int(static_cast<int64_t>(a[0]->AsString().size())); }
Value SizeList(Args a, EvalContext&) { return Value::Int(static_cast<int64_t>(a[0]->ListItems().size())); }
Value SizeMap(Args a, EvalContext&) { return Value::Int(static_cast<int64_t>(a[0]->MapSize())); }

Value Contains(Args a, EvalContext& ctx) {
  ctx.Charge(StringCost(a[0]->AsString().size()));
  return Value::Bool(a[0]->AsString().find(a[1]->AsString()) != std::string_view::npos);
}
Value StartsWith(Args a, EvalContext&) { return Value::Bool(a[0]->AsString().starts_with(a[1]->AsString())); }
Value EndsWith(Args a, EvalContext&) { return Value::Bool(a[0]->AsString().ends_with(a[1]->AsString())); }

// matches() with a pattern known only at evaluation; a constant pattern is
// compiled once instead (compiler.cc).
Value Matches(Args a, EvalContext& ctx) {
  std::string_view pattern = a[1]->AsString();
  ctx.Charge(StringCost(a[0]->AsString().size()) + 10 * StringCost(pattern.size()));
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re.ok()) return Value::Error(ErrorCode::kInvalidArgument, "invalid regular expression: " + re.error());
  return Value::Bool(RE2::PartialMatch(re2::StringPiece(a[0]->AsString().data(), a[0]->AsString().size()), re));
}

}  // namespace

void RegisterOperatorFunctions(FunctionRegistry& r) {
  r.Add("_+_", false, {I, I}, I, AddInt);
  r.Add("_+_", false, {U, U}, U, AddUint);
  r.Add("_+_", false, {F, F}, F, AddDouble);
  r.Add("_+_", false, {S, S}, S, ConcatString);
  r.Add("_+_", false, {B, B}, B, ConcatString);
  r.Add("_+_", false, {L, L}, L, ConcatList);
  r.Add("_-_", false, {I, I}, I, SubInt);
  r.Add("_-_", false, {U, U}, U, SubUint);
  r.Add("_-_", false, {F, F}, F, SubDouble);
  r.Add("_*_", false, {I, I}, I, MulInt);
  r.Add("_*_", false, {U, U}, U, MulUint);
  r.Add("_*_", false, {F, F}, F, MulDouble);
  r.Add("_/_", false, {I, I}, I, DivInt);
  r.Add("_/_", false, {U, U}, U, DivUint);
  r.Add("_/_", false, {F, F}, F, DivDouble);
  r.Add("_%_", false, {I, I}, I, ModInt);
  r.Add("_%_", false, {U, U}, U, ModUint);
  r.Add("-_", false, {I}, I, NegInt);
  r.Add("-_", false, {F}, F, NegDouble);
  r.Add("!_", false, {Z}, Z, Not);

  // Ordering: numbers across kinds, and each orderable kind with itself.
  const Kind numbers[] = {I, U, F};
  struct Rel {
    const char* name;
    FnImpl impl;
  };
  const Rel relations[] = {{"_<_", Compare<IsLess>},
                           {"_<=_", Compare<IsLessEq>},
                           {"_>_", Compare<IsGreater>},
                           {"_>=_", Compare<IsGreaterEq>}};
  for (const Rel& rel : relations) {
    for (Kind x : numbers) {
      for (Kind y : numbers) r.Add(rel.name, false, {x, y}, Z, rel.impl);
    }
    for (Kind k : {S, B, Z, Kind::kTimestamp, Kind::kDuration}) r.Add(rel.name, false, {k, k}, Z, rel.impl);
  }

  r.AddBoth("size", {S}, I, SizeString);
  r.AddBoth("size", {B}, I, SizeBytes);
  r.AddBoth("size", {L}, I, SizeList);
  r.AddBoth("size", {M}, I, SizeMap);
  r.Add("contains", true, {S, S}, Z, Contains);
  r.Add("startsWith", true, {S, S}, Z, StartsWith);
  r.Add("endsWith", true, {S, S}, Z, EndsWith);
  r.AddBoth("matches", {S, S}, Z, Matches);
}

}  // namespace keel::cel
