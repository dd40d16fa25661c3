// keel run with a timer rule that re-arms itself `after: 0s`: the run once
// never ended (256k events in 10 s), while `keel rules check` said the loop
// "stops at the depth limit". Now the re-arm is refused with rule.failed, the
// run ends, and the check says what happens.
#include <filesystem>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

using nlohmann::json;

class TimerRearmCommandTest : public KeelCliTest {
 protected:
  std::string Rules() {
    std::filesystem::create_directories(dir_ / "pack");
    WriteFile("pack/r.yaml", "rules:\n"
                             "  - id: arm\n"
                             "    on: task.created\n"
                             "    then: [{schedule: {name: ping, after: 0s}}]\n"
                             "  - id: again\n"
                             "    on: {timer: ping}\n"
                             "    then: [{schedule: {name: ping, after: 0s}}]\n");
    return (dir_ / "pack").string();
  }
};

TEST_F(TimerRearmCommandTest, RunEndsAfterOneFiringAndRecordsWhyTheReArmFailed) {
  std::string events = WriteFile("events.ndjson", TaskCreated("e-1", "T-1", "Ping") + "\n");
  KeelRun run = RunKeel({"run", "--rules", Rules(), "--events", events, "--db", db(), "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(json::parse(run.out)["timers_fired"], 1) << run.Describe();
  KeelRun log = RunKeel({"log", "--db", db(), "--json"});
  ASSERT_EQ(log.exit_code, 0) << log.Describe();
  size_t failed = 0;
  for (const std::string& line : Lines(log.out)) {
    json event = json::parse(line);
    if (event["type"] != "rule.failed") continue;
    ++failed;
    EXPECT_EQ(event["data"]["rule"], "again");
    EXPECT_NE(event["data"]["reason"].get<std::string>().find("less than 60s after the timer.fired that armed it"),
              std::string::npos)
        << line;
  }
  EXPECT_EQ(failed, 1u) << log.out;
}

TEST_F(TimerRearmCommandTest, CheckSaysTheLoopEndsAtTheFirstReArmNotAtTheDepthLimit) {
  KeelRun check = RunKeel({"rules", "check", Rules()});
  EXPECT_EQ(check.exit_code, 0) << check.Describe();
  EXPECT_NE(check.out.find("[again] rule can trigger itself: again emits timer.fired, which it listens to itself; "
                           "each turn waits for a timer, and a timer armed as a timer fires must be due at least 1m "
                           "later: one due sooner is not armed (rule.failed), which ends the loop"),
            std::string::npos)
      << check.Describe();
  EXPECT_EQ(check.out.find("depth limit"), std::string::npos) << check.Describe();
}

}  // namespace
}  // namespace keel::testing
