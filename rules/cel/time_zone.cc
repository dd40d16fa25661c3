// Why keel reads TZif itself rather than through Howard Hinnant's date/tz
// (Debian's libdate-tz 3.0.1, built with USE_OS_TZDB), measured for issue 20:
// - it ignores the POSIX TZ rule in a TZif file's footer, so after a file's
//   last listed transition (2037 in Debian's tzdata) a zone keeps its last
//   offset for ever: Paris reads CET in July 2100, Sydney AEDT in July 2090;
// - it reads only /usr/share/zoneinfo, not $TZDIR;
// - its POSIX-rule header (ptz.h) does not compile as C++20 with GCC 12;
// - it is slower here: OffsetAt about 34 ns against 14, ToUtc 106 against
//   30, and the first zone costs about 2 ms, as it lists every zone first.
#include "rules/cel/time_zone.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace keel::cel {

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDay CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDay{static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

int WeekdayFromDays(int64_t days) {
  int64_t w = (days + 4) % 7;  // 1970-01-01 was a Thursday
  return static_cast<int>(w < 0 ? w + 7 : w);
}

namespace {

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// [+-]hh[:mm[:ss]] in seconds.
bool ParseHms(std::string_view* s, int32_t* out, bool allow_sign) {
  int sign = 1;
  if (allow_sign && !s->empty() && (s->front() == '+' || s->front() == '-')) {
    sign = s->front() == '-' ? -1 : 1;
    s->remove_prefix(1);
  }
  int32_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (s->empty() || s->front() != ':') break;
      s->remove_prefix(1);
    }
    if (s->empty() || !isdigit(static_cast<unsigned char>(s->front()))) return false;
    int32_t v = 0;
    int digits = 0;
    while (!s->empty() && isdigit(static_cast<unsigned char>(s->front())) && digits < 3) {
      v = v * 10 + (s->front() - '0');
      s->remove_prefix(1);
      ++digits;
    }
    parts[i] = v;
  }
  *out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool ParseZoneName(std::string_view* s) {
  if (!s->empty() && s->front() == '<') {
    size_t close = s->find('>');
    if (close == std::string_view::npos) return false;
    s->remove_prefix(close + 1);
    return true;
  }
  size_t n = 0;
  while (n < s->size() && isalpha(static_cast<unsigned char>((*s)[n]))) ++n;
  if (n < 3) return false;
  s->remove_prefix(n);
  return true;
}

bool ParseInt(std::string_view* s, int* out) {
  if (s->empty() || !isdigit(static_cast<unsigned char>(s->front()))) return false;
  int v = 0;
  while (!s->empty() && isdigit(static_cast<unsigned char>(s->front()))) {
    v = v * 10 + (s->front() - '0');
    s->remove_prefix(1);
  }
  *out = v;
  return true;
}

bool ParseRuleDate(std::string_view* s, PosixRule::Date* date) {
  if (s->empty()) return false;
  if (s->front() == 'M') {
    s->remove_prefix(1);
    date->kind = 'M';
    if (!ParseInt(s, &date->month) || s->empty() || s->front() != '.') return false;
    s->remove_prefix(1);
    if (!ParseInt(s, &date->week) || s->empty() || s->front() != '.') return false;
    s->remove_prefix(1);
    if (!ParseInt(s, &date->day)) return false;
    if (date->month < 1 || date->month > 12 || date->week < 1 || date->week > 5 || date->day > 6) return false;
  } else if (s->front() == 'J') {
    s->remove_prefix(1);
    date->kind = 'J';
    if (!ParseInt(s, &date->day)) return false;
  } else {
    date->kind = 'N';
    if (!ParseInt(s, &date->day)) return false;
  }
  date->time = 7200;
  if (!s->empty() && s->front() == '/') {
    s->remove_prefix(1);
    if (!ParseHms(s, &date->time, /*allow_sign=*/true)) return false;
  }
  return true;
}

// Local seconds (in the offset then in effect) of a rule date in `year`.
int64_t LocalTransition(const PosixRule::Date& date, int64_t year) {
  int64_t days;
  if (date.kind == 'M') {
    int64_t first = DaysFromCivil(year, date.month, 1);
    int64_t next = date.month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, date.month + 1, 1);
    days = first + (date.day - WeekdayFromDays(first) + 7) % 7 + (date.week - 1) * 7;
    while (days >= next) days -= 7;
  } else if (date.kind == 'J') {
    days = DaysFromCivil(year, 1, 1) + date.day - 1 + (IsLeap(year) && date.day >= 60 ? 1 : 0);
  } else {
    days = DaysFromCivil(year, 1, 1) + date.day;
  }
  return days * 86400 + date.time;
}

