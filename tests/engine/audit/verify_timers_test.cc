// keel verify and the `timers` family: it must hold what a rebuild from the
// timer events leaves pending, each difference named by timer.
#include <gtest/gtest.h>

#include "engine/json_time.h"
#include "engine/log_format.h"
#include "engine/audit/verify.h"
#include "tests/support/events.h"
#include "tests/support/raw_db.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using testing::MakeEvent;

int64_t Micros(const char* time) { return ParseRfc3339Micros(time).value(); }

Event Scheduled(std::string id, std::string timer, std::string at) {
  return MakeEvent({.id = std::move(id), .type = "timer.scheduled", .time = "2026-03-02T09:00:00Z",
                    .data = {{"timer", std::move(timer)}, {"name", "remind"}, {"scheduled_for", std::move(at)}}});
}

class VerifyTimersTest : public ::testing::Test {
 protected:
  // Four timers: one fires, one is cancelled, one is replaced by a later
  // scheduling, one stays as it was.
  void SetUp() override {
    auto log = Open();
    std::vector<AppendRequest> group;
    group.push_back({Scheduled("s1", "fires", "2026-03-03T09:00:00Z"), {}});
    group.push_back({Scheduled("s2", "cancelled", "2026-03-10T09:00:00Z"), {}});
    group.push_back({Scheduled("s3", "moved", "2026-03-11T09:00:00Z"), {}});
    group.push_back({Scheduled("s4", "stays", "2026-03-12T09:00:00Z"), {}});
    group.push_back({Scheduled("s5", "moved", "2026-03-20T09:00:00Z"), {}});
    group.push_back({MakeEvent({.id = "c1", .type = "timer.cancelled", .data = {{"timer", "cancelled"}}}), {}});
    ASSERT_TRUE(log->Append(std::move(group)).ok());
    auto fired = log->FireDueTimers(Micros("2026-03-05T00:00:00Z"), 10);
    ASSERT_TRUE(fired.ok() && *fired == 1u);
  }

  std::unique_ptr<EventLog> Open() {
    LogOptions options;
    options.create_if_missing = true;
    return std::move(EventLog::Open(db_path(), options)).value();
  }

  VerifyReport Verify() {
    auto log = Open();
    auto report = VerifyLog(*log);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  std::filesystem::path db_path() const { return dir_ / "db"; }

  static std::string DueKey(const char* at, const char* timer) {
    return log_format::TimerDueKey(Micros(at), "acme", timer);
  }
  static std::string IdKey(const char* timer) { return log_format::TimerIdKey("acme", timer); }

  testing::TempDir dir_;
};

TEST_F(VerifyTimersTest, TimersKeptByTheAppendPathVerify) {
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.problems.front();
}

TEST_F(VerifyTimersTest, AMissingTimerIsNamed) {
  {
    testing::RawDb raw(db_path());
    ASSERT_TRUE(raw.ok());
    raw.Delete("timers", DueKey("2026-03-12T09:00:00Z", "stays"));
    raw.Delete("timers", IdKey("stays"));
  }
  EXPECT_EQ(Verify().problems,
            (std::vector<std::string>{
                "timers: timer acme/stays (due entry at 2026-03-12T09:00:00Z) is missing; a rebuild from the log has it",
                "timers: timer acme/stays (id entry) is missing; a rebuild from the log has it"}));
}

TEST_F(VerifyTimersTest, AFiredTimerPutBackIsNamedAsStray) {
  std::string record;
  {
    testing::RawDb raw(db_path());
    record = raw.Get("timers", DueKey("2026-03-12T09:00:00Z", "stays"));
    ASSERT_FALSE(record.empty());
    // The timer that fired, pending again: it would fire a second time.
    raw.Put("timers", DueKey("2026-03-03T09:00:00Z", "fires"), record);
  }
  EXPECT_EQ(Verify().problems,
            (std::vector<std::string>{"timers: timer acme/fires (due entry at 2026-03-03T09:00:00Z) is stored but no "
                                      "timer event leaves it pending"}));
}

TEST_F(VerifyTimersTest, ARecordThatDiffersFromTheRebuildIsNamed) {
  {
    testing::RawDb raw(db_path());
    std::string key = DueKey("2026-03-20T09:00:00Z", "moved");
    std::string record = raw.Get("timers", key);
    size_t pos = record.find("\"remind\"");
    ASSERT_NE(pos, std::string::npos);
    record.replace(pos, 8, "\"nagger\"");
    raw.Put("timers", key, record);
  }
  std::vector<std::string> problems = Verify().problems;
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("timers: timer acme/moved (due entry at 2026-03-20T09:00:00Z) differs from a rebuild "
                              "from the log: stored {",
                              0),
            0u)
      << problems[0];
  EXPECT_NE(problems[0].find("\"nagger\""), std::string::npos) << problems[0];
}

TEST_F(VerifyTimersTest, AnIdEntryWithAnotherFireTimeIsNamed) {
  {
    testing::RawDb raw(db_path());
    std::string fire;
    log_format::AppendOrderedMicros(Micros("2026-03-11T09:00:00Z"), &fire);  // the replaced scheduling's time
    raw.Put("timers", IdKey("moved"), fire);
  }
  EXPECT_EQ(Verify().problems,
            (std::vector<std::string>{"timers: timer acme/moved (id entry) differs from a rebuild from the log: "
                                      "stored fire time 2026-03-11T09:00:00Z, rebuilt fire time 2026-03-20T09:00:00Z"}));
}

TEST_F(VerifyTimersTest, TheTimersCheckCanBeLeftOut) {
  {
    testing::RawDb raw(db_path());
    raw.Delete("timers", IdKey("stays"));
  }
  auto log = Open();
  VerifyOptions options;
  options.check_timers = false;
  auto report = VerifyLog(*log, options);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
}

}  // namespace
}  // namespace keel
