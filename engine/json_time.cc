#include "engine/json_time.h"

#include <chrono>
#include <cstdio>
#include <string>

namespace keel {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int32_t kNanosPerSecond = 1'000'000'000;

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
// nanoseconds, truncated past nine digits.
bool ReadFraction(std::string_view text, size_t* pos, int32_t* nanos) {
  *nanos = 0;
  if (*pos >= text.size() || text[*pos] != '.') return true;
  size_t start = ++*pos;
  int32_t scale = kNanosPerSecond;
  while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') {
    scale /= 10;
    *nanos += (text[*pos] - '0') * scale;
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

bool IsSeparator(char c, Rfc3339Syntax syntax) { return c == 'T' || c == 't' || (c == ' ' && syntax.space_separator); }

// Appends the fraction of `nanos` as `fraction` asks.
void AppendFraction(int32_t nanos, Rfc3339Fraction fraction, std::string* out) {
  char digits[16];
  switch (fraction) {
    case Rfc3339Fraction::kNone:
      return;
    case Rfc3339Fraction::kMillis:
      std::snprintf(digits, sizeof digits, ".%03d", nanos / 1'000'000);
      break;
    case Rfc3339Fraction::kMicros:
      if (nanos / 1000 == 0) return;
      std::snprintf(digits, sizeof digits, ".%06d", nanos / 1000);
      break;
    case Rfc3339Fraction::kShortest: {
      if (nanos == 0) return;
      int length = std::snprintf(digits, sizeof digits, ".%09d", nanos);
      while (digits[length - 1] == '0') --length;
      digits[length] = '\0';
      break;
    }
  }
  out->append(digits);
}

}  // namespace

Rfc3339Instant InstantFromMicros(int64_t micros) {
  int64_t seconds = micros / kMicrosPerSecond, fraction = micros % kMicrosPerSecond;
  if (fraction < 0) {  // before 1970: the fraction counts forward from the second before
    --seconds;
    fraction += kMicrosPerSecond;
  }
  return {seconds, static_cast<int32_t>(fraction * 1000)};
}

std::optional<Rfc3339Instant> TryParseRfc3339(std::string_view text, Rfc3339Syntax syntax) {
  std::optional<int64_t> days = ParseFullDate(text);
  int hour, minute, second;
  if (!days || text.size() < 19 || !IsSeparator(text[10], syntax) || !ReadDigits(text, 11, 2, &hour) ||
      text[13] != ':' || !ReadDigits(text, 14, 2, &minute) || text[16] != ':' ||
      !ReadDigits(text, 17, 2, &second) || hour > 23 || minute > 59 || second > (syntax.leap_second ? 60 : 59)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int32_t nanos;
  int offset_seconds;
  if (!ReadFraction(text, &pos, &nanos) || !ReadOffset(text, pos, &offset_seconds)) return std::nullopt;
  int64_t seconds = *days * 86400 + hour * 3600 + minute * 60 - offset_seconds;
  if (second == 60) {
    // A leap second ends a UTC day: 23:59:60Z, or the same instant at an offset.
    constexpr int64_t kLastMinuteOfDay = 23 * 3600 + 59 * 60;
    if (((seconds % 86400) + 86400) % 86400 != kLastMinuteOfDay) return std::nullopt;
    return Rfc3339Instant{seconds + 59, kNanosPerSecond - 1};
  }
  return Rfc3339Instant{seconds + second, nanos};
}

std::optional<int64_t> TryParseRfc3339Micros(std::string_view text) {
  std::optional<Rfc3339Instant> instant = TryParseRfc3339(text);
  if (!instant) return std::nullopt;
  return instant->seconds * kMicrosPerSecond + instant->nanos / 1000;
}

Result<int64_t> ParseRfc3339Micros(std::string_view text) {
  std::optional<int64_t> micros = TryParseRfc3339Micros(text);
  if (!micros) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not an RFC 3339 date-time (e.g. 2026-03-02T09:00:00Z)");
  }
  return *micros;
}

bool IsRfc3339FullDate(std::string_view text) { return ParseRfc3339FullDate(text).has_value(); }

std::optional<int64_t> ParseRfc3339FullDate(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  return ParseFullDate(text);
}

std::optional<std::string> FormatRfc3339(Rfc3339Instant instant, Rfc3339Fraction fraction) {
  using namespace std::chrono;
  constexpr int64_t kFirst = -62167219200LL;  // 0000-01-01T00:00:00Z
  constexpr int64_t kEnd = 253402300800LL;    // 10000-01-01T00:00:00Z
  if (instant.seconds < kFirst || instant.seconds >= kEnd) return std::nullopt;
  sys_seconds at{seconds(instant.seconds)};
  sys_days day = floor<days>(at);
  year_month_day date(day);
  hh_mm_ss<seconds> time_of_day(at - day);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time_of_day.hours().count()), static_cast<int>(time_of_day.minutes().count()),
                static_cast<int>(time_of_day.seconds().count()));
  std::string out = text;
  AppendFraction(instant.nanos, fraction, &out);
  out.push_back('Z');
  return out;
}

std::optional<std::string> FormatRfc3339Micros(int64_t micros) {
  return FormatRfc3339(InstantFromMicros(micros), Rfc3339Fraction::kMicros);
}

}  // namespace keel
