// keel bench webhooks on a tiny run: every delivery of each phase is
// answered, mapped by the built-in jira mapping and appended (the bench
// itself fails otherwise), and the figures of all three phases are there.
// No timing is asserted.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_keel_support.h"

namespace keel::testing {
namespace {

TEST(BenchWebhooksCommandTest, ReportsTheFullPathTheCeilingAndTheMapping) {
  KeelRun run = RunKeel({"bench", "webhooks", "--requests", "200", "--connections", "4", "--workers", "4",
                         "--map-deliveries", "50", "--rate", "200", "--steady-seconds", "0.5", "--repetitions", "1",
                         "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["requests"], 200);
  EXPECT_EQ(json["sync"], "batch");
  // about 15 KB, as asked by default
  EXPECT_GT(json["body_bytes"].get<int>(), 14 * 1024) << json.dump(2);
  EXPECT_LE(json["body_bytes"].get<int>(), 15 * 1024) << json.dump(2);
  EXPECT_GT(json["deliveries_per_second_median"].get<double>(), 0) << json.dump(2);
  EXPECT_GT(json["steady_p99_ms_median"].get<double>(), 0) << json.dump(2);
  EXPECT_GT(json["ceiling_requests_per_second_median"].get<double>(), 0) << json.dump(2);
  EXPECT_GT(json["mapping_deliveries_per_second_median"].get<double>(), 0) << json.dump(2);
}

TEST(BenchWebhooksCommandTest, UnknownSyncModeIsRefusedBeforeAnythingStarts) {
  KeelRun run = RunKeel({"bench", "webhooks", "--sync", "sometimes"});
  EXPECT_NE(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.err.find("sometimes"), std::string::npos) << run.Describe();
  EXPECT_TRUE(run.out.empty()) << run.Describe();
}

}  // namespace
}  // namespace keel::testing
