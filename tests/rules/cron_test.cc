// Cron expressions: parsing, and next occurrences in a zone across DST.
#include <gtest/gtest.h>

#include "engine/json_time.h"
#include "rules/cel/time_values.h"
#include "rules/cron.h"

namespace keel::rules {
namespace {

int64_t Seconds(const char* time) { return ParseRfc3339Micros(time).value() / 1000000; }

std::string Utc(int64_t seconds) { return cel::FormatTimestamp(seconds, 0); }

// The next `n` occurrences after `after`, in UTC.
std::vector<std::string> Next(const char* cron_text, const char* zone_name, const char* after, int n) {
  std::optional<CronSchedule> cron = ParseCron(cron_text);
  EXPECT_TRUE(cron.has_value()) << cron_text;
  auto zone = cel::TimeZone::Load(zone_name);
  EXPECT_TRUE(zone.ok()) << zone.status().ToString();
  std::vector<std::string> out;
  int64_t t = Seconds(after);
  for (int i = 0; i < n && cron && zone.ok(); ++i) {
    std::optional<int64_t> next = NextOccurrence(*cron, **zone, t);
    if (!next) break;
    out.push_back(Utc(*next));
    t = *next;
  }
  return out;
}

std::string ErrorOf(const char* text) {
  CronError error;
  EXPECT_FALSE(ParseCron(text, &error).has_value()) << text;
  return std::to_string(error.offset) + ": " + error.message;
}

TEST(CronTest, WeeklyAtNineInParisFollowsTheOffsetAcrossBothChanges) {
  // Mondays 09:00 local: 08:00Z in winter (CET), 07:00Z in summer (CEST).
  EXPECT_EQ(Next("0 9 * * MON", "Europe/Paris", "2026-03-20T00:00:00Z", 3),
            (std::vector<std::string>{"2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z", "2026-04-06T07:00:00Z"}));
  EXPECT_EQ(Next("0 9 * * MON", "Europe/Paris", "2026-10-20T00:00:00Z", 2),
            (std::vector<std::string>{"2026-10-26T08:00:00Z", "2026-11-02T08:00:00Z"}));
}

TEST(CronTest, LocalTimeInTheSpringGapFiresJustPastIt) {
  // 2026-03-29 02:30 does not exist in Paris (02:00 -> 03:00): 03:30 CEST.
  EXPECT_EQ(Next("30 2 * * *", "Europe/Paris", "2026-03-28T12:00:00Z", 3),
            (std::vector<std::string>{"2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"}));
  // New York, 2026-03-08 02:30 is skipped: 03:30 EDT = 07:30Z.
  EXPECT_EQ(Next("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 2),
            (std::vector<std::string>{"2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"}));
}

TEST(CronTest, LocalTimeInTheFallBackOverlapFiresOnce) {
  // Paris 2026-10-25 02:30 happens twice (CEST, then CET): once, the first.
  EXPECT_EQ(Next("30 2 * * *", "Europe/Paris", "2026-10-24T12:00:00Z", 2),
            (std::vector<std::string>{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}));
  // Every 30 minutes through New York's repeated hour (2026-11-01 01:00-02:00):
  // 01:00 and 01:30 fire once each, at their first (EDT) occurrence.
  EXPECT_EQ(Next("*/30 1-2 * * *", "America/New_York", "2026-11-01T04:00:00Z", 4),
            (std::vector<std::string>{"2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z", "2026-11-01T07:00:00Z",
                                      "2026-11-01T07:30:00Z"}));
}

TEST(CronTest, ListsRangesStepsAndNames) {
  EXPECT_EQ(Next("*/20 9-10 * * mon-fri", "UTC", "2026-03-06T10:30:00Z", 4),  // a Friday
            (std::vector<std::string>{"2026-03-06T10:40:00Z", "2026-03-09T09:00:00Z", "2026-03-09T09:20:00Z",
                                      "2026-03-09T09:40:00Z"}));
  EXPECT_EQ(Next("0 12 1,15 JAN,jul *", "UTC", "2026-01-10T00:00:00Z", 3),
            (std::vector<std::string>{"2026-01-15T12:00:00Z", "2026-07-01T12:00:00Z", "2026-07-15T12:00:00Z"}));
  EXPECT_EQ(Next("0 0 * * 7", "UTC", "2026-03-02T00:00:00Z", 1), (std::vector<std::string>{"2026-03-08T00:00:00Z"}))
      << "7 is Sunday too";
  EXPECT_EQ(Next("@monthly", "UTC", "2026-03-02T00:00:00Z", 1), (std::vector<std::string>{"2026-04-01T00:00:00Z"}));
  // Both day fields restricted: either matches (the 13th, or a Friday).
  EXPECT_EQ(Next("0 0 13 * FRI", "UTC", "2026-03-10T00:00:00Z", 3),
            (std::vector<std::string>{"2026-03-13T00:00:00Z", "2026-03-20T00:00:00Z", "2026-03-27T00:00:00Z"}));
  EXPECT_EQ(Next("0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", 1), (std::vector<std::string>{"2028-02-29T00:00:00Z"}));
}

TEST(CronTest, NextIsStrictlyAfter) {
  EXPECT_EQ(Next("0 9 * * *", "UTC", "2026-03-02T09:00:00Z", 1), (std::vector<std::string>{"2026-03-03T09:00:00Z"}));
}

TEST(CronTest, ImpossibleDayHasNoOccurrence) {
  auto cron = ParseCron("0 0 30 2 *");
  ASSERT_TRUE(cron.has_value());
  EXPECT_FALSE(NextOccurrence(*cron, *cel::TimeZone::Fixed(0), Seconds("2026-01-01T00:00:00Z")).has_value());
}

TEST(CronTest, ErrorsSayWhichFieldAndWhere) {
  EXPECT_EQ(ErrorOf("0 9 * *"), "0: expected 5 fields (minute hour day-of-month month day-of-week), found 4");
  EXPECT_EQ(ErrorOf("0 9 * * MOX"), "8: day of week: unknown name 'MOX' (SUN..SAT)");
  EXPECT_EQ(ErrorOf("60 9 * * *"), "0: minute: 60 is out of range 0-59");
  EXPECT_EQ(ErrorOf("0 9-7 * * *"), "2: hour: range 9-7 runs backwards");
  EXPECT_EQ(ErrorOf("*/0 * * * *"), "2: minute: a step of 0 selects nothing");
  EXPECT_EQ(ErrorOf("0 0 0 * *"), "4: day of month: 0 is out of range 1-31");
  EXPECT_EQ(ErrorOf("0 0 1,,2 * *"), "6: day of month: empty list item");
  EXPECT_EQ(ErrorOf("@sometimes"), "0: unknown shorthand '@sometimes' (@hourly, @daily, @weekly, @monthly, @yearly)");
}

}  // namespace
}  // namespace keel::rules
