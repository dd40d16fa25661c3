// cel-go's math extension: math.greatest and math.least (over numbers of any
// kinds, given as arguments or one list; the compiler turns several arguments
// into a list), rounding of doubles, abs, sign, the IEEE tests and the bit
// operations on int and uint.
#include <cmath>
#include <functional>

#include "rules/cel/functions.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

using Args = const Value* const*;
constexpr Kind I = Kind::kInt, U = Kind::kUint, D = Kind::kDouble, B = Kind::kBool, L = Kind::kList, A = Kind::kDyn;

// The greatest (kSign 1) or least (kSign -1) of numbers.
template <int kSign>
Value Extreme(std::span<const Value> items, EvalContext& ctx) {
  const char* name = kSign > 0 ? "math.greatest" : "math.least";
  if (items.empty()) return Value::Error(ErrorCode::kInvalidArgument, std::string(name) + "(): no arguments");
  if (!ctx.Charge(static_cast<int64_t>(items.size()))) return ctx.Stopped();
  const Value* best = nullptr;
  for (const Value& v : items) {
    if (!IsNumeric(v.kind())) {
      return Value::Error(ErrorCode::kNoMatchingOverload, std::string(name) + "(): no such overload for " +
                                                              std::string(KindName(v.kind())));
    }
    if (best == nullptr || CompareNumbers(v, *best) == kSign) best = &v;
  }
  return *best;
}
template <int kSign>
Value ExtremeOf(Args a, EvalContext& ctx) {
  if (a[0]->kind() == Kind::kList) return Extreme<kSign>(a[0]->ListItems(), ctx);
  return Extreme<kSign>(std::span<const Value>(a[0], 1), ctx);
}

double Ceil(double d) { return std::ceil(d); }
double Floor(double d) { return std::floor(d); }
double Round(double d) { return std::round(d); }  // half away from zero, as Go's math.Round
double Trunc(double d) { return std::trunc(d); }
template <double (*F)(double)>
Value Rounding(Args a, EvalContext&) {
  return Value::Double(F(a[0]->AsDouble()));
}

Value AbsInt(Args a, EvalContext&) {
  int64_t i = a[0]->AsInt();
  if (i == INT64_MIN) return Value::Error(ErrorCode::kOverflow, "integer overflow in math.abs()");
  return Value::Int(i < 0 ? -i : i);
}
Value AbsUint(Args a, EvalContext&) { return *a[0]; }
Value AbsDouble(Args a, EvalContext&) { return Value::Double(std::fabs(a[0]->AsDouble())); }

Value SignInt(Args a, EvalContext&) { return Value::Int((a[0]->AsInt() > 0) - (a[0]->AsInt() < 0)); }
Value SignUint(Args a, EvalContext&) { return Value::Uint(a[0]->AsUint() > 0 ? 1 : 0); }
Value SignDouble(Args a, EvalContext&) {
  double d = a[0]->AsDouble();
  if (std::isnan(d) || d == 0) return Value::Double(d);
  return Value::Double(d > 0 ? 1.0 : -1.0);
}

Value IsNaN(Args a, EvalContext&) { return Value::Bool(std::isnan(a[0]->AsDouble())); }
Value IsInf(Args a, EvalContext&) { return Value::Bool(std::isinf(a[0]->AsDouble())); }
Value IsFinite(Args a, EvalContext&) { return Value::Bool(std::isfinite(a[0]->AsDouble())); }

template <typename Op>
Value BitsInt(Args a, EvalContext&) {
  return Value::Int(static_cast<int64_t>(Op{}(static_cast<uint64_t>(a[0]->AsInt()), static_cast<uint64_t>(a[1]->AsInt()))));
}
template <typename Op>
Value BitsUint(Args a, EvalContext&) {
  return Value::Uint(Op{}(a[0]->AsUint(), a[1]->AsUint()));
}
Value BitNotInt(Args a, EvalContext&) { return Value::Int(~a[0]->AsInt()); }
Value BitNotUint(Args a, EvalContext&) { return Value::Uint(~a[0]->AsUint()); }

// Shifts are logical (the sign bit is not extended) and a shift by 64 or
// more gives 0; a negative shift is an error.
template <bool kLeft>
Value Shift(Args a, EvalContext&) {
  int64_t by = a[1]->AsInt();
  if (by < 0) return Value::Error(ErrorCode::kInvalidArgument, "math.bitShift: negative offset " + std::to_string(by));
  bool is_int = a[0]->kind() == Kind::kInt;
  uint64_t bits = is_int ? static_cast<uint64_t>(a[0]->AsInt()) : a[0]->AsUint();
  uint64_t out = by >= 64 ? 0 : kLeft ? bits << by : bits >> by;
  return is_int ? Value::Int(static_cast<int64_t>(out)) : Value::Uint(out);
}

}  // namespace

void RegisterMathFunctions(FunctionRegistry& r) {
  for (Kind k : {I, U, D, L}) {
    r.Add("math.greatest", false, {k}, k == L ? A : k, ExtremeOf<1>);
    r.Add("math.least", false, {k}, k == L ? A : k, ExtremeOf<-1>);
  }
  r.Add("math.ceil", false, {D}, D, Rounding<Ceil>);
  r.Add("math.floor", false, {D}, D, Rounding<Floor>);
  r.Add("math.round", false, {D}, D, Rounding<Round>);
  r.Add("math.trunc", false, {D}, D, Rounding<Trunc>);
  r.Add("math.abs", false, {I}, I, AbsInt);
  r.Add("math.abs", false, {U}, U, AbsUint);
  r.Add("math.abs", false, {D}, D, AbsDouble);
  r.Add("math.sign", false, {I}, I, SignInt);
  r.Add("math.sign", false, {U}, U, SignUint);
  r.Add("math.sign", false, {D}, D, SignDouble);
  r.Add("math.isNaN", false, {D}, B, IsNaN);
  r.Add("math.isInf", false, {D}, B, IsInf);
  r.Add("math.isFinite", false, {D}, B, IsFinite);
  r.Add("math.bitAnd", false, {I, I}, I, BitsInt<std::bit_and<uint64_t>>);
  r.Add("math.bitAnd", false, {U, U}, U, BitsUint<std::bit_and<uint64_t>>);
  r.Add("math.bitOr", false, {I, I}, I, BitsInt<std::bit_or<uint64_t>>);
  r.Add("math.bitOr", false, {U, U}, U, BitsUint<std::bit_or<uint64_t>>);
  r.Add("math.bitXor", false, {I, I}, I, BitsInt<std::bit_xor<uint64_t>>);
  r.Add("math.bitXor", false, {U, U}, U, BitsUint<std::bit_xor<uint64_t>>);
  r.Add("math.bitNot", false, {I}, I, BitNotInt);
  r.Add("math.bitNot", false, {U}, U, BitNotUint);
  r.Add("math.bitShiftLeft", false, {I, I}, I, Shift<true>);
  r.Add("math.bitShiftLeft", false, {U, I}, U, Shift<true>);
  r.Add("math.bitShiftRight", false, {I, I}, I, Shift<false>);
  r.Add("math.bitShiftRight", false, {U, I}, U, Shift<false>);
}

}  // namespace keel::cel
