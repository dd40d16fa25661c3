// timestamp() and duration(), their arithmetic, and the accessors
// (getFullYear, getMonth, ..., each with an optional time zone).
#include "rules/cel/functions.h"
#include "rules/cel/time_values.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

using Args = const Value* const*;
constexpr Kind I = Kind::kInt, S = Kind::kString, T = Kind::kTimestamp, D = Kind::kDuration;

Value DurationRangeError() {
  return Value::Error(ErrorCode::kOverflow, "duration out of range (about +-292 years)");
}

Value TimestampFromString(Args a, EvalContext&) {
  int64_t seconds;
  int32_t nanos;
  if (!ParseTimestamp(a[0]->AsString(), &seconds, &nanos)) {
    return Value::Error(ErrorCode::kInvalidArgument,
                        "invalid timestamp '" + std::string(a[0]->AsString()) + "' (RFC 3339 expected)");
  }
  return MakeTimestampValue(seconds, nanos);
}
Value TimestampFromInt(Args a, EvalContext&) { return MakeTimestampValue(a[0]->AsInt(), 0); }
Value Identity(Args a, EvalContext&) { return *a[0]; }

Value DurationFromString(Args a, EvalContext&) {
  int64_t nanos;
  bool out_of_range;
  if (!ParseDuration(a[0]->AsString(), &nanos, &out_of_range)) {
    if (out_of_range) return DurationRangeError();
    return Value::Error(ErrorCode::kInvalidArgument,
                        "invalid duration '" + std::string(a[0]->AsString()) + "' (e.g. \"90s\", \"1h30m\")");
  }
  return Value::Duration(nanos);
}

Value StringFromTimestamp(Args a, EvalContext&) {
  return Value::String(FormatTimestamp(a[0]->TimestampSeconds(), a[0]->TimestampNanos()));
}
Value StringFromDuration(Args a, EvalContext&) { return Value::String(FormatDuration(a[0]->DurationNanos())); }

Value AddTimestampDuration(const Value& ts, __int128 nanos) {
  __int128 seconds = ts.TimestampSeconds() + nanos / kNanosPerSecond;
  int64_t rest = static_cast<int64_t>(nanos % kNanosPerSecond) + ts.TimestampNanos();
  if (seconds < kMinTimestampSeconds - 1 || seconds > kMaxTimestampSeconds + 1) {
    return MakeTimestampValue(seconds < 0 ? kMinTimestampSeconds - 1 : kMaxTimestampSeconds + 1, 0);
  }
  return MakeTimestampValue(static_cast<int64_t>(seconds), rest);
}
Value TimestampPlusDuration(Args a, EvalContext&) { return AddTimestampDuration(*a[0], a[1]->DurationNanos()); }
Value DurationPlusTimestamp(Args a, EvalContext&) { return AddTimestampDuration(*a[1], a[0]->DurationNanos()); }
Value TimestampMinusDuration(Args a, EvalContext&) {
  return AddTimestampDuration(*a[0], -static_cast<__int128>(a[1]->DurationNanos()));
}
Value TimestampMinusTimestamp(Args a, EvalContext&) {
  __int128 nanos = (static_cast<__int128>(a[0]->TimestampSeconds()) - a[1]->TimestampSeconds()) * kNanosPerSecond +
                   (a[0]->TimestampNanos() - a[1]->TimestampNanos());
  if (nanos > INT64_MAX || nanos < INT64_MIN) return DurationRangeError();
  return Value::Duration(static_cast<int64_t>(nanos));
}
Value DurationPlusDuration(Args a, EvalContext&) {
  int64_t r;
  if (__builtin_add_overflow(a[0]->DurationNanos(), a[1]->DurationNanos(), &r)) return DurationRangeError();
  return Value::Duration(r);
}
Value DurationMinusDuration(Args a, EvalContext&) {
  int64_t r;
  if (__builtin_sub_overflow(a[0]->DurationNanos(), a[1]->DurationNanos(), &r)) return DurationRangeError();
  return Value::Duration(r);
}

