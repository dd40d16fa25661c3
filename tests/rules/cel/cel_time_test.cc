// Timestamps, durations and time zones (system tzdata), including DST changes.
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "rules/cel/cel.h"
#include "rules/cel/time_zone.h"
#include "tests/support/temp_dir.h"

namespace keel::cel {
namespace {

Result<Value> Eval(std::string_view expr) {
  KEEL_ASSIGN_OR_RETURN(Program program, Compile(expr));
  return program.Evaluate(Activation());
}

void ExpectTrue(std::string_view expr) {
  Result<Value> v = Eval(expr);
  ASSERT_TRUE(v.ok()) << expr << ": " << v.status().ToString();
  ASSERT_EQ(v->kind(), Kind::kBool) << expr;
  EXPECT_TRUE(v->AsBool()) << expr;
}

void ExpectInt(std::string_view expr, int64_t expected) {
  Result<Value> v = Eval(expr);
  ASSERT_TRUE(v.ok()) << expr << ": " << v.status().ToString();
  ASSERT_EQ(v->kind(), Kind::kInt) << expr;
  EXPECT_EQ(v->AsInt(), expected) << expr;
}

void ExpectString(std::string_view expr, std::string_view expected) {
  Result<Value> v = Eval(expr);
  ASSERT_TRUE(v.ok()) << expr << ": " << v.status().ToString();
  ASSERT_EQ(v->kind(), Kind::kString) << expr;
  EXPECT_EQ(v->AsString(), expected) << expr;
}

void ExpectError(std::string_view expr, std::string_view text) {
  Result<Value> v = Eval(expr);
  ASSERT_FALSE(v.ok()) << expr << " gave " << v->DebugString();
  EXPECT_NE(v.status().message().find(text), std::string::npos) << expr << ": " << v.status().message();
}

TEST(CelTimeTest, TimestampsParseAndPrintRfc3339) {
  ExpectString("string(timestamp('2026-03-02T09:00:00Z'))", "2026-03-02T09:00:00Z");
  ExpectString("string(timestamp('2026-03-02T10:00:00.250+01:00'))", "2026-03-02T09:00:00.25Z");
  ExpectInt("int(timestamp('1970-01-01T00:00:01Z'))", 1);
  ExpectTrue("timestamp(1234567890) == timestamp('2009-02-13T23:31:30Z')");
  ExpectError("timestamp('2026-02-30T00:00:00Z')", "invalid timestamp");
  ExpectError("timestamp('2026-03-02')", "invalid timestamp");
}

TEST(CelTimeTest, TimestampRangeIsYearOneToYear9999) {
  ExpectError("timestamp('0000-12-31T23:59:59Z')", "out of range");
  ExpectError("timestamp('9999-12-31T23:59:59Z') + duration('1s')", "out of range");
  ExpectError("timestamp(253402300800)", "out of range");
  ExpectTrue("timestamp('0001-01-01T00:00:00Z') < timestamp('9999-12-31T23:59:59.999999999Z')");
}

TEST(CelTimeTest, DurationsParseGoSyntaxAndPrintSeconds) {
  ExpectString("string(duration('1h30m'))", "5400s");
  ExpectString("string(duration('1.5s'))", "1.5s");
  ExpectString("string(duration('-250ms'))", "-0.25s");
  ExpectInt("duration('90m').getHours()", 1);
  ExpectInt("duration('3730s').getMinutes()", 62);
  ExpectInt("duration('1.5s').getMilliseconds()", 500);
  ExpectError("duration('10 days')", "invalid duration");
  ExpectError("duration('3000000h')", "out of range");
  ExpectString("string(duration('2500000h'))", "9000000000s");
}

TEST(CelTimeTest, Arithmetic) {
  ExpectTrue("timestamp('2026-03-02T09:00:00Z') + duration('36h') == timestamp('2026-03-03T21:00:00Z')");
  ExpectTrue("duration('1h') + timestamp('2026-03-02T09:00:00Z') == timestamp('2026-03-02T10:00:00Z')");
  ExpectTrue("timestamp('2026-03-02T09:00:00Z') - timestamp('2026-03-01T09:00:00Z') == duration('24h')");
  ExpectTrue("timestamp('2026-03-02T09:00:00Z') - duration('1ns') < timestamp('2026-03-02T09:00:00Z')");
  ExpectTrue("duration('1h') - duration('30m') == duration('30m')");
  ExpectError("duration('2000000h') + duration('2000000h')", "out of range");
  ExpectError("timestamp('9999-01-01T00:00:00Z') - timestamp('0001-01-01T00:00:00Z')", "out of range");
}

TEST(CelTimeTest, AccessorsInUtc) {
  // Friday 2009-02-13 23:31:30 UTC.
  const std::string ts = "timestamp('2009-02-13T23:31:30.123Z')";
  ExpectInt(ts + ".getFullYear()", 2009);
  ExpectInt(ts + ".getMonth()", 1);
  ExpectInt(ts + ".getDate()", 13);
  ExpectInt(ts + ".getDayOfMonth()", 12);
  ExpectInt(ts + ".getDayOfYear()", 43);
  ExpectInt(ts + ".getDayOfWeek()", 5);
  ExpectInt(ts + ".getHours()", 23);
  ExpectInt(ts + ".getMinutes()", 31);
  ExpectInt(ts + ".getSeconds()", 30);
  ExpectInt(ts + ".getMilliseconds()", 123);
}

TEST(CelTimeTest, AccessorsWithFixedOffsets) {
  const std::string ts = "timestamp('2009-02-13T23:31:30Z')";
  ExpectInt(ts + ".getHours('+05:30')", 5);
  ExpectInt(ts + ".getMinutes('+05:30')", 1);
  ExpectInt(ts + ".getDayOfWeek('+05:30')", 6);
  ExpectInt(ts + ".getHours('-08:00')", 15);
  ExpectInt(ts + ".getHours('02:00')", 1);
  ExpectInt(ts + ".getHours('UTC')", 23);
}

TEST(CelTimeTest, ParisSpringForward) {
  // 2024-03-31: at 01:00 UTC, Paris goes from 02:00 CET to 03:00 CEST.
  ExpectInt("timestamp('2024-03-31T00:59:59Z').getHours('Europe/Paris')", 1);
  ExpectInt("timestamp('2024-03-31T01:00:00Z').getHours('Europe/Paris')", 3);
  // Midnight that day is still CET: 23:00 UTC the day before.
  ExpectTrue("start_of_day(timestamp('2024-03-31T12:00:00Z'), 'Europe/Paris') == "
             "timestamp('2024-03-30T23:00:00Z')");
  ExpectTrue("start_of_day(timestamp('2024-04-01T12:00:00Z'), 'Europe/Paris') == "
             "timestamp('2024-03-31T22:00:00Z')");
  // Friday 09:00 CET plus one business day is Monday 09:00 CEST: the local time holds.
  ExpectTrue("add_business_days(timestamp('2024-03-29T08:00:00Z'), 1, 'Europe/Paris') == "
             "timestamp('2024-04-01T07:00:00Z')");
}

TEST(CelTimeTest, ParisFallBack) {
  // 2024-10-27: at 01:00 UTC, Paris goes from 03:00 CEST back to 02:00 CET.
  ExpectInt("timestamp('2024-10-27T00:30:00Z').getHours('Europe/Paris')", 2);
  ExpectInt("timestamp('2024-10-27T01:30:00Z').getHours('Europe/Paris')", 2);
  ExpectInt("timestamp('2024-10-27T02:30:00Z').getHours('Europe/Paris')", 3);
  // A 25-hour day: midnight to midnight.
  ExpectTrue("start_of_day(timestamp('2024-10-28T12:00:00Z'), 'Europe/Paris') - "
             "start_of_day(timestamp('2024-10-27T12:00:00Z'), 'Europe/Paris') == duration('25h')");
}

TEST(CelTimeTest, RulesBeyondTheTransitionTable) {
  // TZif tables end; the POSIX rule in the file's footer covers later years.
  ExpectInt("timestamp('2100-07-01T12:00:00Z').getHours('Europe/Paris')", 14);
  ExpectInt("timestamp('2100-01-01T12:00:00Z').getHours('Europe/Paris')", 13);
  // Southern hemisphere: summer time spans the new year.
  ExpectInt("timestamp('2090-01-15T00:00:00Z').getHours('Australia/Sydney')", 11);
  ExpectInt("timestamp('2090-07-15T00:00:00Z').getHours('Australia/Sydney')", 10);
}

TEST(CelTimeTest, MidnightSkippedByDstMovesForward) {
  // Sao Paulo, 2018-11-04: clocks went from 00:00 to 01:00 (-03 to -02).
  ExpectTrue("start_of_day(timestamp('2018-11-04T12:00:00Z'), 'America/Sao_Paulo') == "
             "timestamp('2018-11-04T03:00:00Z')");
}

TEST(CelTimeTest, UnknownZonesAreErrors) {
  ExpectError("timestamp('2024-01-01T00:00:00Z').getHours('Mars/Olympus')", "unknown time zone");
  ExpectError("timestamp('2024-01-01T00:00:00Z').getHours('../../etc/passwd')", "unknown time zone");
  ExpectError("timestamp('2024-01-01T00:00:00Z').getHours('+25:00')", "unknown time zone");
}

TEST(CelTimeTest, ConstantZonesAreCheckedAtLoad) {
  Diagnostic d;
  ASSERT_FALSE(Compile("timestamp('2024-01-01T00:00:00Z').getHours('Europe/Pairs')", {}, &d).ok());
  EXPECT_EQ(d.position.column, 44);
  EXPECT_NE(d.message.find("unknown time zone 'Europe/Pairs'"), std::string::npos) << d.message;
  EXPECT_FALSE(Compile("start_of_day(timestamp('2024-01-01T00:00:00Z'), '+25:00')").ok());
  EXPECT_TRUE(Compile("start_of_day(timestamp('2024-01-01T00:00:00Z'), 'Asia/Tokyo')").ok());
}

TEST(CelTimeZoneTest, PosixRules) {
  PosixRule rule;
  ASSERT_TRUE(ParsePosixRule("CET-1CEST,M3.5.0,M10.5.0/3", &rule));
  EXPECT_EQ(rule.std_offset, 3600);
  EXPECT_EQ(rule.dst_offset, 7200);
  ASSERT_TRUE(ParsePosixRule("<+0545>-5:45", &rule));
  EXPECT_FALSE(rule.has_dst);
  EXPECT_EQ(rule.std_offset, 5 * 3600 + 45 * 60);
  ASSERT_TRUE(ParsePosixRule("EST5EDT,M3.2.0,M11.1.0", &rule));
  // 2030-03-10 is the second Sunday of March: DST from 07:00 UTC.
  int64_t day = DaysFromCivil(2030, 3, 10) * 86400;
  EXPECT_EQ(rule.OffsetAt(day + 6 * 3600 + 3599), -5 * 3600);
  EXPECT_EQ(rule.OffsetAt(day + 7 * 3600), -4 * 3600);
  EXPECT_FALSE(ParsePosixRule("X1", &rule));
}

TEST(CelTimeZoneTest, ZonesAreReadFromTzdir) {
  // Deployments point TZDIR at a zoneinfo of their own (a newer tzdata than
  // the system's, a container without one); Load reads the name from there.
  keel::testing::TempDir dir;
  std::filesystem::create_directories(dir / "Keel");
  std::filesystem::copy_file("/usr/share/zoneinfo/Asia/Kolkata", dir / "Keel" / "Kolkata");
  const char* old = getenv("TZDIR");
  std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  setenv("TZDIR", dir.path().c_str(), 1);
  Result<std::shared_ptr<const TimeZone>> zone = TimeZone::Load("Keel/Kolkata");
  saved ? setenv("TZDIR", saved->c_str(), 1) : unsetenv("TZDIR");
  ASSERT_TRUE(zone.ok()) << zone.status().ToString();
  EXPECT_EQ((*zone)->OffsetAt(DaysFromCivil(2026, 3, 2) * 86400), 5 * 3600 + 30 * 60);
}

TEST(CelTimeZoneTest, CivilDays) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  CivilDay d = CivilFromDays(DaysFromCivil(1, 1, 1));
  EXPECT_EQ(d.year, 1);
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil(2026, 3, 2)), 1);  // a Monday
  EXPECT_EQ(WeekdayFromDays(-1), 3);                         // 1969-12-31, a Wednesday
}

}  // namespace
}  // namespace keel::cel
