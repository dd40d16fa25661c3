// Cron schedules: the five fields of crontab(5) (minute, hour, day of month,
// month, day of week), with lists (1,15), ranges (1-5), steps (*/15, 9-17/2),
// names (JAN..DEC, SUN..SAT, any case), 7 for Sunday, and the shorthands
// @hourly, @daily (@midnight), @weekly, @monthly, @yearly (@annually).
// When both day fields are restricted, a day matches either (as in Vixie
// cron); otherwise it must match both.
//
// Occurrences are local times in a zone. Across daylight-saving changes:
// a local time the spring-forward gap skips fires at the instant it maps to
// past the gap (02:30 in Paris on the last Sunday of March is 03:30 CEST);
// a local time the fall-back overlap repeats fires once, at its first
// occurrence. Every occurrence is a distinct instant, so nothing fires twice.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "rules/cel/time_zone.h"

namespace keel::rules {

struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // 1-31
  std::bitset<13> months;         // 1-12
  std::bitset<7> days_of_week;    // 0 = Sunday
  bool any_day_of_month = true;   // the field was `*` (or `*/1`)
  bool any_day_of_week = true;
};

// Where a cron expression is wrong: the byte offset in the text and why.
struct CronError {
  size_t offset = 0;
  std::string message;
};

// Parses `text`; on failure fills `*error` (when given) and returns nullopt.
std::optional<CronSchedule> ParseCron(std::string_view text, CronError* error = nullptr);

// The first occurrence strictly after `after_utc_seconds`, in UTC seconds;
// nullopt when there is none within nine years (February 30th, ...).
std::optional<int64_t> NextOccurrence(const CronSchedule& cron, const cel::TimeZone& zone, int64_t after_utc_seconds);

}  // namespace keel::rules
