// Timestamps and durations: RFC 3339 and "1h30m" text, range-checked
// arithmetic, and the civil fields of an instant in a time zone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rules/cel/time_zone.h"

namespace keel::cel {

inline constexpr int64_t kNanosPerSecond = 1000000000;

// "2026-03-02T09:00:00Z", "2026-03-02T10:00:00.5+01:00" (a 'T' or a space, 'Z' or an offset):
// the engine's reader (engine/json_time.h) with CEL's syntax.
bool ParseTimestamp(std::string_view text, int64_t* seconds, int32_t* nanos);
// RFC 3339 in UTC, fractional seconds without trailing zeros (the engine's writer).
std::string FormatTimestamp(int64_t seconds, int32_t nanos);

// Go's syntax: "90s", "1h30m", "-1.5h", "250ms", "3us", "10ns", "0". False
// when malformed or beyond int64 nanoseconds (about 292 years).
bool ParseDuration(std::string_view text, int64_t* nanos, bool* out_of_range);
// Seconds with the fraction as needed: "90s", "1.5s", "-0.000000001s".
std::string FormatDuration(int64_t nanos);

// A timestamp value, or a range error when outside 0001-01-01..9999-12-31.
// `nanos` may be any value; it is normalized into the seconds.
Value MakeTimestampValue(int64_t seconds, int64_t nanos);

// The civil fields of an instant in a zone.
struct CivilTime {
  int64_t days = 0;  // since 1970-01-01, local
  CivilDay date;
  int day_of_year = 0;  // 0-based
  int weekday = 0;      // 0 = Sunday
  int hour = 0, minute = 0, second = 0;
  int32_t nanos = 0;
};
CivilTime ToCivil(int64_t seconds, int32_t nanos, const TimeZone& zone);

}  // namespace keel::cel
