// keel replay, keel whatif and keel explain on logs that keel run wrote.
#include <filesystem>

#include <fstream>
#include <map>
#include <sstream>

#include "engine/ingest/ingest.h"
#include "engine/schema/schema_registry.h"
#include "tests/cli/cli_fixture.h"
#include "tests/engine/log/log_damage.h"

namespace keel::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class AuditCommandTest : public KeelCliTest {
 protected:
  void RunKickoff() {
    KeelRun run = RunKeel({"run", "--rules", "examples/01-initiative-kickoff", "--events", "examples/01-initiative-kickoff/events.ndjson", "--db", db()});
    ASSERT_EQ(run.exit_code, 0) << run.Describe();
  }
  // A copy of the kickoff pack to edit.
  fs::path CopyOfKickoff(const std::string& name) {
    fs::path pack = dir_ / name;
    fs::copy("examples/01-initiative-kickoff", pack, fs::copy_options::recursive);
    return pack;
  }
  // Every file of the database but RocksDB's own info log (LOG*, which
  // even a read-only open writes to), by name.
  std::map<std::string, std::string> DatabaseFiles() {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::directory_iterator(db())) {
      std::string name = entry.path().filename().string();
      if (name.rfind("LOG", 0) == 0) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      files[name] = bytes.str();
    }
    return files;
  }
  // Replaces `from` by `to` (same length) in the stored record of `seq`.
  void Tamper(uint64_t seq, const std::string& from, const std::string& to) {
    ASSERT_TRUE(EditStoredEvent(db(), seq, [&](std::string* canonical) {
      size_t at = canonical->find(from);
      if (at == std::string::npos) return false;
      canonical->replace(at, from.size(), to);
      return true;
    })) << "seq " << seq << " does not contain " << from;
  }
  json Json(const KeelRun& run) {
    EXPECT_EQ(Lines(run.out).size(), 1u) << run.Describe();
    return json::parse(run.out, nullptr, false);
  }
};

TEST_F(AuditCommandTest, ReplayingAKeelRunLogIsIdenticalAndCanKeepTheReplay) {
  RunKickoff();
  KeelRun replay = RunKeel({"replay", "--db", db(), "--json"});
  EXPECT_EQ(replay.exit_code, 0) << replay.Describe();
  EXPECT_EQ(Json(replay), json({{"identical", true}, {"events", 17}, {"first_divergence", nullptr}}));

  std::string into = (dir_ / "replayed").string();
  KeelRun kept = RunKeel({"replay", "--db", db(), "--into", into});
  EXPECT_EQ(kept.exit_code, 0) << kept.Describe();
  EXPECT_NE(kept.out.find("identical: 17 events"), std::string::npos) << kept.out;
  KeelRun verify = RunKeel({"verify", "--db", into});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  KeelRun again = RunKeel({"replay", "--db", db(), "--into", into});
  EXPECT_EQ(again.exit_code, 1) << again.Describe();
  EXPECT_NE(again.err.find("is not empty"), std::string::npos) << again.err;
}

TEST_F(AuditCommandTest, ReplayAppliesEachRuleSetWhereItWasActive) {
  fs::path pack = CopyOfKickoff("pack");
  std::string first = WriteFile("first.ndjson", JoinLines({TaskCreated("e1", "T-1", "One")}));
  WriteFile("pack/rules/hello.yaml", "id: hello\non: task.created\nthen: [{add_comment: hello}]\n");
  ASSERT_EQ(RunKeel({"run", "--rules", pack.string(), "--events", first, "--db", db()}).exit_code, 0);
  WriteFile("pack/rules/hello.yaml", "id: hello\non: task.created\nthen: [{add_comment: bonjour}]\n");
  std::string second = WriteFile("second.ndjson", JoinLines({TaskCreated("e2", "T-2", "Two", "2026-03-03T09:00:00Z")}));
  ASSERT_EQ(RunKeel({"run", "--rules", pack.string(), "--events", second, "--db", db()}).exit_code, 0);
  KeelRun replay = RunKeel({"replay", "--db", db(), "--json"});
  EXPECT_EQ(replay.exit_code, 0) << replay.Describe();
  EXPECT_EQ(Json(replay)["identical"], true) << replay.out;
}

