// keel history: every event of one entity, end to end, and its agreement
// with `keel state --as-of` at every point of that history.
#include <map>
#include <set>
#include <sstream>

#include "engine/log/event_record.h"
#include "engine/state/reducers.h"
#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

using nlohmann::json;

class HistoryCommandTest : public KeelCliTest {
 protected:
  // The kickoff pack's log: input events in two workspaces (initiative/IN-42
  // exists in both) and the events its rules derived.
  void SetUp() override {
    KeelRun run = RunKeel({"run", "--rules", "examples/01-initiative-kickoff", "--events", "examples/01-initiative-kickoff/events.ndjson",
                           "--db", db()});
    ASSERT_EQ(run.exit_code, 0) << run.Describe();
  }

  std::vector<json> JsonLines(const std::vector<std::string>& args) {
    KeelRun run = RunKeel(args);
    EXPECT_EQ(run.exit_code, 0) << run.Describe();
    std::vector<json> lines;
    for (const std::string& line : Lines(run.out)) lines.push_back(json::parse(line));
    return lines;
  }

  std::vector<json> History(const std::string& entity, const std::string& workspace) {
    return JsonLines({"history", entity, "--db", db(), "--workspace", workspace, "--json"});
  }

  std::vector<json> WholeLog() { return JsonLines({"log", "--db", db(), "--json"}); }
};

// The engine's reducers applied to the events `keel history` printed, in the
// order it printed them: what `keel state --as-of` must agree with.
class HistoryFold {
 public:
  // Applies one event of the history; false when it leaves the state alone.
  bool Apply(const json& printed) {
    json event = printed;
    event.erase("seq");
    event.erase("hash");
    auto decoded = EventFromCanonical(event.dump());  // nlohmann sorts keys: canonical for this data
    EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
    if (!decoded.ok() || !ChangesEntityState(decoded->type)) return false;
    Status applied = ApplyEvent(*decoded, &state_);
    EXPECT_TRUE(applied.ok()) << applied.ToString();
    return true;
  }
  const EntityState& state() const { return state_; }

 private:
  EntityState state_;
};

// Each data row of the text table, split on runs of spaces.
std::vector<std::vector<std::string>> TableRows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> lines = Lines(text);
  for (size_t i = 2; i < lines.size(); ++i) {  // a title line, then the header
    std::istringstream words(lines[i]);
    std::vector<std::string> cells;
    for (std::string cell; words >> cell;) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

TEST_F(HistoryCommandTest, ListsExactlyTheEntitysEventsInLogOrder) {
  std::vector<json> history = History("initiative/IN-42", "acme");
  std::vector<uint64_t> expected;
  for (const json& e : WholeLog()) {
    if (e["subject"] == "initiative/IN-42" && e["workspace"] == "acme") expected.push_back(e["seq"]);
  }
  std::vector<uint64_t> got;
  for (const json& e : history) got.push_back(e["seq"]);
  EXPECT_EQ(got, expected);
  ASSERT_GE(got.size(), 3u);  // created, status_changed, and what the rules said about it
  for (const json& e : history) {
    EXPECT_TRUE(e.contains("time") && e.contains("type") && e.contains("actor") && e.contains("hash")) << e;
  }
}

TEST_F(HistoryCommandTest, AgreesWithStateAsOfAfterEveryEventOfEveryEntity) {
  std::set<std::string> subjects;
  int derived = 0;
  for (const json& e : WholeLog()) {
    if (e["workspace"] == "acme") subjects.insert(e["subject"]);
  }
  ASSERT_GE(subjects.size(), 5u);  // the initiative and the four tasks the template spawned
  int compared = 0;
  for (const std::string& subject : subjects) {
    HistoryFold fold;
    for (const json& event : History(subject, "acme")) {
      if (event.contains("ruleid")) ++derived;
      fold.Apply(event);
      std::string seq = std::to_string(event["seq"].get<uint64_t>());
      KeelRun state = RunKeel({"state", subject, "--db", db(), "--workspace", "acme", "--as-of", seq, "--json"});
      if (fold.state().empty()) {  // nothing has given it state yet
        EXPECT_EQ(state.exit_code, 1) << subject << " as of " << seq << ": " << state.Describe();
        continue;
      }
      ASSERT_EQ(state.exit_code, 0) << subject << " as of " << seq << ": " << state.Describe();
      EXPECT_EQ(json::parse(state.out), json::parse(fold.state().ToCanonical())) << subject << " as of " << seq;
      ++compared;
    }
    // The whole history folds to the current state: no event left out at the end.
    KeelRun now = RunKeel({"state", subject, "--db", db(), "--workspace", "acme", "--json"});
    ASSERT_EQ(now.exit_code, 0) << subject << ": " << now.Describe();
    EXPECT_EQ(json::parse(now.out), json::parse(fold.state().ToCanonical())) << subject << " now";
  }
  EXPECT_GT(derived, 0);  // the fixture exercises derived events
  EXPECT_GE(compared, 8);
}

TEST_F(HistoryCommandTest, TheTextTableShowsTheVersionStateAsOfReportsAndTheRuleOfDerivedEvents) {
  std::vector<json> history = History("initiative/IN-42", "acme");
  KeelRun text = RunKeel({"history", "initiative/IN-42", "--db", db(), "--workspace", "acme"});
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_EQ(text.out.rfind("initiative/IN-42 in acme: " + std::to_string(history.size()) + " events\n", 0), 0u)
      << text.out;
  EXPECT_NE(text.out.find("SEQ"), std::string::npos) << text.out;
  auto rows = TableRows(text.out);
  ASSERT_EQ(rows.size(), history.size()) << text.out;
  HistoryFold fold;
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& event = history[i];
    ASSERT_EQ(rows[i].size(), 7u) << text.out;  // seq, time, type, actor, version, rule, cause
    EXPECT_EQ(rows[i][0], std::to_string(event["seq"].get<uint64_t>()));
    EXPECT_EQ(rows[i][1], event["time"]);
    EXPECT_EQ(rows[i][2], event["type"]);
    EXPECT_EQ(rows[i][3], event["actor"]);
    bool changes_state = fold.Apply(event);
    EXPECT_EQ(rows[i][4], changes_state ? std::to_string(fold.state().version()) : "-") << text.out;
    EXPECT_EQ(rows[i][5], event.value("ruleid", "-"));
    EXPECT_EQ(rows[i][6], event.value("causationid", "-"));
  }
}

