// What the command line says when it is wrong: an unknown command is named
// with the commands there are, and a numeric option out of range is refused
// in the option's own terms (exit 2 both), never with CLI11's "A subcommand
// is required" or "not in range 0.000000 to 1797693...".
#include <gtest/gtest.h>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

TEST(CommandMessagesTest, AnUnknownCommandIsNamedAndTheCommandsListed) {
  KeelRun run = RunKeel({"nosuchcmd"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("keel: error: unknown command 'nosuchcmd'; the commands are: ingest, log, state, verify, "
                         "bench, rules, run, history, export, replay, whatif, explain, serve"),
            std::string::npos)
      << run.Describe();
  EXPECT_EQ(run.err.find("A subcommand is required"), std::string::npos) << run.Describe();
}

TEST(CommandMessagesTest, AnUnknownSubcommandIsNamedWithItsSiblings) {
  KeelRun run = RunKeel({"rules", "chek", "examples/01-initiative-kickoff"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("keel rules: error: unknown command 'chek'; the commands are: check, graph, test"),
            std::string::npos)
      << run.Describe();
}

TEST(CommandMessagesTest, AMissingCommandIsSaidSoWithTheCommandsThereAre) {
  KeelRun bare = RunKeel({});
  EXPECT_EQ(bare.exit_code, 2) << bare.Describe();
  EXPECT_NE(bare.err.find("keel: error: a command is required; the commands are: ingest, log,"), std::string::npos)
      << bare.Describe();
  KeelRun rules = RunKeel({"rules"});
  EXPECT_EQ(rules.exit_code, 2) << rules.Describe();
  EXPECT_NE(rules.err.find("keel rules: error: a command is required; the commands are: check, graph, test"),
            std::string::npos)
      << rules.Describe();
}

TEST(CommandMessagesTest, LogFromAfterToIsAUsageError) {
  KeelRun run = RunKeel({"log", "--db", "no-such-db", "--from", "5", "--to", "3"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("--from 5 is after --to 3"), std::string::npos) << run.Describe();
}

struct BadNumber {
  const char* name;               // for test names
  std::vector<std::string> args;  // the command line
  std::string message;            // what stderr must say
};

void PrintTo(const BadNumber& bad, std::ostream* out) { *out << bad.name; }

class BadNumberTest : public ::testing::TestWithParam<BadNumber> {};

TEST_P(BadNumberTest, IsRefusedInTheOptionsOwnTerms) {
  KeelRun run = RunKeel(GetParam().args);
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find(GetParam().message), std::string::npos) << run.Describe();
  for (const char* clutter : {"0.000000", "1797693", "Could not convert", "not in range"}) {
    EXPECT_EQ(run.err.find(clutter), std::string::npos) << clutter << "\n" << run.Describe();
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryNumericOption, BadNumberTest,
    ::testing::Values(
        BadNumber{"log_from_zero", {"log", "--db", "d", "--from", "0"}, "--from: a sequence number is 1 or more; got 0"},
        BadNumber{"log_to_word", {"log", "--db", "d", "--to", "last"},
                  "--to: a sequence number is a whole number 1 or more; got 'last'"},
        BadNumber{"log_from_fraction", {"log", "--db", "d", "--from", "2.5"},
                  "--from: a sequence number is a whole number 1 or more; got '2.5'"},
        BadNumber{"log_from_huge", {"log", "--db", "d", "--from", "99999999999999999999"},
                  "--from: a sequence number is 1 or more; got 99999999999999999999"},
        BadNumber{"ingest_batch", {"ingest", "x", "--db", "d", "--batch", "0"},
                  "--batch: events per WriteBatch is from 1 to 100000; got 0"},
        BadNumber{"ingest_max_event_bytes", {"ingest", "x", "--db", "d", "--max-event-bytes", "10"},
                  "--max-event-bytes: an event size limit in bytes is from 64 to 67108864; got 10"},
        BadNumber{"run_batch", {"run", "--rules", "r", "--events", "e", "--db", "d", "--batch", "100001"},
                  "--batch: events per WriteBatch is from 1 to 100000; got 100001"},
        BadNumber{"run_max_event_bytes", {"run", "--rules", "r", "--events", "e", "--db", "d", "--max-event-bytes", "1e9"},
                  "--max-event-bytes: an event size limit in bytes is a whole number from 64 to 67108864; got '1e9'"},
        BadNumber{"run_max_depth", {"run", "--rules", "r", "--events", "e", "--db", "d", "--max-depth", "0"},
                  "--max-depth: a cascade depth is from 1 to 100; got 0"},
        BadNumber{"run_max_derived", {"run", "--rules", "r", "--events", "e", "--db", "d", "--max-derived", "0"},
                  "--max-derived: events one input may derive is from 1 to 10000000; got 0"},
        BadNumber{"run_show", {"run", "--rules", "r", "--events", "e", "--db", "d", "--show", "many"},
                  "--show: a count of derived events to list is a whole number 0 or more; got 'many'"},
        BadNumber{"run_show_negative", {"run", "--rules", "r", "--events", "e", "--db", "d", "--show", "-1"},
                  "--show: a count of derived events to list is a whole number 0 or more; got '-1'"},
        BadNumber{"whatif_show", {"whatif", "--db", "d", "--rules", "r", "--show", "x"},
                  "--show: a count of differences to detail is a whole number 0 or more; got 'x'"},
        BadNumber{"bench_ingest_events", {"bench", "ingest", "--events", "0"}, "--events: an event count is 1 or more; got 0"},
        BadNumber{"bench_ingest_group", {"bench", "ingest", "--group", "0"},
                  "--group: events per WriteBatch is from 1 to 100000; got 0"},
        BadNumber{"bench_rules_events", {"bench", "rules", "--events", "0"}, "--events: an event count is 1 or more; got 0"},
        BadNumber{"bench_rules_scaling", {"bench", "rules", "--scaling-events", "0"},
                  "--scaling-events: an event count is 1 or more; got 0"},
        BadNumber{"bench_rules_group", {"bench", "rules", "--group", "0"},
                  "--group: events per WriteBatch is from 1 to 100000; got 0"},
        BadNumber{"bench_audit_events", {"bench", "audit", "--events", "0"}, "--events: an event count is 1 or more; got 0"},
        BadNumber{"bench_timers_timers", {"bench", "timers", "--timers", "0"}, "--timers: a timer count is 1 or more; got 0"},
        BadNumber{"bench_cel_evaluations", {"bench", "cel", "--evaluations", "0"},
                  "--evaluations: an evaluation count is 1 or more; got 0"},
        BadNumber{"bench_cel_repetitions", {"bench", "cel", "--repetitions", "101"},
                  "--repetitions: a run count is from 1 to 100; got 101"},
        BadNumber{"bench_kafka_partitions", {"bench", "kafka", "--partitions", "65"},
                  "--partitions: a partition count is from 1 to 64; got 65"},
        BadNumber{"bench_kafka_rate", {"bench", "kafka", "--rate", "0"},
                  "--rate: a rate in events/s is from 1 to 100000; got 0"},
        BadNumber{"bench_kafka_round", {"bench", "kafka", "--round", "some"},
                  "--round: events per round is a whole number 0 or more; got 'some'"},
        BadNumber{"bench_kafka_kcat_seconds", {"bench", "kafka", "--kcat-seconds", "0"},
                  "--kcat-seconds: a time limit in seconds is from 1 to 3600; got 0"},
        BadNumber{"bench_all_latency", {"bench", "all", "--latency-seconds", "601"},
                  "--latency-seconds: a phase length in seconds is from 1 to 600; got 601"}),
    [](const ::testing::TestParamInfo<BadNumber>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace keel::testing
