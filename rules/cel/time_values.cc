#include "rules/cel/time_values.h"

#include <cstdio>
#include <optional>

#include "engine/json_time.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

// CEL's timestamp() also takes a space for the 'T', and no leap second.
constexpr Rfc3339Syntax kCelSyntax{.space_separator = true, .leap_second = false};

}  // namespace

bool ParseTimestamp(std::string_view text, int64_t* seconds, int32_t* nanos) {
  std::optional<Rfc3339Instant> instant = TryParseRfc3339(text, kCelSyntax);
  if (!instant) return false;
  *seconds = instant->seconds;
  *nanos = instant->nanos;
  return true;
}

std::string FormatTimestamp(int64_t seconds, int32_t nanos) {
  // A CEL timestamp is within 0001..9999 (MakeTimestampValue), which RFC 3339 can write.
  return FormatRfc3339({seconds, nanos}, Rfc3339Fraction::kShortest).value_or("");
}

bool ParseDuration(std::string_view s, int64_t* nanos, bool* out_of_range) {
  *out_of_range = false;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *nanos = 0;
    return true;
  }
  if (s.empty()) return false;
  __int128 total = 0;
  const __int128 limit = static_cast<__int128>(INT64_MAX) + (negative ? 1 : 0);
  while (!s.empty()) {
    __int128 whole = 0;
    bool any = false;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
      whole = whole * 10 + (s.front() - '0');
      if (whole > limit) {
        *out_of_range = true;
        return false;
      }
      s.remove_prefix(1);
      any = true;
    }
    __int128 fraction = 0, scale = 1;
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
        if (scale < static_cast<__int128>(1000000000000000000LL)) {
          fraction = fraction * 10 + (s.front() - '0');
          scale *= 10;
        }
        s.remove_prefix(1);
        any = true;
      }
    }
    if (!any) return false;
    int64_t unit;
    if (s.starts_with("ns")) { unit = 1; s.remove_prefix(2); }
    else if (s.starts_with("us")) { unit = 1000; s.remove_prefix(2); }
    else if (s.starts_with("\xC2\xB5s") || s.starts_with("\xCE\xBCs")) { unit = 1000; s.remove_prefix(3); }
    else if (s.starts_with("ms")) { unit = 1000000; s.remove_prefix(2); }
    else if (s.starts_with("s")) { unit = kNanosPerSecond; s.remove_prefix(1); }
    else if (s.starts_with("m")) { unit = 60 * kNanosPerSecond; s.remove_prefix(1); }
    else if (s.starts_with("h")) { unit = 3600 * kNanosPerSecond; s.remove_prefix(1); }
    else return false;
    total += whole * unit + fraction * unit / scale;
    if (total > limit) {
      *out_of_range = true;
      return false;
    }
  }
  *nanos = static_cast<int64_t>(negative ? -total : total);
  return true;
}

std::string FormatDuration(int64_t nanos) {
  uint64_t magnitude = nanos < 0 ? 0 - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  std::string out = nanos < 0 ? "-" : "";
  out += std::to_string(magnitude / kNanosPerSecond);
  uint64_t fraction = magnitude % kNanosPerSecond;
  if (fraction != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%09llu", static_cast<unsigned long long>(fraction));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

Value MakeTimestampValue(int64_t seconds, int64_t nanos) {
  __int128 s = static_cast<__int128>(seconds) + nanos / kNanosPerSecond;
  int64_t n = nanos % kNanosPerSecond;
  if (n < 0) {
    n += kNanosPerSecond;
    s -= 1;
  }
  if (s < kMinTimestampSeconds || s > kMaxTimestampSeconds) {
    return Value::Error(ErrorCode::kOverflow, "timestamp out of range (0001-01-01 to 9999-12-31)");
  }
  return ValueAccess::TimestampUnchecked(static_cast<int64_t>(s), static_cast<int32_t>(n));
}

CivilTime ToCivil(int64_t seconds, int32_t nanos, const TimeZone& zone) {
  int64_t local = seconds + zone.OffsetAt(seconds);
  CivilTime t;
  t.days = FloorDiv(local, 86400);
  int64_t rem = local - t.days * 86400;
  t.date = CivilFromDays(t.days);
  t.day_of_year = static_cast<int>(t.days - DaysFromCivil(t.date.year, 1, 1));
  t.weekday = WeekdayFromDays(t.days);
  t.hour = static_cast<int>(rem / 3600);
  t.minute = static_cast<int>(rem / 60 % 60);
  t.second = static_cast<int>(rem % 60);
  t.nanos = nanos;
  return t;
}

}  // namespace keel::cel
