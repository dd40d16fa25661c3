// `keel log`, `keel state` and `keel verify` on a log written by `keel
// ingest`: what a user, an auditor or a script reads back.
#include <set>

#include <gtest/gtest.h>

#include "tests/cli/cli_fixture.h"
#include "tests/engine/log/log_damage.h"

namespace keel::testing {
namespace {

using json = nlohmann::ordered_json;

// Five events: T-1 created (todo), to in_progress, T-2 created, T-1 to done,
// T-2 assigned; an hour apart from 09:00.
class ReadCommandsTest : public KeelCliTest {
 protected:
  void SetUp() override {
    IngestValid({TaskCreated("e1", "T-1", "Write the brief", "2026-03-02T09:00:00Z"),
                 TaskStatusChanged("e2", "T-1", "in_progress", "2026-03-02T10:00:00Z"),
                 TaskCreated("e3", "T-2", "Review the copy", "2026-03-02T11:00:00Z"),
                 TaskStatusChanged("e4", "T-1", "done", "2026-03-02T12:00:00Z"),
                 EventLine({.id = "e5", .type = "task.assigned", .subject = "task/T-2",
                            .time = "2026-03-02T13:00:00Z", .data = {{"to", "user:bob"}}})});
  }

  std::vector<json> LogJson(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"log", "--db", db(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    KeelRun run = RunKeel(args);
    EXPECT_EQ(run.exit_code, 0) << run.Describe();
    std::vector<json> events;
    for (const std::string& line : Lines(run.out)) events.push_back(json::parse(line));
    return events;
  }

  static std::vector<uint64_t> Seqs(const std::vector<json>& events) {
    std::vector<uint64_t> seqs;
    for (const json& e : events) seqs.push_back(e["seq"]);
    return seqs;
  }

  KeelRun State(std::vector<std::string> args) {
    args.insert(args.begin(), "state");
    args.insert(args.end(), {"--db", db()});
    return RunKeel(args);
  }

  json StateJson(std::vector<std::string> args) {
    args.push_back("--json");
    KeelRun run = State(args);
    EXPECT_EQ(run.exit_code, 0) << run.Describe();
    return run.exit_code == 0 ? json::parse(run.out) : json();
  }

  // Flips one byte inside the stored canonical event at `seq`, keeping its hash.
  void ChangeOneByteOfStoredEvent(uint64_t seq, const std::string& inside, char replacement) {
    ASSERT_TRUE(EditStoredEvent(db(), seq, [&](std::string* canonical) {
      size_t pos = canonical->find(inside);
      if (pos == std::string::npos) return false;
      (*canonical)[pos] = replacement;
      return true;
    })) << "seq " << seq << " does not contain " << inside;
  }
};

TEST_F(ReadCommandsTest, LogPrintsOneLinePerEventInSeqOrder) {
  KeelRun run = RunKeel({"log", "--db", db()});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  std::vector<std::string> lines = Lines(run.out);
  ASSERT_EQ(lines.size(), 5u) << run.out;
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind(std::to_string(i + 1) + " ", 0), 0u) << lines[i];
  }
  EXPECT_NE(lines[1].find("task.status_changed"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("task/T-1"), std::string::npos) << lines[1];
  EXPECT_NE(lines[4].find("task.assigned"), std::string::npos) << lines[4];
}

TEST_F(ReadCommandsTest, LogJsonCarriesSeqAndHashOnEveryLine) {
  std::vector<json> events = LogJson();
  ASSERT_EQ(events.size(), 5u);
  std::set<std::string> hashes;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i]["seq"], i + 1);
    EXPECT_EQ(events[i]["id"], "e" + std::to_string(i + 1));
    std::string hash = events[i]["hash"];
    EXPECT_EQ(hash.size(), 64u) << hash;
    EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos) << hash;
    hashes.insert(hash);
  }
  EXPECT_EQ(hashes.size(), 5u) << "every event has its own hash";
  EXPECT_EQ(events[1]["data"], json({{"to", "in_progress"}}));
}

