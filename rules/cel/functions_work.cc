// keel's functions for work: now(), business days, whole days, start of day.
// Business days come from the activation's BusinessCalendar (Monday to Friday
// in UTC by default); a per-workspace holiday calendar plugs in there.
#include "rules/cel/functions.h"
#include "rules/cel/time_values.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {

bool BusinessCalendar::IsBusinessDay(const CivilDay&, int weekday) const { return weekday >= 1 && weekday <= 5; }

namespace {

using Args = const Value* const*;
constexpr Kind I = Kind::kInt, S = Kind::kString, T = Kind::kTimestamp;

// Days to search for a business day before giving up on a calendar that has none.
constexpr int kMaxConsecutiveHolidays = 3660;
constexpr int64_t kMaxBusinessDaysStep = 100000;

const BusinessCalendar& CalendarOf(const EvalContext& ctx) {
  static const BusinessCalendar weekdays;
  const BusinessCalendar* c = ctx.activation->calendar();
  return c != nullptr ? *c : weekdays;
}

// The zone named by the optional argument, else the calendar's.
Result<std::shared_ptr<const TimeZone>> ZoneOf(const EvalContext& ctx, const Value* name) {
  return TimeZone::Load(name != nullptr ? name->AsString() : CalendarOf(ctx).TimeZone());
}

bool IsBusinessDay(const BusinessCalendar& calendar, int64_t days) {
  return calendar.IsBusinessDay(CivilFromDays(days), WeekdayFromDays(days));
}

Value ZoneError(const Status& status) { return Value::Error(ErrorCode::kInvalidArgument, status.message()); }

Value Now(Args, EvalContext& ctx) {
  const Value& now = ctx.activation->now();
  if (now.kind() != Kind::kTimestamp) {
    return Value::Error(ErrorCode::kInvalidArgument, "now() has no value: the activation sets no event time");
  }
  return now;
}

Value AddBusinessDaysIn(Args a, const Value* zone_name, EvalContext& ctx) {
  auto zone = ZoneOf(ctx, zone_name);
  if (!zone.ok()) return ZoneError(zone.status());
  int64_t n = a[1]->AsInt();
  if (n > kMaxBusinessDaysStep || n < -kMaxBusinessDaysStep) {
    return Value::Error(ErrorCode::kInvalidArgument, "add_business_days() moves at most 100000 days");
  }
  const BusinessCalendar& calendar = CalendarOf(ctx);
  int64_t local = a[0]->TimestampSeconds() + (*zone)->OffsetAt(a[0]->TimestampSeconds());
  int64_t day = FloorDiv(local, 86400);
  int64_t time_of_day = local - day * 86400;
  int64_t step = n > 0 ? 1 : -1;
  int misses = 0;
  for (int64_t remaining = n > 0 ? n : -n; remaining > 0;) {
    day += step;
    if (!ctx.Charge(1)) return ctx.Stopped();
    if (IsBusinessDay(calendar, day)) {
      --remaining;
      misses = 0;
    } else if (++misses > kMaxConsecutiveHolidays) {
      return Value::Error(ErrorCode::kInvalidArgument, "the business calendar has no business day for 10 years");
    }
  }
  return MakeTimestampValue((*zone)->ToUtc(day * 86400 + time_of_day), a[0]->TimestampNanos());
}
Value AddBusinessDays(Args a, EvalContext& ctx) { return AddBusinessDaysIn(a, nullptr, ctx); }
Value AddBusinessDaysTz(Args a, EvalContext& ctx) { return AddBusinessDaysIn(a, a[2], ctx); }

Value IsBusinessDayIn(Args a, const Value* zone_name, EvalContext& ctx) {
  auto zone = ZoneOf(ctx, zone_name);
  if (!zone.ok()) return ZoneError(zone.status());
  int64_t local = a[0]->TimestampSeconds() + (*zone)->OffsetAt(a[0]->TimestampSeconds());
  return Value::Bool(IsBusinessDay(CalendarOf(ctx), FloorDiv(local, 86400)));
}
Value IsBusinessDayFn(Args a, EvalContext& ctx) { return IsBusinessDayIn(a, nullptr, ctx); }
Value IsBusinessDayTz(Args a, EvalContext& ctx) { return IsBusinessDayIn(a, a[1], ctx); }

// Business days d with date(a) < d <= date(b); negative when b is earlier.
Value BusinessDaysBetweenIn(Args a, const Value* zone_name, EvalContext& ctx) {
  auto zone = ZoneOf(ctx, zone_name);
  if (!zone.ok()) return ZoneError(zone.status());
  auto local_day = [&](const Value& ts) {
    return FloorDiv(ts.TimestampSeconds() + (*zone)->OffsetAt(ts.TimestampSeconds()), 86400);
  };
  int64_t from = local_day(*a[0]), to = local_day(*a[1]);
  int64_t sign = 1;
  if (to < from) {
    std::swap(from, to);
    sign = -1;
  }
  if (!ctx.Charge(to - from)) return ctx.Stopped();
  const BusinessCalendar& calendar = CalendarOf(ctx);
  int64_t count = 0;
  for (int64_t d = from + 1; d <= to; ++d) count += IsBusinessDay(calendar, d);
  return Value::Int(sign * count);
}
Value BusinessDaysBetween(Args a, EvalContext& ctx) { return BusinessDaysBetweenIn(a, nullptr, ctx); }
Value BusinessDaysBetweenTz(Args a, EvalContext& ctx) { return BusinessDaysBetweenIn(a, a[2], ctx); }

// Whole 24-hour days from a to b, truncated toward zero.
Value DaysBetween(Args a, EvalContext&) {
  __int128 nanos = (static_cast<__int128>(a[1]->TimestampSeconds()) - a[0]->TimestampSeconds()) * kNanosPerSecond +
                   (a[1]->TimestampNanos() - a[0]->TimestampNanos());
  return Value::Int(static_cast<int64_t>(nanos / (static_cast<__int128>(86400) * kNanosPerSecond)));
}

Value StartOfDayIn(Args a, const Value* zone_name, EvalContext& ctx) {
  auto zone = ZoneOf(ctx, zone_name);
  if (!zone.ok()) return ZoneError(zone.status());
  int64_t local = a[0]->TimestampSeconds() + (*zone)->OffsetAt(a[0]->TimestampSeconds());
  return MakeTimestampValue((*zone)->ToUtc(FloorDiv(local, 86400) * 86400), 0);
}
Value StartOfDay(Args a, EvalContext& ctx) { return StartOfDayIn(a, nullptr, ctx); }
Value StartOfDayTz(Args a, EvalContext& ctx) { return StartOfDayIn(a, a[1], ctx); }

}  // namespace

void RegisterWorkFunctions(FunctionRegistry& r) {
  r.Add("now", false, {}, T, Now);
  r.Add("add_business_days", false, {T, I}, T, AddBusinessDays);
  r.Add("add_business_days", false, {T, I, S}, T, AddBusinessDaysTz);
  r.Add("is_business_day", false, {T}, Kind::kBool, IsBusinessDayFn);
  r.Add("is_business_day", false, {T, S}, Kind::kBool, IsBusinessDayTz);
  r.Add("business_days_between", false, {T, T}, I, BusinessDaysBetween);
  r.Add("business_days_between", false, {T, T, S}, I, BusinessDaysBetweenTz);
  r.Add("days_between", false, {T, T}, I, DaysBetween);
  r.Add("start_of_day", false, {T}, T, StartOfDay);
  r.Add("start_of_day", false, {T, S}, T, StartOfDayTz);
}

}  // namespace keel::cel
