// keel run: events through a rule pack into the log, end to end.
#include <filesystem>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

using nlohmann::json;

class RunCommandTest : public KeelCliTest {
 protected:
  KeelRun Run(const std::string& rules, const std::string& events, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", "--rules", rules, "--events", events, "--db", db()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKeel(args);
  }
  json RunJson(const std::string& rules, const std::string& events) {
    KeelRun run = Run(rules, events, {"--json"});
    EXPECT_EQ(Lines(run.out).size(), 1u) << run.Describe();
    return json::parse(run.out, nullptr, false);
  }
  std::string WriteRule(const std::string& folder, const std::string& text) {
    std::filesystem::create_directories(dir_ / folder);
    WriteFile(folder + "/rule.yaml", text);
    return (dir_ / folder).string();
  }
  std::vector<json> LogEvents() {
    KeelRun log = RunKeel({"log", "--db", db(), "--json"});
    EXPECT_EQ(log.exit_code, 0) << log.Describe();
    std::vector<json> events;
    for (const std::string& line : Lines(log.out)) events.push_back(json::parse(line));
    return events;
  }
};

TEST_F(RunCommandTest, EventClockFiresTheRemindersWhereTheirTimesFallAndRunsAgainIdentically) {
  KeelRun first = Run("examples/reminders", "examples/reminders/events.ndjson", {"--clock=events", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  json summary = json::parse(first.out);
  EXPECT_EQ(summary["input"], 5);
  EXPECT_EQ(summary["timers_fired"], 6);  // 3 Monday digests, 2 reminders, 1 overdue, by the last event's time
  EXPECT_EQ(summary["fired"], json({{"due-reminder", 2}, {"overdue-task", 1}, {"weekly-digest", 3}}));
  EXPECT_EQ(summary["next_timer_due"], "2026-04-27T07:00:00Z");
  std::vector<json> events = LogEvents();
  // The same file into a second database gives the same log, byte for byte.
  std::string second_db = (dir_ / "second").string();
  KeelRun second = RunKeel({"run", "--rules", "examples/reminders", "--events", "examples/reminders/events.ndjson",
                            "--db", second_db, "--clock=events", "--json"});
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  KeelRun log = RunKeel({"log", "--db", second_db, "--json"});
  std::vector<json> again;
  for (const std::string& line : Lines(log.out)) again.push_back(json::parse(line));
  EXPECT_EQ(again, events);
  // --until fires what falls due after the last event.
  KeelRun later = Run("examples/reminders", "examples/reminders/events.ndjson",
                      {"--clock=events", "--until", "2026-05-01T00:00:00Z", "--json"});
  ASSERT_EQ(later.exit_code, 0) << later.Describe();
  EXPECT_EQ(json::parse(later.out)["timers_fired"], 1);  // the digest of Monday 27 April
  EXPECT_EQ(json::parse(later.out)["duplicates"], 5);
}

TEST_F(RunCommandTest, BadUntilIsRefused) {
  KeelRun run = Run("examples/reminders", "examples/reminders/events.ndjson", {"--until", "tomorrow"});
  EXPECT_NE(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.err.find("--until"), std::string::npos) << run.Describe();
}

TEST_F(RunCommandTest, TheKickoffPackSpawnsTheTemplatesTasksOnceAndSaysWhatHappened) {
  json summary = RunJson("examples/01-initiative-kickoff", "examples/01-initiative-kickoff/events.ndjson");
  EXPECT_EQ(summary["input"], 3);  // four lines, one of them a redelivery
  EXPECT_EQ(summary["duplicates"], 1);
  EXPECT_EQ(summary["rejected"], 0);
  EXPECT_EQ(summary["derived"], 13);  // 4 tasks, their 4 links to the initiative, 3 depends_on links, a notification, a comment
  EXPECT_EQ(summary["tasks_created"], 4);
  EXPECT_EQ(summary["halted"], 0);
  EXPECT_EQ(summary["failed"], 0);
  EXPECT_EQ(summary["fired"], json({{"announce-kickoff", 1}, {"kickoff-initiative", 1}, {"link-task-to-initiative", 4}}));
  EXPECT_EQ(summary["ruleset"].get<std::string>().size(), 64u);

  std::vector<json> events = LogEvents();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["type"], "ruleset.activated");
  EXPECT_EQ(events[0]["time"], "2026-03-02T08:00:00Z");  // the first event's time, not the clock
  int brief = 0;
  for (const json& e : events) {
    if (e["type"] == "task.created" && e["data"]["title"] == "Write the brief for Website relaunch") {
      ++brief;
      EXPECT_EQ(e["data"]["assignee"], "user:dana");
      EXPECT_EQ(e["data"]["due"], "2026-03-04T09:00:00Z");
      EXPECT_EQ(e["ruleid"], "kickoff-initiative");
      EXPECT_EQ(e["causationid"], "ko-002");
    }
  }
  EXPECT_EQ(brief, 1);
  KeelRun verify = RunKeel({"verify", "--db", db()});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
}

// Input brought in by `keel ingest` after a run goes through the log's
// active rule set as it would through `keel run`, so replay stays identical.
TEST_F(RunCommandTest, IngestIntoALogWithAnActiveRuleSetRunsItsRules) {
  std::string rules = WriteRule("rules", R"(id: note-done
on: task.status_changed
if: event.data.to == "done"
then: [{add_comment: "closed"}]
)");
  WriteFile("first.ndjson",
            R"({"specversion":"1.0","id":"e1","source":"t","type":"task.created","time":"2026-03-02T09:00:00Z","subject":"task/T-1","workspace":"acme","actor":"user:a","data":{"title":"A"}})"
            "\n");
  json first = RunJson(rules, (dir_ / "first.ndjson").string());
  ASSERT_EQ(first["input"], 1) << first.dump();
  WriteFile("later.ndjson",
            R"({"specversion":"1.0","id":"e2","source":"t","type":"task.status_changed","time":"2026-03-02T10:00:00Z","subject":"task/T-1","workspace":"acme","actor":"user:a","data":{"from":"todo","to":"done"}})"
            "\n");
  KeelRun ingest = RunKeel({"ingest", (dir_ / "later.ndjson").string(), "--db", db(), "--json"});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.Describe();
  EXPECT_EQ(json::parse(ingest.out)["ruleset"], first["ruleset"]);

  int comments = 0;
  for (const json& e : LogEvents()) comments += e["type"] == "comment.added" && e["ruleid"] == "note-done";
  EXPECT_EQ(comments, 1);
  KeelRun replay = RunKeel({"replay", "--db", db(), "--json"});
  EXPECT_EQ(replay.exit_code, 0) << replay.Describe();
  EXPECT_EQ(json::parse(replay.out)["identical"], true);
}

TEST_F(RunCommandTest, IngestIntoALogWithoutRulesSaysSoInItsSummary) {
  WriteFile("one.ndjson",
            R"({"specversion":"1.0","id":"e1","source":"t","type":"task.created","time":"2026-03-02T09:00:00Z","subject":"task/T-1","workspace":"acme","actor":"user:a","data":{"title":"A"}})"
            "\n");
  KeelRun ingest = RunKeel({"ingest", (dir_ / "one.ndjson").string(), "--db", db(), "--json"});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.Describe();
  EXPECT_TRUE(json::parse(ingest.out)["ruleset"].is_null());
}

TEST_F(RunCommandTest, TextOutputListsFiredRulesAndDerivedEvents) {
  KeelRun run = Run("examples/01-initiative-kickoff", "examples/01-initiative-kickoff/events.ndjson");
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.out.find("activated at seq 1"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("input 3, duplicates 1, rejected 0"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("kickoff-initiative 1"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("task.created"), std::string::npos) << run.out;
}

TEST_F(RunCommandTest, AChangedRuleFolderActivatesANewSetOnTheNextRunAndAnUnchangedOneDoesNot) {
  std::string events = WriteFile("a.ndjson", JoinLines({TaskCreated("e1", "T-1", "One")}));
  std::string rules = WriteRule("pack", "id: hello\non: task.created\nthen: [{add_comment: hello}]\n");
  EXPECT_EQ(RunJson(rules, events)["derived"], 1);
  std::string more = WriteFile("b.ndjson", JoinLines({TaskCreated("e2", "T-2", "Two", "2026-03-03T09:00:00Z")}));
  EXPECT_EQ(RunJson(rules, more)["derived"], 1);
  WriteRule("pack", "id: hello\non: task.created\nthen: [{add_comment: bonjour}]\n");
  std::string third = WriteFile("c.ndjson", JoinLines({TaskCreated("e3", "T-3", "Three", "2026-03-04T09:00:00Z")}));
  EXPECT_EQ(RunJson(rules, third)["derived"], 1);

  std::vector<std::string> activations;
  for (const json& e : LogEvents()) {
    if (e["type"] == "ruleset.activated") activations.push_back(e["time"]);
  }
  EXPECT_EQ(activations, (std::vector<std::string>{"2026-03-02T09:00:00Z", "2026-03-04T09:00:00Z"}));
}

TEST_F(RunCommandTest, ARuleSetWithErrorsIsRefusedWithItsPlacesAndNoDatabaseIsCreated) {
  std::string rules = WriteRule("bad", "id: broken\non: task.created\nif: event.data.title ==\nthen: [{add_comment: x}]\n");
  std::string events = WriteFile("a.ndjson", JoinLines({TaskCreated("e1", "T-1", "One")}));
  KeelRun run = Run(rules, events);
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.err.find("rule.yaml:3:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("the rule set has 1 error"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(db()));
}

TEST_F(RunCommandTest, RejectedLinesAreListedByLineAndTheOthersStillRun) {
  std::string rules = WriteRule("pack", "id: hello\non: task.created\nthen: [{add_comment: hello}]\n");
  std::string forged = EventLine({.id = "f1", .type = "rule.failed", .data = {{"rule", "x"}, {"trigger", "e1"}, {"reason", "forged"}}});
  std::string events = WriteFile("a.ndjson", JoinLines({TaskCreated("e1", "T-1", "One"), "{not json", forged}));
  KeelRun run = Run(rules, events, {"--json"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  json summary = json::parse(run.out);
  EXPECT_EQ(summary["input"], 1);
  EXPECT_EQ(summary["derived"], 1);
  EXPECT_EQ(summary["rejected"], 2);
  EXPECT_EQ(summary["errors"][0]["line"], 2);
  EXPECT_EQ(summary["errors"][1]["line"], 3);
  EXPECT_NE(summary["errors"][1]["reason"].get<std::string>().find("appended by the engine only"), std::string::npos);
}

TEST_F(RunCommandTest, MissingRequiredOptionsAreAUsageError) {
  KeelRun run = RunKeel({"run", "--events", "x.ndjson", "--db", db()});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("--rules"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace keel::testing
