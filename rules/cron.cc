#include "rules/cron.h"

#include <array>
#include <cctype>
#include <vector>

namespace keel::rules {
namespace {

struct FieldSpec {
  const char* name;
  int low, high;
  const std::array<std::string_view, 13>* names;  // index = value; nullptr: numbers only
  int names_base;
};

constexpr std::array<std::string_view, 13> kMonthNames = {"",    "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                           "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 13> kDayNames = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

const FieldSpec kFields[5] = {{"minute", 0, 59, nullptr, 0},
                              {"hour", 0, 23, nullptr, 0},
                              {"day of month", 1, 31, nullptr, 0},
                              {"month", 1, 12, &kMonthNames, 1},
                              {"day of week", 0, 7, &kDayNames, 0}};

class FieldParser {
 public:
  FieldParser(std::string_view text, size_t base, const FieldSpec& spec, CronError* error)
      : text_(text), base_(base), spec_(spec), error_(error) {}

  // Sets the values the field selects in `bits` (size spec.high + 1).
  bool Parse(std::vector<bool>* bits, bool* star) {
    *star = text_ == "*" || text_ == "*/1";
    size_t start = 0;
    while (true) {
      size_t comma = text_.find(',', start);
      std::string_view item = text_.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (!ParseItem(item, start, bits)) return false;
      if (comma == std::string_view::npos) return true;
      start = comma + 1;
    }
  }

 private:
  bool Fail(size_t at, std::string message) {
    if (error_) *error_ = {base_ + at, std::string(spec_.name) + ": " + std::move(message)};
    return false;
  }

  bool Value(std::string_view token, size_t at, int* value) {
    if (token.empty()) return Fail(at, "expected a number" + std::string(spec_.names ? " or a name" : ""));
    if (std::isdigit(static_cast<unsigned char>(token[0]))) {
      int v = 0;
      for (char c : token) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || v > 1000) return Fail(at, "'" + std::string(token) + "' is not a number");
        v = v * 10 + (c - '0');
      }
      if (v < spec_.low || v > spec_.high) {
        return Fail(at, std::to_string(v) + " is out of range " + std::to_string(spec_.low) + "-" + std::to_string(spec_.high));
      }
      *value = v;
      return true;
    }
    if (spec_.names) {
      std::string upper;
      for (char c : token) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
      for (size_t i = 0; i < spec_.names->size(); ++i) {
        if (!(*spec_.names)[i].empty() && (*spec_.names)[i] == upper) {
          *value = static_cast<int>(i);
          return true;
        }
      }
      return Fail(at, "unknown name '" + std::string(token) + "'" +
                          (spec_.names == &kMonthNames ? " (JAN..DEC)" : " (SUN..SAT)"));
    }
    return Fail(at, "'" + std::string(token) + "' is not a number");
  }

  bool ParseItem(std::string_view item, size_t at, std::vector<bool>* bits) {
    if (item.empty()) return Fail(at, "empty list item");
    int step = 1;
    size_t slash = item.find('/');
    std::string_view range = item.substr(0, slash);
    if (slash != std::string_view::npos) {
      std::string_view step_text = item.substr(slash + 1);
      int v = 0;
      if (step_text.empty()) return Fail(at + slash + 1, "expected a step after '/'");
      for (char c : step_text) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || v > 1000) {
          return Fail(at + slash + 1, "step '" + std::string(step_text) + "' is not a number");
        }
        v = v * 10 + (c - '0');
      }
      if (v == 0) return Fail(at + slash + 1, "a step of 0 selects nothing");
      step = v;
    }
    int low = spec_.low, high = spec_.high;
    if (range != "*") {
      size_t dash = range.find('-');
      if (!Value(range.substr(0, dash), at, &low)) return false;
      if (dash != std::string_view::npos) {
        if (!Value(range.substr(dash + 1), at + dash + 1, &high)) return false;
        if (high < low) return Fail(at, "range " + std::string(range) + " runs backwards");
      } else if (slash == std::string_view::npos) {
        high = low;
      }
      // `a/n` is a..max in steps of n, as in Vixie cron.
    }
    for (int v = low; v <= high; v += step) (*bits)[v] = true;
    return true;
  }

  std::string_view text_;
  size_t base_;
  const FieldSpec& spec_;
  CronError* error_;
};