TEST_F(HistoryCommandTest, ASpawnedTaskNamesTheRuleAndTheEventThatCreatedIt) {
  std::string task;
  for (const json& e : WholeLog()) {
    if (e["type"] == "task.created" && e["data"]["title"] == "Write the brief for Website relaunch") {
      task = e["subject"];
    }
  }
  ASSERT_FALSE(task.empty());
  std::vector<json> history = JsonLines({"history", task, "--db", db(), "--json"});  // only acme has it
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history[0]["type"], "task.created");
  EXPECT_EQ(history[0]["ruleid"], "kickoff-initiative");
  EXPECT_EQ(history[0]["causationid"], "ko-002");
  KeelRun text = RunKeel({"history", task, "--db", db()});
  auto rows = TableRows(text.out);
  ASSERT_FALSE(rows.empty()) << text.Describe();
  ASSERT_EQ(rows[0].size(), 7u) << text.out;
  EXPECT_EQ(rows[0][5], "kickoff-initiative") << text.out;
  EXPECT_EQ(rows[0][6], "ko-002") << text.out;
}

TEST_F(HistoryCommandTest, AnEntityInSeveralWorkspacesNeedsWorkspace) {
  KeelRun run = RunKeel({"history", "initiative/IN-42", "--db", db()});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_EQ(run.err.rfind("keel history: error: ", 0), 0u) << run.Describe();
  EXPECT_NE(run.err.find("acme, globex"), std::string::npos) << run.Describe();
  std::vector<json> globex = History("initiative/IN-42", "globex");
  ASSERT_EQ(globex.size(), 1u);
  EXPECT_EQ(globex[0]["id"], "ko-003");
}

TEST_F(HistoryCommandTest, AnUnknownEntityOrAMalformedOneIsAnError) {
  KeelRun unknown = RunKeel({"history", "task/NOPE", "--db", db()});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.Describe();
  EXPECT_NE(unknown.err.find("keel history: error: no events about task/NOPE"), std::string::npos)
      << unknown.Describe();
  KeelRun elsewhere = RunKeel({"history", "task/NOPE", "--db", db(), "--workspace", "acme"});
  EXPECT_EQ(elsewhere.exit_code, 1) << elsewhere.Describe();
  KeelRun malformed = RunKeel({"history", "nope", "--db", db()});
  EXPECT_EQ(malformed.exit_code, 1) << malformed.Describe();
  EXPECT_NE(malformed.err.find("is not KIND/ID"), std::string::npos) << malformed.Describe();
}

}  // namespace
}  // namespace keel::testing