uint32_t ReadBe32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
int64_t ReadBe64(const unsigned char* p) {
  return static_cast<int64_t>((uint64_t{ReadBe32(p)} << 32) | ReadBe32(p + 4));
}

bool IsSafeZoneName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '/' || name.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+' || c == '.';
  });
}

// "+05:30", "-08:00", "02:00", "+0530", "-00:00".
bool ParseFixedOffset(std::string_view s, int32_t* offset) {
  int sign = 1;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  auto two_digits = [&](int* v) {
    if (s.size() < 2 || !isdigit(static_cast<unsigned char>(s[0])) || !isdigit(static_cast<unsigned char>(s[1]))) {
      return false;
    }
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    s.remove_prefix(2);
    return true;
  };
  int hours, minutes = 0;
  if (!two_digits(&hours)) return false;
  if (!s.empty() && s.front() == ':') s.remove_prefix(1);
  if (!s.empty() && !two_digits(&minutes)) return false;
  if (!s.empty() || hours > 23 || minutes > 59) return false;
  *offset = sign * (hours * 3600 + minutes * 60);
  return true;
}

std::mutex cache_mu;
std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>>& Cache() {
  static auto* cache = new std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>>();
  return *cache;
}
constexpr size_t kMaxCachedZones = 4096;

}  // namespace

bool ParsePosixRule(std::string_view s, PosixRule* rule) {
  int32_t offset;
  if (!ParseZoneName(&s) || !ParseHms(&s, &offset, true)) return false;
  rule->std_offset = -offset;
  rule->has_dst = false;
  if (s.empty()) return true;
  if (!ParseZoneName(&s)) return false;
  rule->has_dst = true;
  rule->dst_offset = rule->std_offset + 3600;
  if (!s.empty() && s.front() != ',') {
    if (!ParseHms(&s, &offset, true)) return false;
    rule->dst_offset = -offset;
  }
  if (s.empty()) {
    // No rule given: POSIX leaves it to the implementation; use the US rule.
    s = ",M3.2.0,M11.1.0";
  }
  if (s.front() != ',') return false;
  s.remove_prefix(1);
  if (!ParseRuleDate(&s, &rule->start) || s.empty() || s.front() != ',') return false;
  s.remove_prefix(1);
  return ParseRuleDate(&s, &rule->end) && s.empty();
}

int32_t PosixRule::OffsetAt(int64_t utc) const {
  if (!has_dst) return std_offset;
  int64_t year = CivilFromDays(FloorDiv(utc + std_offset, 86400)).year;
  int64_t start_utc = LocalTransition(start, year) - std_offset;
  int64_t end_utc = LocalTransition(end, year) - dst_offset;
  bool dst = start_utc < end_utc ? (utc >= start_utc && utc < end_utc) : !(utc >= end_utc && utc < start_utc);
  return dst ? dst_offset : std_offset;
}