std::string_view Shorthand(std::string_view text) {
  if (text == "@hourly") return "0 * * * *";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  return {};
}

bool DayMatches(const CronSchedule& cron, int64_t day) {
  cel::CivilDay civil = cel::CivilFromDays(day);
  if (!cron.months[civil.month]) return false;
  bool dom = cron.days_of_month[civil.day];
  bool dow = cron.days_of_week[cel::WeekdayFromDays(day)];
  if (cron.any_day_of_month && cron.any_day_of_week) return true;
  if (cron.any_day_of_month) return dow;
  if (cron.any_day_of_week) return dom;
  return dom || dow;
}

}  // namespace

std::optional<CronSchedule> ParseCron(std::string_view text, CronError* error) {
  if (!text.empty() && text[0] == '@') {
    std::string_view expanded = Shorthand(text);
    if (expanded.empty()) {
      if (error) *error = {0, "unknown shorthand '" + std::string(text) + "' (@hourly, @daily, @weekly, @monthly, @yearly)"};
      return std::nullopt;
    }
    text = expanded;
  }
  std::vector<std::pair<size_t, std::string_view>> fields;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == ' ' || text[i] == '\t') {
      ++i;
      continue;
    }
    size_t end = text.find_first_of(" \t", i);
    if (end == std::string_view::npos) end = text.size();
    fields.emplace_back(i, text.substr(i, end - i));
    i = end;
  }
  if (fields.size() != 5) {
    if (error) {
      *error = {0, "expected 5 fields (minute hour day-of-month month day-of-week), found " +
                       std::to_string(fields.size())};
    }
    return std::nullopt;
  }
  CronSchedule cron;
  for (int f = 0; f < 5; ++f) {
    std::vector<bool> bits(kFields[f].high + 1, false);
    bool star = false;
    FieldParser parser(fields[f].second, fields[f].first, kFields[f], error);
    if (!parser.Parse(&bits, &star)) return std::nullopt;
    for (int v = kFields[f].low; v <= kFields[f].high; ++v) {
      if (!bits[v]) continue;
      switch (f) {
        case 0: cron.minutes[v] = true; break;
        case 1: cron.hours[v] = true; break;
        case 2: cron.days_of_month[v] = true; break;
        case 3: cron.months[v] = true; break;
        default: cron.days_of_week[v % 7] = true; break;  // 7 is Sunday too
      }
    }
    if (f == 2) cron.any_day_of_month = star;
    if (f == 4) cron.any_day_of_week = star;
  }
  return cron;
}

std::optional<int64_t> NextOccurrence(const CronSchedule& cron, const cel::TimeZone& zone, int64_t after_utc_seconds) {
  int64_t local_after = after_utc_seconds + zone.OffsetAt(after_utc_seconds);
  // From the day before: a zone's offset can put the first candidate there.
  int64_t first_day = cel::FloorDiv(local_after, 86400) - 1;
  for (int64_t day = first_day; day < first_day + 366 * 9; ++day) {
    if (!DayMatches(cron, day)) continue;
    // Within a day, the earliest instant after `after` (a skipped local time
    // maps past the gap, so instants need not follow local order).
    std::optional<int64_t> best;
    for (int h = 0; h < 24; ++h) {
      if (!cron.hours[h]) continue;
      for (int m = 0; m < 60; ++m) {
        if (!cron.minutes[m]) continue;
        int64_t instant = zone.ToUtc(day * 86400 + h * 3600 + m * 60);
        if (instant > after_utc_seconds && (!best || instant < *best)) best = instant;
      }
    }
    if (best) return best;
  }
  return std::nullopt;
}

}  // namespace keel::rules
