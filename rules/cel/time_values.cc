#include "rules/cel/time_values.h"

#include <cstdio>

#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

bool Digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

bool ParseTimestamp(std::string_view s, int64_t* seconds, int32_t* nanos) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &month) || s[7] != '-' ||
      !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !Digits(s, 11, 2, &hour) ||
      s[13] != ':' || !Digits(s, 14, 2, &minute) || s[16] != ':' || !Digits(s, 17, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return false;
  }
  size_t i = 19;
  int32_t fraction = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 9) fraction = fraction * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return false;
    for (; digits < 9; ++digits) fraction *= 10;
  }
  int32_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!Digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' || !Digits(s, i + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return false;
    }
    offset = (s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  *seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  *nanos = fraction;
  return true;
}

std::string FormatTimestamp(int64_t seconds, int32_t nanos) {
  int64_t days = FloorDiv(seconds, 86400);
  int64_t rem = seconds - days * 86400;
  CivilDay d = CivilFromDays(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", d.year, d.month, d.day,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  std::string out = buf;
  if (nanos != 0) {
    std::snprintf(buf, sizeof buf, ".%09d", nanos);
    std::string fraction = buf;
    while (fraction.back() == '0') fraction.pop_back();
    out += fraction;
  }
  return out + "Z";
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