TEST_F(ReadCommandsTest, LogFromToSelectsAnInclusiveRange) {
  EXPECT_EQ(Seqs(LogJson({"--from", "2", "--to", "4"})), (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(Seqs(LogJson({"--from", "4"})), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(Seqs(LogJson({"--to", "1"})), (std::vector<uint64_t>{1}));
  EXPECT_EQ(Seqs(LogJson({"--from", "9"})), (std::vector<uint64_t>{}));
}

TEST_F(ReadCommandsTest, LogEntityShowsOnlyThatEntitysEvents) {
  EXPECT_EQ(Seqs(LogJson({"--entity", "task/T-1"})), (std::vector<uint64_t>{1, 2, 4}));
  EXPECT_EQ(Seqs(LogJson({"--entity", "task/T-2"})), (std::vector<uint64_t>{3, 5}));
  EXPECT_EQ(Seqs(LogJson({"--entity", "task/T-1", "--from", "2", "--to", "3"})), (std::vector<uint64_t>{2}));
}

TEST_F(ReadCommandsTest, LogEntityThatHasNoEventsFailsNamingIt) {
  KeelRun run = RunKeel({"log", "--db", db(), "--entity", "task/T-99"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.err.find("task/T-99"), std::string::npos) << run.Describe();
}

TEST_F(ReadCommandsTest, StatePrintsTheCurrentFieldsAsText) {
  KeelRun run = State({"task/T-1"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  std::vector<std::string> lines = Lines(run.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "task/T-1 in acme, version 3");
  EXPECT_NE(run.out.find("status"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("done"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Write the brief"), std::string::npos) << run.out;
}

TEST_F(ReadCommandsTest, StateJsonIsTheEntitysCurrentState) {
  json state = StateJson({"task/T-1"});
  EXPECT_EQ(state["kind"], "task");
  EXPECT_EQ(state["id"], "T-1");
  EXPECT_EQ(state["workspace"], "acme");
  EXPECT_EQ(state["status"], "done");
  EXPECT_EQ(state["title"], "Write the brief");
  EXPECT_EQ(state["version"], 3);
  EXPECT_FALSE(state.contains("partial")) << state.dump();
  EXPECT_EQ(StateJson({"task/T-2"})["assignee"], "user:bob");
}

TEST_F(ReadCommandsTest, StateAsOfSeqIsTheStateAfterThatEvent) {
  EXPECT_EQ(StateJson({"task/T-1", "--as-of", "1"})["status"], "todo");
  EXPECT_EQ(StateJson({"task/T-1", "--as-of", "2"})["status"], "in_progress");
  EXPECT_EQ(StateJson({"task/T-1", "--as-of", "3"})["status"], "in_progress");
  EXPECT_EQ(StateJson({"task/T-1", "--as-of", "4"})["status"], "done");
  EXPECT_EQ(StateJson({"task/T-1", "--as-of", "4"}), StateJson({"task/T-1"}));
}

TEST_F(ReadCommandsTest, StateAsOfTimeMatchesTheStateAsOfTheSeqAtThatTime) {
  // 10:30 falls after e2 (10:00) and before e3 (11:00): the same as seq 2.
  EXPECT_EQ(StateJson({"task/T-1", "--as-of", "2026-03-02T10:30:00Z"}), StateJson({"task/T-1", "--as-of", "2"}));
  // Exactly the time of e4 includes e4.
  EXPECT_EQ(StateJson({"task/T-1", "--as-of", "2026-03-02T12:00:00Z"}), StateJson({"task/T-1", "--as-of", "4"}));
  EXPECT_EQ(StateJson({"task/T-1", "--as-of", "2026-03-02T09:00:00Z"})["status"], "todo");
}

TEST_F(ReadCommandsTest, StateAsOfTextOutputShowsTheEarlierStatus) {
  KeelRun run = State({"task/T-1", "--as-of", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.out.find("in_progress"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("done"), std::string::npos) << run.out;
}

TEST_F(ReadCommandsTest, StateBeforeTheEntityExistedFailsSayingSo) {
  KeelRun run = State({"task/T-2", "--as-of", "2"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.err.find("task/T-2"), std::string::npos) << run.Describe();
  EXPECT_NE(run.err.find("as of 2"), std::string::npos) << run.Describe();
}

TEST_F(ReadCommandsTest, StateOfAnUnknownEntityFailsNamingIt) {
  KeelRun run = State({"task/T-99"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.err.find("task/T-99"), std::string::npos) << run.Describe();
  EXPECT_EQ(run.out, "");
}

TEST_F(ReadCommandsTest, VerifyJsonOnAnUntouchedLogIsExactlyOk) {
  KeelRun run = RunKeel({"verify", "--db", db(), "--json"});
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(run.out, "{\"ok\":true,\"events\":5,\"first_bad_seq\":null,\"problems\":[]}\n");
}

TEST_F(ReadCommandsTest, VerifyTextOnAnUntouchedLogSaysOk) {
  KeelRun run = RunKeel({"verify", "--db", db()});
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(run.out.rfind("ok: 5 events", 0), 0u) << run.out;
}

TEST_F(ReadCommandsTest, VerifyNamesTheSeqOfAStoredEventWithOneChangedByte) {
  ChangeOneByteOfStoredEvent(3, "Review", 'r');
  KeelRun run = RunKeel({"verify", "--db", db(), "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  json report = json::parse(run.out);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["events"], 5);
  EXPECT_EQ(report["first_bad_seq"], 3) << run.out;
  ASSERT_FALSE(report["problems"].empty());
  EXPECT_NE(report["problems"][0].get<std::string>().find("seq 3"), std::string::npos) << run.out;
}

TEST_F(ReadCommandsTest, VerifyTextNamesTheFirstBadSeq) {
  ChangeOneByteOfStoredEvent(2, "in_progress", 'I');
  KeelRun run = RunKeel({"verify", "--db", db()});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find("first bad seq: 2"), std::string::npos) << run.Describe();
}

}  // namespace
}  // namespace keel::testing
