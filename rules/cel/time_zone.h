// Civil time and time zones: IANA zones read from the system's TZif files
// (RFC 8536, including the POSIX TZ rule that extends them), fixed offsets.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/cel/cel.h"

namespace keel::cel {

// Days since 1970-01-01 in the proleptic Gregorian calendar, and back.
int64_t DaysFromCivil(int64_t year, int month, int day);
CivilDay CivilFromDays(int64_t days);
// 0 = Sunday ... 6 = Saturday.
int WeekdayFromDays(int64_t days);
inline int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// A POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3"): what TZif files use after
// their last transition.
struct PosixRule {
  struct Date {
    char kind = 'M';  // 'M' month.week.day, 'J' julian 1-365 without Feb 29, 'N' day 0-365
    int month = 0, week = 0, day = 0;
    int32_t time = 7200;  // seconds after local midnight
  };
  int32_t std_offset = 0;  // seconds east of UTC
  int32_t dst_offset = 0;
  bool has_dst = false;
  Date start, end;

  int32_t OffsetAt(int64_t utc_seconds) const;
};
bool ParsePosixRule(std::string_view text, PosixRule* rule);

// Immutable once loaded; safe for concurrent use.
class TimeZone {
 public:
  // "UTC", "Z", an IANA name ("Europe/Paris", read from $TZDIR or
  // /usr/share/zoneinfo), or a fixed offset ("+05:30", "-08:00", "02:00").
  // Loaded zones are cached for the life of the process.
  static Result<std::shared_ptr<const TimeZone>> Load(std::string_view name);
  static std::shared_ptr<const TimeZone> Fixed(int32_t offset_seconds);

  // Seconds east of UTC in effect at `utc_seconds`.
  int32_t OffsetAt(int64_t utc_seconds) const;
  // The instant a local wall-clock time (seconds since 1970-01-01T00:00 local)
  // denotes. A time skipped by a DST change moves forward by the gap; a
  // repeated one is its first occurrence.
  int64_t ToUtc(int64_t local_seconds) const;

 private:
  static Result<std::shared_ptr<const TimeZone>> LoadTzif(const std::string& name);

  int32_t initial_offset_ = 0;
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int32_t> offsets_;      // in effect from transitions_[i]
  bool has_rule_ = false;
  PosixRule rule_;  // after the last transition
};

}  // namespace keel::cel
