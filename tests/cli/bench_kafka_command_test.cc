// keel bench kafka's own settings, on a tiny run: serve runs with the sync
// mode asked for, and a mode serve does not know stops the bench before it
// starts anything. No timing is asserted.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_keel_support.h"

namespace keel::testing {
namespace {

TEST(BenchKafkaCommandTest, ServeRunsWithTheSyncModeAsked) {
  KeelRun run = RunKeel({"bench", "kafka", "--events", "300", "--latency-seconds", "1", "--sync",
                         "batch", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["sync"], "batch");
  EXPECT_EQ(json["events"], 300);
  EXPECT_EQ(json["serve_exit_code"], 0);
  EXPECT_GT(json["latency_samples"].get<int>(), 0) << json.dump(2);
}

TEST(BenchKafkaCommandTest, UnknownSyncModeIsRefusedBeforeAnythingStarts) {
  KeelRun run = RunKeel({"bench", "kafka", "--events", "300", "--sync", "sometimes"});
  EXPECT_NE(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.err.find("--sync"), std::string::npos) << run.Describe();
  EXPECT_NE(run.err.find("sometimes"), std::string::npos) << run.Describe();
  EXPECT_TRUE(run.out.empty()) << run.Describe();
}

}  // namespace
}  // namespace keel::testing
