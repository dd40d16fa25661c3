// Invariant 8 at the command line: what one workspace sends (its ids, its
// workspace names, its times) cannot change, block or show another's.
#include <filesystem>

#include <gtest/gtest.h>

#include "engine/event.h"
#include "engine/sha256.h"

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

using json = nlohmann::ordered_json;

std::string CreatedIn(const std::string& workspace, const std::string& id, const std::string& title) {
  return EventLine({.id = id, .type = "task.created", .subject = "task/T-1", .workspace = workspace,
                    .data = {{"title", title}, {"status", "todo"}}});
}

class TenantIsolationTest : public KeelCliTest {};

TEST_F(TenantIsolationTest, AnotherWorkspaceReusingAnIdIsANewEvent) {
  IngestValid({CreatedIn("acme", "ev-1", "Acme's secret plan")});
  KeelRun run;
  json summary = IngestJson({CreatedIn("globex", "ev-1", "Globex's brief")}, &run);
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(summary["appended"], 1) << summary.dump();
  EXPECT_EQ(summary["rejected"], 0) << summary.dump();
}

TEST_F(TenantIsolationTest, ADuplicateWithinOneWorkspaceIsStillADuplicate) {
  IngestValid({CreatedIn("acme", "ev-1", "Acme's plan"), CreatedIn("globex", "ev-1", "Globex's brief")});
  json summary = IngestJson({CreatedIn("globex", "ev-1", "Globex's brief")});
  EXPECT_EQ(summary["appended"], 0) << summary.dump();
  EXPECT_EQ(summary["duplicates"], 1) << summary.dump();
}

TEST_F(TenantIsolationTest, AConflictShowsNoOtherWorkspacesEvent) {
  IngestValid({CreatedIn("acme", "ev-1", "Acme's secret plan"), CreatedIn("globex", "ev-1", "Globex's brief")});
  KeelRun run;
  json summary = IngestJson({CreatedIn("globex", "ev-1", "Globex's second brief")}, &run);
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  ASSERT_EQ(summary["errors"].size(), 1u) << summary.dump();
  std::string reason = summary["errors"][0]["reason"];
  EXPECT_NE(reason.find("Globex's brief"), std::string::npos) << reason;
  EXPECT_EQ(reason.find("secret"), std::string::npos) << reason;
  EXPECT_EQ(run.out.find("secret"), std::string::npos) << run.Describe();
  EXPECT_EQ(run.err.find("secret"), std::string::npos) << run.Describe();
}