// The accessors: one field of the civil time, in UTC or the named zone.
using Field = int64_t (*)(const CivilTime&);
template <Field F>
Value TimestampField(Args a, EvalContext&) {
  static const std::shared_ptr<const TimeZone> utc = TimeZone::Fixed(0);
  return Value::Int(F(ToCivil(a[0]->TimestampSeconds(), a[0]->TimestampNanos(), *utc)));
}
template <Field F>
Value TimestampFieldInZone(Args a, EvalContext& ctx) {
  ctx.Charge(1);
  auto zone = TimeZone::Load(a[1]->AsString());
  if (!zone.ok()) return Value::Error(ErrorCode::kInvalidArgument, zone.status().message());
  return Value::Int(F(ToCivil(a[0]->TimestampSeconds(), a[0]->TimestampNanos(), **zone)));
}

int64_t FullYear(const CivilTime& t) { return t.date.year; }
int64_t Month(const CivilTime& t) { return t.date.month - 1; }
int64_t Date(const CivilTime& t) { return t.date.day; }
int64_t DayOfMonth(const CivilTime& t) { return t.date.day - 1; }
int64_t DayOfYear(const CivilTime& t) { return t.day_of_year; }
int64_t DayOfWeek(const CivilTime& t) { return t.weekday; }
int64_t Hours(const CivilTime& t) { return t.hour; }
int64_t Minutes(const CivilTime& t) { return t.minute; }
int64_t Seconds(const CivilTime& t) { return t.second; }
int64_t Milliseconds(const CivilTime& t) { return t.nanos / 1000000; }

Value DurationHours(Args a, EvalContext&) { return Value::Int(a[0]->DurationNanos() / (3600 * kNanosPerSecond)); }
Value DurationMinutes(Args a, EvalContext&) { return Value::Int(a[0]->DurationNanos() / (60 * kNanosPerSecond)); }
Value DurationSeconds(Args a, EvalContext&) { return Value::Int(a[0]->DurationNanos() / kNanosPerSecond); }
// The milliseconds within the second, as CEL defines getMilliseconds on durations.
Value DurationMilliseconds(Args a, EvalContext&) {
  return Value::Int(a[0]->DurationNanos() % kNanosPerSecond / 1000000);
}

template <Field F>
void AddAccessor(FunctionRegistry& r, std::string_view name) {
  r.Add(name, true, {T}, I, TimestampField<F>);
  r.Add(name, true, {T, S}, I, TimestampFieldInZone<F>);
}

}  // namespace

void RegisterTimeFunctions(FunctionRegistry& r) {
  r.Add("timestamp", false, {S}, T, TimestampFromString);
  r.Add("timestamp", false, {T}, T, Identity);
  r.Add("timestamp", false, {I}, T, TimestampFromInt);
  r.Add("duration", false, {S}, D, DurationFromString);
  r.Add("duration", false, {D}, D, Identity);
  r.Add("string", false, {T}, S, StringFromTimestamp);
  r.Add("string", false, {D}, S, StringFromDuration);

  r.Add("_+_", false, {T, D}, T, TimestampPlusDuration);
  r.Add("_+_", false, {D, T}, T, DurationPlusTimestamp);
  r.Add("_+_", false, {D, D}, D, DurationPlusDuration);
  r.Add("_-_", false, {T, D}, T, TimestampMinusDuration);
  r.Add("_-_", false, {T, T}, D, TimestampMinusTimestamp);
  r.Add("_-_", false, {D, D}, D, DurationMinusDuration);

  AddAccessor<FullYear>(r, "getFullYear");
  AddAccessor<Month>(r, "getMonth");
  AddAccessor<Date>(r, "getDate");
  AddAccessor<DayOfMonth>(r, "getDayOfMonth");
  AddAccessor<DayOfYear>(r, "getDayOfYear");
  AddAccessor<DayOfWeek>(r, "getDayOfWeek");
  AddAccessor<Hours>(r, "getHours");
  AddAccessor<Minutes>(r, "getMinutes");
  AddAccessor<Seconds>(r, "getSeconds");
  AddAccessor<Milliseconds>(r, "getMilliseconds");
  r.Add("getHours", true, {D}, I, DurationHours);
  r.Add("getMinutes", true, {D}, I, DurationMinutes);
  r.Add("getSeconds", true, {D}, I, DurationSeconds);
  r.Add("getMilliseconds", true, {D}, I, DurationMilliseconds);
}

}  // namespace keel::cel