// Events appended without the rules that were active (no keel command does
// that; a program using the engine without rules could): the replay derives
// what the log lacks, and names the first place.
TEST_F(AuditCommandTest, ReplayNamesTheFirstDivergence) {
  RunKickoff();
  {
    std::vector<std::string> lines = {EventLine({.id = "late", .type = "initiative.status_changed",
                                                 .subject = "initiative/IN-42", .time = "2026-03-05T09:00:00Z",
                                                 .data = {{"from", "in_progress"}, {"to", "in_progress"}}}),
                                      TaskCreated("e9", "T-9", "After")};
    LogOptions options;
    auto log = EventLog::Open(db(), options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    auto schemas = SchemaRegistry::LoadEmbedded();
    ASSERT_TRUE(schemas.ok());
    Ingestor ingestor(log->get(), schemas->get());
    std::vector<IngestItem> items;
    for (const std::string& line : lines) items.push_back({line, items.size() + 1});
    auto appended = ingestor.IngestGroup(items);
    ASSERT_TRUE(appended.ok());
    for (const AppendResult& r : *appended) ASSERT_EQ(r.outcome, AppendOutcome::kAppended) << r.error.ToString();
  }
  KeelRun replay = RunKeel({"replay", "--db", db(), "--json"});
  EXPECT_EQ(replay.exit_code, 1) << replay.Describe();
  json result = Json(replay);
  EXPECT_EQ(result["identical"], false);
  EXPECT_EQ(result["first_divergence"], 19);  // after "late" (18), the replay has announce-kickoff's notification
  EXPECT_NE(result["expected"].get<std::string>().find("\"id\":\"e9\""), std::string::npos) << result;
  EXPECT_NE(result["found"].get<std::string>().find("notification.requested"), std::string::npos) << result;

  KeelRun upto = RunKeel({"replay", "--db", db(), "--to", "17", "--json"});
  EXPECT_EQ(upto.exit_code, 0) << upto.Describe();
  EXPECT_EQ(Json(upto)["events"], 17);
}

TEST_F(AuditCommandTest, WhatIfShowsAddedRemovedAndChangedAutomationsByRuleAndLeavesTheLogAlone) {
  RunKickoff();
  fs::path pack = CopyOfKickoff("candidate");
  fs::remove(pack / "rules/announce.yaml");
  WriteFile("candidate/rules/announce.yaml", R"(id: announce-kickoff
on: initiative.status_changed
if: event.data.to == "in_progress" && has(entity.owner)
order: 20
then:
  - notify:
      recipients: "{{ entity.owner }}"
      message: "{{ entity.title }} has started."
      channel: email
)");
  WriteFile("candidate/rules/hello.yaml", "id: hello\non: initiative.created\nthen: [{add_comment: welcome}]\n");
  KeelRun head_before = RunKeel({"log", "--db", db(), "--json"});
  std::map<std::string, std::string> files_before = DatabaseFiles();
  KeelRun whatif = RunKeel({"whatif", "--db", db(), "--rules", pack.string(), "--json"});
  ASSERT_EQ(whatif.exit_code, 0) << whatif.Describe();
  json diff = Json(whatif);
  EXPECT_EQ(diff["added"], 2);    // hello, on both initiatives
  EXPECT_EQ(diff["removed"], 1);  // the kickoff comment
  EXPECT_EQ(diff["changed"], 1);  // the notification's message
  EXPECT_EQ(diff["by_rule"]["hello"], json({{"added", 2}, {"removed", 0}, {"changed", 0}}));
  EXPECT_EQ(diff["by_rule"]["announce-kickoff"], json({{"added", 0}, {"removed", 1}, {"changed", 1}}));
  bool saw_change = false;
  for (const json& d : diff["details"]) {
    if (d["change"] != "changed") continue;
    saw_change = true;
    EXPECT_EQ(d["recorded"]["data"]["message"], "Website relaunch is in progress: its kickoff tasks are assigned.");
    EXPECT_EQ(d["candidate"]["data"]["message"], "Website relaunch has started.");
  }
  EXPECT_TRUE(saw_change);
  EXPECT_EQ(RunKeel({"log", "--db", db(), "--json"}).out, head_before.out);  // untouched
  EXPECT_TRUE(DatabaseFiles() == files_before) << "whatif changed the recorded database's files";

  KeelRun text = RunKeel({"whatif", "--db", db(), "--rules", pack.string(), "--from", "2026-03-02T09:30:00Z"});
  EXPECT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_NE(text.out.find("added 1, removed 0, changed 0"), std::string::npos) << text.out;  // globex's welcome
}

TEST_F(AuditCommandTest, ExplainShowsTheCauseTheRuleItsLinesTheValuesItReadAndWhatItProduced) {
  RunKickoff();
  KeelRun explain = RunKeel({"explain", "4", "--db", db(), "--json"});
  ASSERT_EQ(explain.exit_code, 0) << explain.Describe();
  json x = Json(explain);
  ASSERT_EQ(x["ancestors"].size(), 1u);
  EXPECT_EQ(x["ancestors"][0]["event"]["id"], "ko-002");
  const json& rule = x["explained"]["rule"];
  EXPECT_EQ(rule["id"], "kickoff-initiative");
  EXPECT_EQ(rule["file"], "rules/kickoff.yaml");
  EXPECT_EQ(rule["lines"][0], 2);
  EXPECT_NE(rule["source"].get<std::string>().find("apply_template"), std::string::npos);
  EXPECT_EQ(rule["condition_values"], json({{"event.data.to", "\"in_progress\""}, {"event.data.from", "\"planned\""}}));
  EXPECT_EQ(x["explained"]["event"]["data"]["title"], "Write the brief for Website relaunch");

  KeelRun root = RunKeel({"explain", "ko-002", "--db", db()});
  ASSERT_EQ(root.exit_code, 0) << root.Describe();
  EXPECT_NE(root.out.find("(input, id ko-002)"), std::string::npos) << root.out;
  EXPECT_NE(root.out.find("├─ seq 4  task.created"), std::string::npos) << root.out;
  EXPECT_NE(root.out.find("└─ seq 16  comment.added"), std::string::npos) << root.out;
  EXPECT_NE(root.out.find("event.data.to = \"in_progress\""), std::string::npos) << root.out;

  KeelRun missing = RunKeel({"explain", "99", "--db", db()});
  EXPECT_EQ(missing.exit_code, 1) << missing.Describe();
  EXPECT_NE(missing.err.find("no event at seq 99"), std::string::npos) << missing.err;
}

TEST_F(AuditCommandTest, ATamperedEventMakesReplayAndVerifyFailAtItsSeq) {
  RunKickoff();
  Tamper(4, "Write the brief", "Write the BRIEF");  // a derived event
  KeelRun verify = RunKeel({"verify", "--db", db(), "--json"});
  EXPECT_EQ(verify.exit_code, 1) << verify.Describe();
  EXPECT_EQ(Json(verify)["first_bad_seq"], 4);
  KeelRun replay = RunKeel({"replay", "--db", db(), "--json"});
  EXPECT_EQ(replay.exit_code, 1) << replay.Describe();
  json result = Json(replay);
  EXPECT_EQ(result["first_divergence"], 4);
  EXPECT_NE(result["expected"].get<std::string>().find("Write the BRIEF"), std::string::npos);
  EXPECT_NE(result["found"].get<std::string>().find("Write the brief"), std::string::npos);
}

TEST_F(AuditCommandTest, ATamperedInputEventDivergesWhereItIs) {
  RunKickoff();
  Tamper(2, "Website relaunch", "Website RELAUNCH");
  KeelRun replay = RunKeel({"replay", "--db", db(), "--json"});
  EXPECT_EQ(replay.exit_code, 1) << replay.Describe();
  EXPECT_EQ(Json(replay)["first_divergence"], 2);  // same bytes, but not the hash the chain recorded
}

// The replay reads the log on a thread of its own: a record it cannot decode
// must still stop it with the record's seq, not end the replay early as if
// the log ended there.
TEST_F(AuditCommandTest, ARecordThatIsNotJsonStopsTheReplayNamingItsSeq) {
  RunKickoff();
  Tamper(2, "\"Website relaunch\"", "\"Website relaunch");
  KeelRun replay = RunKeel({"replay", "--db", db(), "--json"});
  EXPECT_EQ(replay.exit_code, 1) << replay.Describe();
  EXPECT_NE(replay.err.find("seq 2: event record is not canonical JSON"), std::string::npos) << replay.Describe();
  EXPECT_EQ(replay.out, "") << replay.Describe();
}

TEST_F(AuditCommandTest, ExplainFollowsAThreeLevelCascadeBothWays) {
  std::filesystem::create_directories(dir_ / "chain/rules");
  WriteFile("chain/rules/chain.yaml", R"(rules:
  - id: plan
    on: initiative.status_changed
    if: event.data.to == "in_progress"
    then: [{create_task: {title: "Plan {{ entity.title }}", parent: "{{ event.subject }}"}}]
  - id: note
    on: task.created
    if: has(event.data.parent)
    then: [{add_comment: "planned"}]
  - id: tell
    on: comment.added
    if: event.data.text == "planned"
    then: [{notify: {recipients: ["user:ops"], message: "a plan exists"}}]
)");
  std::string events = WriteFile("chain.ndjson", JoinLines({
      EventLine({.id = "i1", .type = "initiative.created", .subject = "initiative/IN-1", .data = {{"title", "Docs"}}}),
      EventLine({.id = "i2", .type = "initiative.status_changed", .subject = "initiative/IN-1",
                 .data = {{"from", "planned"}, {"to", "in_progress"}}})}));
  ASSERT_EQ(RunKeel({"run", "--rules", (dir_ / "chain").string(), "--events", events, "--db", db()}).exit_code, 0);
  // 1 activation, 2 i1, 3 i2, 4 task.created, 5 comment.added, 6 notification.requested
  KeelRun leaf = RunKeel({"explain", "6", "--db", db(), "--json"});
  ASSERT_EQ(leaf.exit_code, 0) << leaf.Describe();
  json x = Json(leaf);
  ASSERT_EQ(x["ancestors"].size(), 3u);
  EXPECT_EQ(x["ancestors"][0]["event"]["id"], "i2");
  EXPECT_EQ(x["ancestors"][1]["rule"]["id"], "plan");
  EXPECT_EQ(x["ancestors"][2]["rule"]["id"], "note");
  EXPECT_EQ(x["ancestors"][2]["rule"]["condition_values"], json({{"event.data.parent", "\"initiative/IN-1\""}}));
  EXPECT_EQ(x["explained"]["rule"]["id"], "tell");
  EXPECT_EQ(x["explained"]["rule"]["condition_values"], json({{"event.data.text", "\"planned\""}}));
  EXPECT_EQ(x["explained"]["rule"]["lines"], json({10, 13}));

  KeelRun root = RunKeel({"explain", "i2", "--db", db(), "--json"});
  json tree = Json(root)["explained"];
  ASSERT_EQ(tree["children"].size(), 1u);
  ASSERT_EQ(tree["children"][0]["children"].size(), 1u);
  ASSERT_EQ(tree["children"][0]["children"][0]["children"].size(), 1u);
  EXPECT_EQ(tree["children"][0]["children"][0]["children"][0]["event"]["type"], "notification.requested");
}

}  // namespace
}  // namespace keel::testing
