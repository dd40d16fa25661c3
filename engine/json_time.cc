#include "engine/json_time.h"

#include <chrono>
#include <cstdio>
#include <string>

namespace keel {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

// Reads exactly `count` ASCII digits at `pos`; false if any is not a digit.
bool ReadDigits(std::string_view text, size_t pos, size_t count, int* value) {
  if (pos + count > text.size()) return false;
  int result = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *value = result;
  return true;
}

constexpr bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// Days from 0000-01-01 (proleptic Gregorian; year 0 is a leap year) to the
// given day. Years are 0000-9999 here, so plain integer division is exact.
constexpr int64_t DaysSinceYearZero(int64_t year, int month, int day) {
  constexpr int kDaysBeforeMonth[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  int64_t leap_years_before = (year + 3) / 4 - (year + 99) / 100 + (year + 399) / 400;
  int64_t leap_day_this_year = month > 2 && IsLeapYear(year);
  return 365 * year + leap_years_before + kDaysBeforeMonth[month - 1] + leap_day_this_year + day - 1;
}

constexpr int64_t kUnixEpochDays = DaysSinceYearZero(1970, 1, 1);
static_assert(DaysSinceYearZero(2000, 3, 1) - kUnixEpochDays == 11017);

int DaysInMonth(int64_t year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 of a full-date at the start of `text` (YYYY-MM-DD),
// or nullopt when it is malformed or names no real day.
std::optional<int64_t> ParseFullDate(std::string_view text) {
  int year, month, day;
  if (!ReadDigits(text, 0, 4, &year) || text.size() < 10 || text[4] != '-' ||
      !ReadDigits(text, 5, 2, &month) || text[7] != '-' || !ReadDigits(text, 8, 2, &day) || month < 1 ||
      month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  return DaysSinceYearZero(year, month, day) - kUnixEpochDays;
}

// Reads ".digits" at `*pos` when present: the fraction of a second, in
// microseconds, truncated past six digits.
bool ReadFraction(std::string_view text, size_t* pos, int64_t* micros) {
  *micros = 0;
  if (*pos >= text.size() || text[*pos] != '.') return true;
  size_t start = ++*pos;
  int64_t scale = kMicrosPerSecond;
  while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') {
    scale /= 10;
    *micros += (text[*pos] - '0') * scale;
    ++*pos;
  }
  return *pos > start;  // a '.' needs at least one digit
}

// Reads "Z" or "+hh:mm" / "-hh:mm", which must end `text`, as seconds east of UTC.
bool ReadOffset(std::string_view text, size_t pos, int* offset_seconds) {
  if (pos + 1 == text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    *offset_seconds = 0;
    return true;
  }
  int hours, minutes;
  if (pos + 6 != text.size() || (text[pos] != '+' && text[pos] != '-') ||
      !ReadDigits(text, pos + 1, 2, &hours) || text[pos + 3] != ':' ||
      !ReadDigits(text, pos + 4, 2, &minutes) || hours > 23 || minutes > 59) {
    return false;
  }
  *offset_seconds = (text[pos] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  return true;
}

}  // namespace

std::optional<int64_t> TryParseRfc3339Micros(std::string_view text) {
  std::optional<int64_t> days = ParseFullDate(text);
  int hour, minute, second;
  if (!days || text.size() < 19 || (text[10] != 'T' && text[10] != 't') ||
      !ReadDigits(text, 11, 2, &hour) || text[13] != ':' || !ReadDigits(text, 14, 2, &minute) ||
      text[16] != ':' || !ReadDigits(text, 17, 2, &second) || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t fraction_micros;
  int offset_seconds;
  if (!ReadFraction(text, &pos, &fraction_micros) || !ReadOffset(text, pos, &offset_seconds)) {
    return std::nullopt;
  }
  int64_t seconds = *days * 86400 + hour * 3600 + minute * 60 - offset_seconds;
  if (second == 60) {
    // A leap second ends a UTC day: 23:59:60Z, or the same instant at an offset.
    constexpr int64_t kLastMinuteOfDay = 23 * 3600 + 59 * 60;
    if (((seconds % 86400) + 86400) % 86400 != kLastMinuteOfDay) return std::nullopt;
    return (seconds + 59) * kMicrosPerSecond + kMicrosPerSecond - 1;
  }
  return (seconds + second) * kMicrosPerSecond + fraction_micros;
}

Result<int64_t> ParseRfc3339Micros(std::string_view text) {
  std::optional<int64_t> micros = TryParseRfc3339Micros(text);
  if (!micros) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not an RFC 3339 date-time (e.g. 2026-03-02T09:00:00Z)");
  }
  return *micros;
}

bool IsRfc3339FullDate(std::string_view text) {
  return text.size() == 10 && ParseFullDate(text).has_value();
}

std::optional<std::string> FormatRfc3339Micros(int64_t micros) {
  using namespace std::chrono;
  constexpr int64_t kFirst = -62167219200LL * kMicrosPerSecond;  // 0000-01-01T00:00:00Z
  constexpr int64_t kEnd = 253402300800LL * kMicrosPerSecond;    // 10000-01-01T00:00:00Z
  if (micros < kFirst || micros >= kEnd) return std::nullopt;
  sys_time<microseconds> at{microseconds(micros)};
  sys_days day = floor<days>(at);
  year_month_day date(day);
  hh_mm_ss<microseconds> time_of_day(at - day);
  char text[40];
  int length = std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
                             static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                             static_cast<int>(time_of_day.hours().count()),
                             static_cast<int>(time_of_day.minutes().count()),
                             static_cast<int>(time_of_day.seconds().count()));
  if (int64_t fraction = time_of_day.subseconds().count(); fraction != 0) {
    std::snprintf(text + length, sizeof text - length, ".%06lld", static_cast<long long>(fraction));
  }
  return std::string(text) + "Z";
}

}  // namespace keel
