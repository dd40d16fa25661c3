// int(), uint(), double(), string(), bytes(), bool() and type(): CEL's type
// conversions. Out-of-range conversions are errors, never wrap-arounds.
#include <charconv>
#include <cmath>

#include "engine/utf8.h"
#include "rules/cel/functions.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

using Args = const Value* const*;
constexpr Kind D = Kind::kDyn, I = Kind::kInt, U = Kind::kUint, F = Kind::kDouble, S = Kind::kString,
               B = Kind::kBytes, Z = Kind::kBool;

Value Identity(Args a, EvalContext&) { return *a[0]; }
Value RangeError(std::string_view what) {
  return Value::Error(ErrorCode::kOverflow, std::string(what) + " out of range");
}

template <typename T>
bool ParseInteger(std::string_view s, T* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

Value IntFromUint(Args a, EvalContext&) {
  if (a[0]->AsUint() > static_cast<uint64_t>(INT64_MAX)) return RangeError("int conversion");
  return Value::Int(static_cast<int64_t>(a[0]->AsUint()));
}
Value IntFromDouble(Args a, EvalContext&) {
  double d = a[0]->AsDouble();
  // CEL: (minInt, maxInt), both bounds exclusive, so round trips never wrap.
  if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0)) return RangeError("int conversion");
  return Value::Int(static_cast<int64_t>(d));
}
Value IntFromString(Args a, EvalContext&) {
  int64_t v;
  if (!ParseInteger(a[0]->AsString(), &v)) {
    return Value::Error(ErrorCode::kInvalidArgument, "cannot convert '" + std::string(a[0]->AsString()) + "' to int");
  }
  return Value::Int(v);
}
Value IntFromTimestamp(Args a, EvalContext&) { return Value::Int(a[0]->TimestampSeconds()); }

Value UintFromInt(Args a, EvalContext&) {
  if (a[0]->AsInt() < 0) return RangeError("uint conversion");
  return Value::Uint(static_cast<uint64_t>(a[0]->AsInt()));
}
Value UintFromDouble(Args a, EvalContext&) {
  double d = a[0]->AsDouble();
  if (!(d >= 0 && d < 18446744073709551616.0)) return RangeError("uint conversion");
  return Value::Uint(static_cast<uint64_t>(d));
}
Value UintFromString(Args a, EvalContext&) {
  uint64_t v;
  if (!ParseInteger(a[0]->AsString(), &v)) {
    return Value::Error(ErrorCode::kInvalidArgument, "cannot convert '" + std::string(a[0]->AsString()) + "' to uint");
  }
  return Value::Uint(v);
}

Value DoubleFromInt(Args a, EvalContext&) { return Value::Double(static_cast<double>(a[0]->AsInt())); }
Value DoubleFromUint(Args a, EvalContext&) { return Value::Double(static_cast<double>(a[0]->AsUint())); }
Value DoubleFromString(Args a, EvalContext&) {
  std::string_view s = a[0]->AsString();
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  double d = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
  if (digits.empty() || (ec != std::errc() && ec != std::errc::result_out_of_range) ||
      ptr != digits.data() + digits.size()) {
    return Value::Error(ErrorCode::kInvalidArgument, "cannot convert '" + std::string(s) + "' to double");
  }
  if (ec == std::errc::result_out_of_range) {
    // Beyond double's range: +-Inf, or 0 when too small (as Go's ParseFloat).
    size_t e = digits.find_first_of("eE");
    bool tiny = e != std::string_view::npos && e + 1 < digits.size() && digits[e + 1] == '-';
    d = tiny ? 0.0 : INFINITY;
  }
  if (!s.empty() && s.front() == '-') d = -std::abs(d);
  return Value::Double(d);
}

Value StringFromInt(Args a, EvalContext&) { return Value::String(std::to_string(a[0]->AsInt())); }
Value StringFromUint(Args a, EvalContext&) { return Value::String(std::to_string(a[0]->AsUint())); }
Value StringFromDouble(Args a, EvalContext&) { return Value::String(FormatDouble(a[0]->AsDouble())); }
Value StringFromBool(Args a, EvalContext&) { return Value::String(a[0]->AsBool() ? "true" : "false"); }
Value StringFromBytes(Args a, EvalContext&) {
  if (!IsValidUtf8(a[0]->AsString())) {
    return Value::Error(ErrorCode::kInvalidArgument, "bytes are not valid UTF-8");
  }
  return Value::String(a[0]->AsString());
}
Value BytesFromString(Args a, EvalContext&) { return Value::Bytes(a[0]->AsString()); }

Value BoolFromString(Args a, EvalContext&) {
  std::string_view s = a[0]->AsString();
  if (s == "1" || s == "t" || s == "true" || s == "TRUE" || s == "True") return Value::Bool(true);
  if (s == "0" || s == "f" || s == "false" || s == "FALSE" || s == "False") return Value::Bool(false);
  return Value::Error(ErrorCode::kInvalidArgument, "cannot convert '" + std::string(s) + "' to bool");
}

Value TypeOf(Args a, EvalContext&) { return Value::Type(a[0]->kind()); }

}  // namespace

void RegisterConversionFunctions(FunctionRegistry& r) {
  r.Add("int", false, {I}, I, Identity);
  r.Add("int", false, {U}, I, IntFromUint);
  r.Add("int", false, {F}, I, IntFromDouble);
  r.Add("int", false, {S}, I, IntFromString);
  r.Add("int", false, {Kind::kTimestamp}, I, IntFromTimestamp);
  r.Add("uint", false, {U}, U, Identity);
  r.Add("uint", false, {I}, U, UintFromInt);
  r.Add("uint", false, {F}, U, UintFromDouble);
  r.Add("uint", false, {S}, U, UintFromString);
  r.Add("double", false, {F}, F, Identity);
  r.Add("double", false, {I}, F, DoubleFromInt);
  r.Add("double", false, {U}, F, DoubleFromUint);
  r.Add("double", false, {S}, F, DoubleFromString);
  r.Add("string", false, {S}, S, Identity);
  r.Add("string", false, {I}, S, StringFromInt);
  r.Add("string", false, {U}, S, StringFromUint);
  r.Add("string", false, {F}, S, StringFromDouble);
  r.Add("string", false, {Z}, S, StringFromBool);
  r.Add("string", false, {B}, S, StringFromBytes);
  r.Add("bytes", false, {B}, B, Identity);
  r.Add("bytes", false, {S}, B, BytesFromString);
  r.Add("bool", false, {Z}, Z, Identity);
  r.Add("bool", false, {S}, Z, BoolFromString);
  r.Add("type", false, {D}, Kind::kType, TypeOf);
}

}  // namespace keel::cel
