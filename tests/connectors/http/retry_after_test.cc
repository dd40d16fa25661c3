// ParseRetryAfter: RFC 9110, section 10.2.3 (delay-seconds or HTTP-date).
#include <gtest/gtest.h>

#include "connectors/http/http_client.h"

namespace keel::testing {
namespace {

using http::ParseRetryAfter;
using std::chrono::milliseconds;
using std::chrono::seconds;

// "Sun, 06 Nov 1994 08:49:37 GMT", the RFC's example date, is
// 784111777 seconds after the epoch (9075 days of 86400 s, plus 31777 s).
constexpr int64_t kExampleDate = 784111777;

TEST(RetryAfterTest, DelaySeconds) {
  EXPECT_EQ(ParseRetryAfter("120", 0), milliseconds(seconds(120)));
  EXPECT_EQ(ParseRetryAfter("0", 0), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter(" 5 ", 0), milliseconds(seconds(5)));  // optional whitespace around the value
}

TEST(RetryAfterTest, HugeDelayIsCappedNotOverflowed) {
  auto delay = ParseRetryAfter("99999999999999999999999", 0);
  ASSERT_TRUE(delay.has_value());
  EXPECT_EQ(*delay, milliseconds(seconds(int64_t{366} * 24 * 3600)));
}

TEST(RetryAfterTest, HttpDateIsTakenRelativeToNow) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate - 10), milliseconds(seconds(10)));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:37 GMT", kExampleDate), milliseconds(seconds(60)));
  EXPECT_EQ(ParseRetryAfter("Mon, 07 Nov 1994 08:49:37 GMT", kExampleDate), milliseconds(seconds(86400)));
  // 2024 is a leap year: 29 Feb exists, and 1 Mar is a day after it.
  EXPECT_EQ(ParseRetryAfter("Fri, 01 Mar 2024 00:00:00 GMT", 1709164800), milliseconds(seconds(86400)));
}

TEST(RetryAfterTest, PastDateAsksForNoWait) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate + 3600), milliseconds(0));
}

TEST(RetryAfterTest, AnythingElseIsNotARetryAfter) {
  for (const char* value : {"", "soon", "-1", "1.5", "+3", "12s",
                            "Sun, 06 Nov 1994 08:49:37 UTC",      // the zone must be GMT
                            "Sunday, 06-Nov-94 08:49:37 GMT",     // obsolete RFC 850 form
                            "Sun Nov  6 08:49:37 1994",           // obsolete asctime form
                            "Sun, 6 Nov 1994 08:49:37 GMT",       // the day has two digits
                            "Xyz, 06 Nov 1994 08:49:37 GMT",
                            "Sun, 06 Foo 1994 08:49:37 GMT",
                            "Sun, 31 Feb 1994 08:49:37 GMT",      // no such day
                            "Sun, 06 Nov 1994 24:49:37 GMT"}) {
    EXPECT_EQ(ParseRetryAfter(value, kExampleDate), std::nullopt) << value;
  }
}

}  // namespace
}  // namespace keel::testing
