// keel's functions for work: now(), business days, days between, strings.
#include <gtest/gtest.h>

#include "rules/cel/cel.h"

namespace keel::cel {
namespace {

Result<Value> Eval(std::string_view expr, const Activation& activation = Activation()) {
  KEEL_ASSIGN_OR_RETURN(Program program, Compile(expr));
  return program.Evaluate(activation);
}

void ExpectTrue(std::string_view expr, const Activation& activation = Activation()) {
  Result<Value> v = Eval(expr, activation);
  ASSERT_TRUE(v.ok()) << expr << ": " << v.status().ToString();
  ASSERT_EQ(v->kind(), Kind::kBool) << expr;
  EXPECT_TRUE(v->AsBool()) << expr;
}

void ExpectError(std::string_view expr, std::string_view text, const Activation& activation = Activation()) {
  Result<Value> v = Eval(expr, activation);
  ASSERT_FALSE(v.ok()) << expr << " gave " << v->DebugString();
  EXPECT_NE(v.status().message().find(text), std::string::npos) << expr << ": " << v.status().message();
}

// 2026-03-06 is a Friday.
constexpr char kFriday[] = "timestamp('2026-03-06T17:00:00Z')";

TEST(CelNowTest, NowIsTheEventTimeFromTheActivation) {
  Activation a;
  a.SetNow(*Value::Timestamp(1772442000));  // 2026-03-02T09:00:00Z
  ExpectTrue("now() == timestamp('2026-03-02T09:00:00Z')", a);
  ExpectTrue("now() + duration('1h') > now()", a);
  ExpectError("now()", "now() has no value");
}

TEST(CelBusinessDaysTest, WeekendsAreSkipped) {
  ExpectTrue(std::string("add_business_days(") + kFriday + ", 1) == timestamp('2026-03-09T17:00:00Z')");
  ExpectTrue(std::string("add_business_days(") + kFriday + ", 5) == timestamp('2026-03-13T17:00:00Z')");
  ExpectTrue(std::string("add_business_days(") + kFriday + ", 6) == timestamp('2026-03-16T17:00:00Z')");
  ExpectTrue(std::string("add_business_days(") + kFriday + ", 0) == " + kFriday);
  // From a Saturday, the next business day is Monday.
  ExpectTrue("add_business_days(timestamp('2026-03-07T10:00:00Z'), 1) == timestamp('2026-03-09T10:00:00Z')");
  // Backwards: Monday minus one is the Friday before.
  ExpectTrue("add_business_days(timestamp('2026-03-09T08:00:00Z'), -1) == timestamp('2026-03-06T08:00:00Z')");
  ExpectError("add_business_days(timestamp('2026-03-09T08:00:00Z'), 1000000)", "at most");
}

TEST(CelBusinessDaysTest, IsBusinessDay) {
  ExpectTrue(std::string("is_business_day(") + kFriday + ")");
  ExpectTrue("!is_business_day(timestamp('2026-03-08T12:00:00Z'))");
  // 23:30 UTC on Friday is already Saturday in Tokyo.
  ExpectTrue("!is_business_day(timestamp('2026-03-06T23:30:00Z'), 'Asia/Tokyo')");
}

TEST(CelBusinessDaysTest, BusinessDaysBetween) {
  ExpectTrue(std::string("business_days_between(") + kFriday + ", timestamp('2026-03-09T09:00:00Z')) == 1");
  ExpectTrue("business_days_between(timestamp('2026-03-02T09:00:00Z'), timestamp('2026-03-06T09:00:00Z')) == 4");
  ExpectTrue("business_days_between(timestamp('2026-03-06T09:00:00Z'), timestamp('2026-03-02T09:00:00Z')) == -4");
  ExpectTrue("business_days_between(timestamp('2026-03-02T09:00:00Z'), timestamp('2026-03-02T18:00:00Z')) == 0");
}

// A holiday calendar, as a workspace will provide one.
class HolidayCalendar : public BusinessCalendar {
 public:
  bool IsBusinessDay(const CivilDay& day, int weekday) const override {
    if (day.year == 2026 && day.month == 3 && day.day == 9) return false;  // a Monday off
    return BusinessCalendar::IsBusinessDay(day, weekday);
  }
  std::string_view TimeZone() const override { return "Europe/Paris"; }
};

TEST(CelBusinessDaysTest, CalendarHookAddsHolidaysAndTheZone) {
  HolidayCalendar calendar;
  Activation a;
  a.SetCalendar(&calendar);
  // Friday 18:00 Paris + 1 skips the weekend and the Monday holiday.
  ExpectTrue(std::string("add_business_days(") + kFriday + ", 1) == timestamp('2026-03-10T17:00:00Z')", a);
  ExpectTrue("!is_business_day(timestamp('2026-03-09T12:00:00Z'))", a);
  ExpectTrue(std::string("business_days_between(") + kFriday + ", timestamp('2026-03-10T09:00:00Z')) == 1", a);
  // The calendar's zone applies unless the expression names one.
  ExpectTrue("start_of_day(timestamp('2026-03-02T12:00:00Z')) == timestamp('2026-03-01T23:00:00Z')", a);
  ExpectTrue("start_of_day(timestamp('2026-03-02T12:00:00Z'), 'UTC') == timestamp('2026-03-02T00:00:00Z')", a);
}

class NoBusinessDays : public BusinessCalendar {
 public:
  bool IsBusinessDay(const CivilDay&, int) const override { return false; }
};

TEST(CelBusinessDaysTest, CalendarWithoutBusinessDaysFailsInsteadOfLooping) {
  NoBusinessDays calendar;
  Activation a;
  a.SetCalendar(&calendar);
  Result<Value> v = Eval(std::string("add_business_days(") + kFriday + ", 1)", a);
  ASSERT_FALSE(v.ok());
}

TEST(CelDaysBetweenTest, WholeDaysWithSign) {
  ExpectTrue("days_between(timestamp('2026-03-02T09:00:00Z'), timestamp('2026-03-05T09:00:00Z')) == 3");
  ExpectTrue("days_between(timestamp('2026-03-02T09:00:00Z'), timestamp('2026-03-05T08:59:59Z')) == 2");
  ExpectTrue("days_between(timestamp('2026-03-05T09:00:00Z'), timestamp('2026-03-02T09:00:00Z')) == -3");
  ExpectTrue("days_between(timestamp('2026-03-02T21:00:00Z'), timestamp('2026-03-01T09:00:00Z')) == -1");
  ExpectTrue("days_between(timestamp('2026-03-02T09:00:00Z'), timestamp('2026-03-02T23:00:00Z')) == 0");
}

TEST(CelStartOfDayTest, Utc) {
  ExpectTrue("start_of_day(timestamp('2026-03-02T21:15:00.5Z')) == timestamp('2026-03-02T00:00:00Z')");
  ExpectTrue("start_of_day(timestamp('2026-03-02T21:15:00Z'), 'Asia/Tokyo') == timestamp('2026-03-02T15:00:00Z')");
}

TEST(CelStringFunctionsTest, CaseMapping) {
  ExpectTrue("'Marketing TEAM'.lower() == 'marketing team'");
  ExpectTrue("'Équipe Ærø'.lower() == 'équipe ærø'");
  ExpectTrue("'straße'.upper() == 'STRAßE'");
  ExpectTrue("'προϊόν'.upper() == 'ΠΡΟΪΌΝ' && 'ΠΡΟΪΌΝ'.lower() == 'προϊόν'");
  ExpectTrue("'задача'.upper() == 'ЗАДАЧА'");
}

TEST(CelStringFunctionsTest, TrimSplitJoinReplace) {
  ExpectTrue("'  in progress \\n'.trim() == 'in progress'");
  ExpectTrue("'\\u00a0x\\u3000'.trim() == 'x'");
  ExpectTrue("'   '.trim() == ''");
  ExpectTrue("'a,b,,c'.split(',') == ['a', 'b', '', 'c']");
  ExpectTrue("'héllo'.split('') == ['h', 'é', 'l', 'l', 'o']");
  ExpectTrue("['a', 'b', 'c'].join(', ') == 'a, b, c'");
  ExpectTrue("['a', 'b'].join() == 'ab'");
  ExpectTrue("[].join('-') == ''");
  ExpectError("dyn(['a', 1]).join('-')", "list of strings");
  ExpectTrue("'to do'.replace(' ', '_') == 'to_do'");
  ExpectTrue("'aaa'.replace('a', 'bb') == 'bbbbbb'");
  ExpectTrue("'ab'.replace('', '-') == '-a-b-'");
}

}  // namespace
}  // namespace keel::cel
