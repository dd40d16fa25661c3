#include "engine/json_time.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t k2026_03_02 = 1772409600;  // 2026-03-02T00:00:00Z in seconds

int64_t Micros(std::string_view text) {
  Result<int64_t> micros = ParseRfc3339Micros(text);
  EXPECT_TRUE(micros.ok()) << text << ": " << micros.status().ToString();
  return micros.ok() ? *micros : 0;
}

TEST(JsonTimeTest, ParsesUtcAndOffsets) {
  EXPECT_EQ(Micros("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Micros("2026-03-02T00:00:00Z"), k2026_03_02 * kSecond);
  EXPECT_EQ(Micros("2026-03-02T09:00:00Z"), (k2026_03_02 + 9 * 3600) * kSecond);
  EXPECT_EQ(Micros("2026-03-02T10:30:00+01:30"), (k2026_03_02 + 9 * 3600) * kSecond);
  EXPECT_EQ(Micros("2026-03-01T23:00:00-10:00"), (k2026_03_02 + 9 * 3600) * kSecond);
  EXPECT_EQ(Micros("2026-03-02t09:00:00z"), (k2026_03_02 + 9 * 3600) * kSecond);
  EXPECT_EQ(Micros("1969-12-31T23:59:59Z"), -kSecond);
}

TEST(JsonTimeTest, FractionIsTruncatedToMicroseconds) {
  EXPECT_EQ(Micros("1970-01-01T00:00:00.5Z"), 500'000);
  EXPECT_EQ(Micros("1970-01-01T00:00:00.123456789Z"), 123'456);
  EXPECT_EQ(Micros("1969-12-31T23:59:59.25Z"), -750'000);
}

TEST(JsonTimeTest, LeapSecondOnlyAtTheEndOfAUtcDay) {
  EXPECT_EQ(Micros("2016-12-31T23:59:60Z"), Micros("2017-01-01T00:00:00Z") - 1);
  EXPECT_EQ(Micros("2016-12-31T15:59:60-08:00"), Micros("2017-01-01T00:00:00Z") - 1);
  EXPECT_FALSE(TryParseRfc3339Micros("2016-12-31T23:58:60Z"));
  EXPECT_FALSE(TryParseRfc3339Micros("2016-12-31T22:59:60Z"));
  EXPECT_FALSE(TryParseRfc3339Micros("2016-12-31T23:59:61Z"));
}

TEST(JsonTimeTest, RefusesWhatIsNotStrictRfc3339) {
  for (const char* text : {"", "2026-03-02", "2026-03-02T09:00:00", "2026-03-02 09:00:00Z",
                           "26-03-02T09:00:00Z", "02026-03-02T09:00:00Z", "2026-3-02T09:00:00Z",
                           "2026-13-02T09:00:00Z", "2026-00-02T09:00:00Z", "2026-02-29T09:00:00Z",
                           "2026-04-31T09:00:00Z", "2026-03-00T09:00:00Z", "2026-03-02T24:00:00Z",
                           "2026-03-02T09:60:00Z", "2026-03-02T9:00:00Z", "2026-03-02T09:00Z",
                           "2026-03-02T09:00:00.Z", "2026-03-02T09:00:00+24:00",
                           "2026-03-02T09:00:00+01:60", "2026-03-02T09:00:00+0100",
                           "2026-03-02T09:00:00ZZ", "2026-03-02T09:00:00 Z", "２026-03-02T09:00:00Z"}) {
    EXPECT_FALSE(TryParseRfc3339Micros(text)) << text;
    EXPECT_FALSE(ParseRfc3339Micros(text).ok()) << text;
  }
}

TEST(JsonTimeTest, LeapYears) {
  EXPECT_TRUE(TryParseRfc3339Micros("2024-02-29T00:00:00Z"));
  EXPECT_TRUE(TryParseRfc3339Micros("2000-02-29T00:00:00Z"));
  EXPECT_FALSE(TryParseRfc3339Micros("1900-02-29T00:00:00Z"));
  EXPECT_FALSE(TryParseRfc3339Micros("2023-02-29T00:00:00Z"));
}

TEST(JsonTimeTest, ErrorNamesTheText) {
  Result<int64_t> micros = ParseRfc3339Micros("yesterday");
  ASSERT_FALSE(micros.ok());
  EXPECT_TRUE(micros.status().Is(StatusCode::kInvalidArgument));
  EXPECT_NE(micros.status().message().find("'yesterday' is not an RFC 3339 date-time"), std::string::npos);
}

TEST(JsonTimeTest, FullDates) {
  EXPECT_TRUE(IsRfc3339FullDate("2026-03-02"));
  EXPECT_TRUE(IsRfc3339FullDate("2024-02-29"));
  EXPECT_FALSE(IsRfc3339FullDate("2026-02-29"));
  EXPECT_FALSE(IsRfc3339FullDate("2026-03-02T09:00:00Z"));
  EXPECT_FALSE(IsRfc3339FullDate("2026-3-2"));
  EXPECT_FALSE(IsRfc3339FullDate("20260302"));
}

TEST(JsonTimeTest, ReadsToTheNanosecond) {
  std::optional<Rfc3339Instant> instant = TryParseRfc3339("1970-01-01T00:00:01.123456789Z");
  ASSERT_TRUE(instant);
  EXPECT_EQ(instant->seconds, 1);
  EXPECT_EQ(instant->nanos, 123'456'789);
  instant = TryParseRfc3339("1969-12-31T23:59:59.25Z");
  ASSERT_TRUE(instant);
  EXPECT_EQ(instant->seconds, -1);
  EXPECT_EQ(instant->nanos, 250'000'000);
  instant = TryParseRfc3339("1970-01-01T00:00:00.1234567891Z");  // the tenth digit is dropped
  ASSERT_TRUE(instant);
  EXPECT_EQ(instant->nanos, 123'456'789);
}

TEST(JsonTimeTest, LeapSecondReadsAsTheLastNanosecondOfTheDay) {
  std::optional<Rfc3339Instant> instant = TryParseRfc3339("2016-12-31T23:59:60Z");
  ASSERT_TRUE(instant);
  EXPECT_EQ(instant->seconds, 1483228799);  // 2016-12-31T23:59:59Z
  EXPECT_EQ(instant->nanos, 999'999'999);
}

TEST(JsonTimeTest, CelSyntaxTakesASpaceAndNoLeapSecond) {
  constexpr Rfc3339Syntax kCel{.space_separator = true, .leap_second = false};
  EXPECT_FALSE(TryParseRfc3339("2026-03-02 09:00:00Z"));
  ASSERT_TRUE(TryParseRfc3339("2026-03-02 09:00:00Z", kCel));
  EXPECT_EQ(TryParseRfc3339("2026-03-02 09:00:00Z", kCel)->seconds, k2026_03_02 + 9 * 3600);
  EXPECT_FALSE(TryParseRfc3339("2016-12-31T23:59:60Z", kCel));
  EXPECT_FALSE(TryParseRfc3339("2026-03-02 09:00:00", kCel));
}

TEST(JsonTimeTest, FullDateDays) {
  EXPECT_EQ(ParseRfc3339FullDate("1970-01-01"), 0);
  EXPECT_EQ(ParseRfc3339FullDate("2026-03-02"), k2026_03_02 / 86400);
  EXPECT_EQ(ParseRfc3339FullDate("1969-12-31"), -1);
  EXPECT_EQ(ParseRfc3339FullDate("2026-02-29"), std::nullopt);
  EXPECT_EQ(ParseRfc3339FullDate("2026-03-02T09:00:00Z"), std::nullopt);
}

TEST(JsonTimeTest, InstantFromMicrosKeepsTheFractionPositive) {
  EXPECT_EQ(InstantFromMicros(1'500'000).seconds, 1);
  EXPECT_EQ(InstantFromMicros(1'500'000).nanos, 500'000'000);
  EXPECT_EQ(InstantFromMicros(-250'000).seconds, -1);
  EXPECT_EQ(InstantFromMicros(-250'000).nanos, 750'000'000);
  EXPECT_EQ(InstantFromMicros(-1'000'000).seconds, -1);
  EXPECT_EQ(InstantFromMicros(-1'000'000).nanos, 0);
}

TEST(JsonTimeTest, WritesTheFractionAsAsked) {
  const Rfc3339Instant at{k2026_03_02 + 9 * 3600, 250'000'000};
  EXPECT_EQ(FormatRfc3339(at, Rfc3339Fraction::kNone), "2026-03-02T09:00:00Z");
  EXPECT_EQ(FormatRfc3339(at, Rfc3339Fraction::kMillis), "2026-03-02T09:00:00.250Z");
  EXPECT_EQ(FormatRfc3339(at, Rfc3339Fraction::kMicros), "2026-03-02T09:00:00.250000Z");
  EXPECT_EQ(FormatRfc3339(at, Rfc3339Fraction::kShortest), "2026-03-02T09:00:00.25Z");
  const Rfc3339Instant whole{k2026_03_02, 0};
  EXPECT_EQ(FormatRfc3339(whole, Rfc3339Fraction::kMillis), "2026-03-02T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(whole, Rfc3339Fraction::kMicros), "2026-03-02T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(whole, Rfc3339Fraction::kShortest), "2026-03-02T00:00:00Z");
  const Rfc3339Instant one_nano{0, 1};
  EXPECT_EQ(FormatRfc3339(one_nano, Rfc3339Fraction::kShortest), "1970-01-01T00:00:00.000000001Z");
  EXPECT_EQ(FormatRfc3339(one_nano, Rfc3339Fraction::kMicros), "1970-01-01T00:00:00Z");  // below a microsecond
  EXPECT_EQ(FormatRfc3339({-1, 999'999'999}, Rfc3339Fraction::kMillis), "1969-12-31T23:59:59.999Z");
}

TEST(JsonTimeTest, WritesOnlyTheYearsRfc3339Has) {
  EXPECT_EQ(FormatRfc3339({-62167219200, 0}, Rfc3339Fraction::kNone), "0000-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339({253402300799, 999'999'999}, Rfc3339Fraction::kShortest),
            "9999-12-31T23:59:59.999999999Z");
  EXPECT_EQ(FormatRfc3339({-62167219201, 0}, Rfc3339Fraction::kNone), std::nullopt);
  EXPECT_EQ(FormatRfc3339({253402300800, 0}, Rfc3339Fraction::kNone), std::nullopt);
}

TEST(JsonTimeTest, WrittenTextReadsBack) {
  for (Rfc3339Instant at : {Rfc3339Instant{0, 0}, Rfc3339Instant{-1, 1}, Rfc3339Instant{k2026_03_02, 123'456'789},
                            Rfc3339Instant{951782400, 500'000'000}}) {  // 2000-02-29
    std::optional<std::string> text = FormatRfc3339(at, Rfc3339Fraction::kShortest);
    ASSERT_TRUE(text);
    std::optional<Rfc3339Instant> back = TryParseRfc3339(*text);
    ASSERT_TRUE(back) << *text;
    EXPECT_EQ(back->seconds, at.seconds) << *text;
    EXPECT_EQ(back->nanos, at.nanos) << *text;
  }
}

}  // namespace
}  // namespace keel
