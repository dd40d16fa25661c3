// keel bench sinks on a tiny run: every event of each phase reaches the
// loopback receiver exactly once (the bench itself fails otherwise: it
// counts requests and distinct Idempotency-Keys at the receiver and the
// sink's own counters), and the figures of all three phases are there. No
// timing is asserted.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_keel_support.h"

namespace keel::testing {
namespace {

TEST(BenchSinksCommandTest, DeliversEveryEventOnceAndReportsEachPhase) {
  KeelRun run = RunKeel({"bench", "sinks", "--events", "300", "--concurrency", "2", "--workers", "4", "--rate",
                         "200", "--steady-seconds", "0.5", "--repetitions", "2", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["events"], 300);
  EXPECT_EQ(json["concurrency"], 2);
  EXPECT_EQ(json["sync"], "batch");
  EXPECT_EQ(json["signed"], true);
  EXPECT_EQ(json["wake"], "notify");
  EXPECT_EQ(json["repetitions"], 2);
  // Two runs of 300 pre-filled events and 0.5 s at 200/s = 100 appended.
  EXPECT_EQ(json["delivered"], 2 * (300 + 100)) << json.dump(2);
  EXPECT_EQ(json["deliveries_per_second"].size(), 2u) << json.dump(2);
  EXPECT_EQ(json["ceiling_requests_per_second"].size(), 2u) << json.dump(2);
  EXPECT_EQ(json["lag_p99_ms"].size(), 2u) << json.dump(2);
  EXPECT_GT(json["deliveries_per_second_median"].get<double>(), 0) << json.dump(2);
  EXPECT_GT(json["ceiling_requests_per_second_median"].get<double>(), 0) << json.dump(2);
  EXPECT_GT(json["cpu_us_per_delivery_median"].get<double>(), 0) << json.dump(2);
  EXPECT_GT(json["lag_p99_ms_median"].get<double>(), 0) << json.dump(2);
  EXPECT_GE(json["lag_p99_ms_median"].get<double>(), json["lag_p50_ms_median"].get<double>()) << json.dump(2);
  EXPECT_EQ(json["append_p99_ms"].size(), 2u) << json.dump(2);
}

TEST(BenchSinksCommandTest, TextOutputSaysWhatWasDelivered) {
  KeelRun run = RunKeel({"bench", "sinks", "--events", "50", "--rate", "0", "--repetitions", "1"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.out.find("deliveries/s"), std::string::npos) << run.Describe();
  EXPECT_NE(run.out.find("ceiling"), std::string::npos) << run.Describe();
  EXPECT_NE(run.out.find("delivered 50 events, each exactly once"), std::string::npos) << run.Describe();
  EXPECT_EQ(run.out.find("lag at"), std::string::npos) << run.Describe();  // --rate 0: no steady run
}

// Without the writer's wake-up, only the runner's poll finds the appended
// events: still every one delivered, once.
TEST(BenchSinksCommandTest, PollOnlyStillDeliversEveryEvent) {
  KeelRun run = RunKeel({"bench", "sinks", "--events", "20", "--rate", "100", "--steady-seconds", "0.3",
                         "--repetitions", "1", "--wake", "poll", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["wake"], "poll");
  EXPECT_EQ(json["delivered"], 20 + 30) << json.dump(2);
}

TEST(BenchSinksCommandTest, UnknownWakeIsRefusedBeforeAnythingStarts) {
  KeelRun run = RunKeel({"bench", "sinks", "--wake", "sometimes"});
  EXPECT_NE(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.err.find("sometimes"), std::string::npos) << run.Describe();
  EXPECT_TRUE(run.out.empty()) << run.Describe();
}

}  // namespace
}  // namespace keel::testing