std::shared_ptr<const TimeZone> TimeZone::Fixed(int32_t offset_seconds) {
  auto zone = std::make_shared<TimeZone>();
  zone->initial_offset_ = offset_seconds;
  return zone;
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Load(std::string_view name) {
  {
    std::lock_guard<std::mutex> lock(cache_mu);
    auto it = Cache().find(name);
    if (it != Cache().end()) return it->second;
  }
  std::shared_ptr<const TimeZone> zone;
  int32_t offset;
  if (name == "UTC" || name == "Z" || name == "utc") {
    zone = Fixed(0);
  } else if (ParseFixedOffset(name, &offset)) {
    zone = Fixed(offset);
  } else {
    if (!IsSafeZoneName(name)) return Status::InvalidArgument("unknown time zone '" + std::string(name) + "'");
    KEEL_ASSIGN_OR_RETURN(zone, LoadTzif(std::string(name)));
  }
  std::lock_guard<std::mutex> lock(cache_mu);
  if (Cache().size() < kMaxCachedZones) Cache().emplace(std::string(name), zone);
  return zone;
}

Result<std::shared_ptr<const TimeZone>> TimeZone::LoadTzif(const std::string& name) {
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("unknown time zone '" + name + "'");
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bad = [&] { return Status::InvalidArgument("time zone '" + name + "': not a valid TZif file"); };
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t size = data.size();
  if (size < 44 || data.compare(0, 4, "TZif") != 0) return bad();

  struct Counts {
    uint32_t isut, isstd, leap, time, type, chars;
  };
  auto read_counts = [&](size_t at) {
    return Counts{ReadBe32(p + at + 20), ReadBe32(p + at + 24), ReadBe32(p + at + 28),
                  ReadBe32(p + at + 32), ReadBe32(p + at + 36), ReadBe32(p + at + 40)};
  };
  Counts c = read_counts(0);
  size_t at = 44;
  int time_size = 4;
  if (data[4] >= '2') {
    // Skip the 32-bit block; use the 64-bit one that follows.
    at += c.time * 5ull + c.type * 6ull + c.chars + c.leap * 8ull + c.isstd + c.isut;
    if (at + 44 > size || data.compare(at, 4, "TZif") != 0) return bad();
    c = read_counts(at);
    at += 44;
    time_size = 8;
  }
  size_t block = c.time * (time_size + 1ull) + c.type * 6ull + c.chars + c.leap * (time_size + 4ull) + c.isstd + c.isut;
  if (c.type == 0 || at + block > size) return bad();

  auto zone = std::make_shared<TimeZone>();
  const unsigned char* times = p + at;
  const unsigned char* indices = times + c.time * time_size;
  const unsigned char* types = indices + c.time;
  auto type_offset = [&](uint32_t i) { return static_cast<int32_t>(ReadBe32(types + 6 * i)); };
  zone->initial_offset_ = type_offset(0);
  for (uint32_t i = 0; i < c.time; ++i) {
    if (indices[i] >= c.type) return bad();
    int64_t t = time_size == 8 ? ReadBe64(times + 8 * i) : static_cast<int32_t>(ReadBe32(times + 4 * i));
    zone->transitions_.push_back(t);
    zone->offsets_.push_back(type_offset(indices[i]));
  }
  at += block;
  if (time_size == 8 && at < size && data[at] == '\n') {
    size_t end = data.find('\n', at + 1);
    if (end != std::string::npos && end > at + 1) {
      zone->has_rule_ = ParsePosixRule(std::string_view(data).substr(at + 1, end - at - 1), &zone->rule_);
    }
  }
  return std::shared_ptr<const TimeZone>(std::move(zone));
}

int32_t TimeZone::OffsetAt(int64_t utc) const {
  if (transitions_.empty()) return has_rule_ ? rule_.OffsetAt(utc) : initial_offset_;
  if (utc < transitions_.front()) return initial_offset_;
  if (utc >= transitions_.back() && has_rule_) return rule_.OffsetAt(utc);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc);
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

int64_t TimeZone::ToUtc(int64_t local) const {
  // The offsets a day before and after bracket any single change.
  int32_t before = OffsetAt(local - 86400);
  int32_t after = OffsetAt(local + 86400);
  int64_t t1 = local - before, t2 = local - after;
  bool valid1 = OffsetAt(t1) == before, valid2 = OffsetAt(t2) == after;
  if (valid1 && valid2) return std::min(t1, t2);
  if (valid1) return t1;
  if (valid2) return t2;
  return t1;  // in a gap: shift forward by it
}

}  // namespace keel::cel
