// The ingest time window (engine/schema/time_window.h): input dated too far from
// the clock, either way, is refused with where it lies and the bound.
#include "engine/schema/time_window.h"

#include <gtest/gtest.h>

#include "engine/schema/event_decoder.h"
#include "engine/json_time.h"

namespace keel {
namespace {

int64_t Micros(const char* text) { return *TryParseRfc3339Micros(text); }

class TimeWindowTest : public ::testing::Test {
 protected:
  FakeClock clock_{Micros("2026-12-07T12:00:00Z")};
};

TEST_F(TimeWindowTest, TheBoundIsInclusiveBothWays) {
  TimeWindow window{.days = 10, .clock = &clock_};
  EXPECT_TRUE(window.Contains(Micros("2026-11-27T12:00:00Z")));
  EXPECT_TRUE(window.Contains(Micros("2026-12-17T12:00:00Z")));
  EXPECT_FALSE(window.Contains(Micros("2026-11-27T11:59:59Z")));
  EXPECT_FALSE(window.Contains(Micros("2026-12-17T12:00:01Z")));
}

TEST_F(TimeWindowTest, Year0001And9999AreOutsideTheDefault) {
  TimeWindow window{.clock = &clock_};
  EXPECT_EQ(window.days, 3660);
  EXPECT_FALSE(window.Contains(Micros("0001-01-01T00:00:00Z")));
  EXPECT_FALSE(window.Contains(Micros("9999-12-31T23:59:59Z")));
  EXPECT_TRUE(window.Contains(Micros("2017-01-01T00:00:00Z")));
}

TEST_F(TimeWindowTest, ZeroBoundsNothing) {
  TimeWindow window{.days = 0, .clock = &clock_};
  EXPECT_TRUE(window.Contains(Micros("0000-01-01T00:00:00Z")));
  EXPECT_TRUE(window.Check("9999-12-31T23:59:59Z", Micros("9999-12-31T23:59:59Z")).ok());
}

TEST_F(TimeWindowTest, TheRefusalSaysWhereTheTimeLiesAndTheBound) {
  TimeWindow window{.days = 366, .clock = &clock_};
  Status status = window.Check("0001-01-01T00:00:00Z", Micros("0001-01-01T00:00:00Z"));
  EXPECT_TRUE(status.Is(StatusCode::kInvalidArgument));
  EXPECT_EQ(status.message(),
            "time 0001-01-01T00:00:00Z lies 739956 days before the clock (2026-12-07T12:00:00Z); an input event "
            "may lie at most 366 days from it (--event-time-window; in serve.yaml event_time_window_days)");
}

TEST_F(TimeWindowTest, TheDecoderRefusesInputOutsideTheWindow) {
  auto schemas = SchemaRegistry::LoadEmbedded();
  ASSERT_TRUE(schemas.ok());
  EventDecoder decoder(schemas->get(), {.time_window = {.days = 366, .clock = &clock_}});
  auto far = decoder.DecodeInput(
      R"({"specversion":"1.0","id":"ev-1","source":"s","type":"task.status_changed","time":"9999-01-01T00:00:00Z",)"
      R"("subject":"task/T-1","workspace":"acme","actor":"user:a","data":{"to":"done"}})");
  ASSERT_FALSE(far.ok());
  EXPECT_NE(far.status().message().find("days after the clock"), std::string::npos) << far.status().message();
  auto near = decoder.DecodeInput(
      R"({"specversion":"1.0","id":"ev-1","source":"s","type":"task.status_changed","time":"2026-12-01T00:00:00Z",)"
      R"("subject":"task/T-1","workspace":"acme","actor":"user:a","data":{"to":"done"}})");
  EXPECT_TRUE(near.ok()) << near.status().ToString();
}

TEST(FormatRfc3339MicrosTest, WritesWholeAndFractionalSecondsAndRefusesOutOfRange) {
  EXPECT_EQ(FormatRfc3339Micros(Micros("2026-03-02T09:00:00Z")), "2026-03-02T09:00:00Z");
  EXPECT_EQ(FormatRfc3339Micros(Micros("1969-12-31T23:59:59.5Z")), "1969-12-31T23:59:59.500000Z");
  EXPECT_EQ(FormatRfc3339Micros(Micros("0001-01-01T00:00:00Z")), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Micros(INT64_MAX), std::nullopt);
}

}  // namespace
}  // namespace keel