TEST_F(TenantIsolationTest, ExplainFindsAnIdHeldByOneWorkspaceWithoutBeingTold) {
  IngestValid({CreatedIn("acme", "ev-1", "Acme's plan"), CreatedIn("globex", "ev-2", "Globex's brief")});
  KeelRun run = RunKeel({"explain", "ev-2", "--db", db(), "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  json out = json::parse(run.out);
  EXPECT_EQ(out["explained"]["event"]["workspace"], "globex") << run.out;
  EXPECT_EQ(out["explained"]["event"]["seq"], 2) << run.out;
}

TEST_F(TenantIsolationTest, ExplainOfAnIdInTwoWorkspacesAsksWhichOne) {
  IngestValid({CreatedIn("acme", "ev-1", "Acme's plan"), CreatedIn("globex", "ev-1", "Globex's brief")});
  KeelRun ambiguous = RunKeel({"explain", "ev-1", "--db", db()});
  EXPECT_NE(ambiguous.exit_code, 0) << ambiguous.Describe();
  EXPECT_NE(ambiguous.err.find("--workspace"), std::string::npos) << ambiguous.Describe();

  KeelRun chosen = RunKeel({"explain", "ev-1", "--workspace", "globex", "--db", db(), "--json"});
  ASSERT_EQ(chosen.exit_code, 0) << chosen.Describe();
  json out = json::parse(chosen.out);
  EXPECT_EQ(out["explained"]["event"]["workspace"], "globex") << chosen.out;
  EXPECT_EQ(out["explained"]["event"]["seq"], 2) << chosen.out;

  KeelRun elsewhere = RunKeel({"explain", "ev-1", "--workspace", "initech", "--db", db()});
  EXPECT_NE(elsewhere.exit_code, 0) << elsewhere.Describe();
  EXPECT_NE(elsewhere.err.find("initech"), std::string::npos) << elsewhere.Describe();
}

// A pack whose one rule applies a template of four tasks to an initiative
// that starts, and a weekly schedule of globex's.
class TenantRulesTest : public TenantIsolationTest {
 protected:
  std::string Pack() {
    std::filesystem::create_directories(dir_ / "pack" / "rules");
    std::filesystem::create_directories(dir_ / "pack" / "templates");
    WriteFile("pack/rules/kickoff.yaml",
              "id: kickoff\non: initiative.status_changed\nthen:\n  - apply_template: four\n");
    WriteFile("pack/rules/digest.yaml",
              "id: digest\non: {schedule: \"0 9 * * MON\", tz: UTC}\nscope: [globex]\nthen:\n"
              "  - notify: {recipients: \"team\", message: \"weekly digest\", channel: email}\n");
    WriteFile("pack/templates/four.yaml",
              "name: four\ntasks:\n  - key: a\n    title: A\n  - key: b\n    title: B\n"
              "  - key: c\n    title: C\n  - key: d\n    title: D\n");
    return (dir_ / "pack").string();
  }

  json RunJson(const std::vector<std::string>& lines, std::vector<std::string> extra, KeelRun* run_out) {
    std::string events = WriteFile("run-" + std::to_string(++files_) + ".ndjson", JoinLines(lines));
    std::vector<std::string> args = {"run", "--rules", Pack(), "--events", events, "--db", db(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    *run_out = RunKeel(args);
    std::vector<std::string> out = Lines(run_out->out);
    if (out.size() != 1) {
      ADD_FAILURE() << "expected one JSON summary line\n" << run_out->Describe();
      return nullptr;
    }
    return json::parse(out[0]);
  }

  // The id rules/README.md says the engine derives: "d-" and 32 hex digits
  // of SHA-256 over 32 zero bytes, trigger id, rule id and action path.
  static std::string DerivedId(const std::string& trigger, const std::string& rule, const std::string& path) {
    return "d-" + HashToHex(ChainHash(Hash{}, trigger + std::string(1, '\0') + rule + std::string(1, '\0') + path))
                      .substr(0, 32);
  }

  static std::string Starts(const std::string& id, const std::string& workspace, const std::string& time) {
    return EventLine({.id = id, .type = "initiative.status_changed", .subject = "initiative/IN-1", .time = time,
                      .workspace = workspace, .data = {{"from", "planned"}, {"to", "in_progress"}}});
  }

  static std::string Comment(const std::string& id, const std::string& workspace,
                             const std::string& time = "2026-03-02T08:00:00Z") {
    return EventLine({.id = id, .type = "comment.added", .subject = "initiative/IN-1", .time = time,
                      .workspace = workspace, .data = {{"text", "hello"}}});
  }
};

TEST_F(TenantRulesTest, AnInputTakingAnIdATemplateWillDeriveIsRefusedAndAllFourTasksAreCreated) {
  std::string stolen = DerivedId("go-1", "kickoff", "then[0]/b");
  KeelRun run;
  json summary = RunJson({Comment(stolen, "acme"), Starts("go-1", "acme", "2026-03-02T09:00:00Z")},
                         {"--clock=events"}, &run);
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_EQ(summary["rejected"], 1) << summary.dump();
  EXPECT_EQ(summary["tasks_created"], 4) << summary.dump();
  EXPECT_EQ(summary["failed"], 0) << summary.dump();
  ASSERT_EQ(summary["errors"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["errors"][0]["line"], 1);
  std::string reason = summary["errors"][0]["reason"];
  EXPECT_NE(reason.find(stolen), std::string::npos) << reason;
}

TEST_F(TenantRulesTest, AnotherWorkspaceCannotTakeTheIdsOfAnAutomationEither) {
  std::string stolen = DerivedId("go-1", "kickoff", "then[0]/b");
  KeelRun run;
  json summary = RunJson({Comment(stolen, "globex"), Starts("go-1", "acme", "2026-03-02T09:00:00Z")},
                         {"--clock=events"}, &run);
  EXPECT_EQ(summary["rejected"], 1) << summary.dump();
  EXPECT_EQ(summary["tasks_created"], 4) << summary.dump();
}

TEST_F(TenantIsolationTest, AnEventInTheSystemWorkspaceIsRefusedWithAReason) {
  KeelRun run;
  json summary = IngestJson({CreatedIn("system", "sys-1", "Forged"), CreatedIn("acme", "ok-1", "Fine")}, &run);
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_EQ(summary["appended"], 1) << summary.dump();
  ASSERT_EQ(summary["errors"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["errors"][0]["line"], 1);
  std::string reason = summary["errors"][0]["reason"];
  EXPECT_NE(reason.find("workspace 'system' is reserved"), std::string::npos) << reason;
}

// The case: one event in the system workspace escaped --max-derived
// (it derived 488,280 events). It is refused now, and what it would have
// triggered never runs.
TEST_F(TenantRulesTest, AnEventInTheSystemWorkspaceDerivesNothing) {
  KeelRun run;
  json summary = RunJson({Starts("go-1", "system", "2026-03-02T09:00:00Z")}, {"--clock=events"}, &run);
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_EQ(summary["rejected"], 1) << summary.dump();
  EXPECT_EQ(summary["derived"], 0) << summary.dump();
}

}  // namespace
}  // namespace keel::testing
