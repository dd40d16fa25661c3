// The command line itself: every command answers --help with exit 0, and a
// wrong command line (an unknown flag or command, a missing or malformed
// value) exits 2, the usage error code, with a message on stderr.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

struct Command {
  const char* name;               // for test names
  std::vector<std::string> args;  // the command words
};

void PrintTo(const Command& command, std::ostream* out) { *out << command.name; }

std::vector<std::string> With(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

class EveryCommandTest : public KeelCliTest, public ::testing::WithParamInterface<Command> {};

TEST_P(EveryCommandTest, HelpExitsZeroAndPrintsUsage) {
  KeelRun run = RunKeel(With(GetParam().args, {"--help"}));
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.out.find("Usage:"), std::string::npos) << run.Describe();
}

TEST_P(EveryCommandTest, UnknownFlagExitsTwo) {
  KeelRun run = RunKeel(With(GetParam().args, {"--no-such-flag"}));
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err, "") << run.Describe();
}

INSTANTIATE_TEST_SUITE_P(Commands, EveryCommandTest,
                         ::testing::Values(Command{"keel", {}}, Command{"ingest", {"ingest"}}, Command{"log", {"log"}},
                                           Command{"state", {"state"}}, Command{"verify", {"verify"}},
                                           Command{"bench", {"bench"}}, Command{"bench_ingest", {"bench", "ingest"}},
                                           Command{"bench_rules", {"bench", "rules"}}, Command{"bench_cel", {"bench", "cel"}},
                                           Command{"run", {"run"}}, Command{"rules_check", {"rules", "check"}},
                                           Command{"rules_test", {"rules", "test"}}, Command{"rules_graph", {"rules", "graph"}},
                                           Command{"history", {"history"}}, Command{"export", {"export"}},
                                           Command{"replay", {"replay"}}, Command{"whatif", {"whatif"}},
                                           Command{"explain", {"explain"}}, Command{"bench_audit", {"bench", "audit"}},
                                           Command{"bench_timers", {"bench", "timers"}},
                                           Command{"bench_http", {"bench", "http"}}),
                         [](const ::testing::TestParamInfo<Command>& info) { return std::string(info.param.name); });

class CommandLineTest : public KeelCliTest {};

// The benchmarks run end to end on tiny inputs (no timing is asserted: their
// figures are for the notes, not for tests).
TEST_F(CommandLineTest, TheRulesAuditAndCelBenchmarksRunAndReportTheirFigures) {
  KeelRun rules = RunKeel({"bench", "rules", "--events", "2000", "--scaling-events", "500", "--dir",
                           (dir_ / "bench").string(), "--json"});
  ASSERT_EQ(rules.exit_code, 0) << rules.Describe();
  nlohmann::json figures = nlohmann::json::parse(rules.out);
  EXPECT_GT(figures["derived"].get<int>(), 0);  // about one event in ten fires
  EXPECT_LT(figures["derived"].get<int>(), 400);
  EXPECT_TRUE(figures["scaling"].contains("10000"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "bench"));
  KeelRun audit = RunKeel({"bench", "audit", "--events", "500", "--dir", (dir_ / "audit").string(), "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.Describe();
  nlohmann::json audited = nlohmann::json::parse(audit.out);
  EXPECT_EQ(audited["replay_identical"], true);
  EXPECT_GT(audited["log_events"].get<int>(), 500);  // the input, the activation and what the rules derived
  EXPECT_GT(audited["verify_read_floor_events_per_s"].get<double>(), 0);
  KeelRun cel = RunKeel({"bench", "cel", "--evaluations", "1000", "--repetitions", "1", "--json"});
  ASSERT_EQ(cel.exit_code, 0) << cel.Describe();
  EXPECT_GT(nlohmann::json::parse(cel.out)["ns_per_evaluation_median"].get<double>(), 0);
}

TEST_F(CommandLineTest, TheTimersBenchmarkFiresEveryTimerItScheduled) {
  KeelRun run = RunKeel({"bench", "timers", "--timers", "3000", "--dir", (dir_ / "timers").string(), "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json figures = nlohmann::json::parse(run.out);
  EXPECT_EQ(figures["fired"], 3000);
  EXPECT_EQ(figures["all_fired"], true);
  EXPECT_GT(figures["peak_rss_bytes"].get<double>(), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "timers"));
}

TEST_F(CommandLineTest, TheHttpBenchmarkAnswersEveryRequest) {
  KeelRun run = RunKeel({"bench", "http", "--requests", "500", "--connections", "2", "--rate", "200",
                         "--steady-seconds", "0.5", "--repetitions", "1", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json figures = nlohmann::json::parse(run.out);
  EXPECT_EQ(figures["body_bytes"], 15360);
  EXPECT_GT(figures["requests_per_second_median"].get<double>(), 0);
  EXPECT_GT(figures["steady_p99_ms_median"].get<double>(), 0);
}

TEST_F(CommandLineTest, UnknownFlagIsNamedInTheMessage) {
  KeelRun run = RunKeel({"verify", "--db", db(), "--no-such-flag"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("--no-such-flag"), std::string::npos) << run.Describe();
}

TEST_F(CommandLineTest, NoCommandExitsTwo) {
  KeelRun run = RunKeel({});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err, "");
}

TEST_F(CommandLineTest, UnknownCommandExitsTwo) {
  KeelRun run = RunKeel({"frobnicate"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err, "");
}

TEST_F(CommandLineTest, MissingRequiredDbExitsTwoNamingIt) {
  KeelRun run = RunKeel({"verify"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("--db"), std::string::npos) << run.Describe();
}

TEST_F(CommandLineTest, MissingIngestInputExitsTwo) {
  KeelRun run = RunKeel({"ingest", "--db", db()});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
}

TEST_F(CommandLineTest, OutOfRangeFlagValueExitsTwo) {
  EXPECT_EQ(RunKeel({"log", "--db", db(), "--from", "0"}).exit_code, 2);
  EXPECT_EQ(RunKeel({"ingest", "-", "--db", db(), "--max-event-bytes", "10"}).exit_code, 2);
  EXPECT_EQ(RunKeel({"ingest", "-", "--db", db(), "--batch", "0"}).exit_code, 2);
}

TEST_F(CommandLineTest, NonNumericFlagValueExitsTwo) {
  KeelRun run = RunKeel({"log", "--db", db(), "--to", "ten"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("--to"), std::string::npos) << run.Describe();
}

// The value of --sync is part of the command line; a wrong one is a usage
// error like any other bad flag value, and is refused before any work.
TEST_F(CommandLineTest, UnknownSyncModeExitsTwoAndCreatesNoDatabase) {
  std::string events = WriteFile("events.ndjson", TaskCreated("e1", "T-1", "Brief") + "\n");
  KeelRun run = RunKeel({"ingest", events, "--db", db(), "--sync", "sometimes"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("sometimes"), std::string::npos) << run.Describe();
  EXPECT_FALSE(std::filesystem::exists(db()));
}

TEST_F(CommandLineTest, MalformedAsOfExitsTwo) {
  KeelRun run = RunKeel({"state", "task/T-1", "--db", db(), "--as-of", "yesterday"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("yesterday"), std::string::npos) << run.Describe();
}

}  // namespace
}  // namespace keel::testing
