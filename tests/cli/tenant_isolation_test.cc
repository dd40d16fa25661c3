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
  EXPECT_EQ(summary["input"], 0) << summary.dump();
  EXPECT_EQ(summary["tasks_created"], 0) << summary.dump();  // (what is derived: the digest's arming)
}

TEST_F(TenantIsolationTest, EventsDatedYear0001Or9999AreRefusedNamingTheWindow) {
  KeelRun run;
  json summary = IngestJson({EventLine({.id = "old", .type = "task.created", .time = "0001-01-01T00:00:00Z",
                                        .data = {{"title", "t"}, {"status", "todo"}}}),
                             EventLine({.id = "far", .type = "task.created", .subject = "task/T-2",
                                        .time = "9999-12-31T00:00:00Z", .data = {{"title", "t"}, {"status", "todo"}}}),
                             CreatedIn("acme", "ok-1", "Fine")},
                            &run);
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_EQ(summary["appended"], 1) << summary.dump();
  ASSERT_EQ(summary["errors"].size(), 2u) << summary.dump();
  std::string before = summary["errors"][0]["reason"], after = summary["errors"][1]["reason"];
  EXPECT_NE(before.find("time 0001-01-01T00:00:00Z lies"), std::string::npos) << before;
  EXPECT_NE(before.find("days before the clock"), std::string::npos) << before;
  EXPECT_NE(before.find("at most 3660 days"), std::string::npos) << before;
  EXPECT_NE(after.find("days after the clock"), std::string::npos) << after;
}

TEST_F(TenantIsolationTest, TheTimeWindowIsAnOption) {
  std::string old = EventLine({.id = "old", .type = "task.created", .time = "2001-01-01T00:00:00Z",
                               .data = {{"title", "t"}, {"status", "todo"}}});
  KeelRun narrow = Ingest({old}, {"--event-time-window", "30", "--json"});
  EXPECT_EQ(narrow.exit_code, 1) << narrow.Describe();
  EXPECT_NE(narrow.out.find("at most 30 days"), std::string::npos) << narrow.Describe();
  KeelRun unbounded = Ingest({old}, {"--event-time-window", "0"});
  EXPECT_EQ(unbounded.exit_code, 0) << unbounded.Describe();
}

// The case: the first event, dated year 0001 and of acme, set the
// time the rule set took effect, and globex's weekly schedule fired 105,708
// times to catch up; one dated 9999 stopped it for good. Such an event is
// refused now and the set takes effect at globex's own first event.
TEST_F(TenantRulesTest, AnotherWorkspacesEventDated0001Or9999DoesNotMoveASchedule) {
  for (std::string time : {"0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z"}) {
    std::filesystem::remove_all(db());
    KeelRun run;
    json summary = RunJson({Comment("c-1", "acme", time), Comment("c-2", "globex", "2026-03-02T10:00:00Z")},
                           {"--clock=events", "--until", "2026-03-31T00:00:00Z"}, &run);
    EXPECT_EQ(summary["rejected"], 1) << time << ": " << summary.dump();
    // Mondays 9, 16, 23 and 30 March, 09:00.
    EXPECT_EQ(summary["timers_fired"], 4) << time << ": " << summary.dump();
    EXPECT_EQ(summary["fired"]["digest"], 4) << time << ": " << summary.dump();
  }
}

// Far behind its clock (keel down for most of a year, or the event clock
// jumping), a weekly schedule fires once, then skips to the first occurrence
// after the clock and says which it skipped from.
TEST_F(TenantRulesTest, AScheduleFarBehindTheClockFiresOnceThenSkipsAheadRecordingIt) {
  KeelRun run;
  json summary = RunJson({Comment("c-1", "globex", "2026-01-05T10:00:00Z")},
                         {"--clock=events", "--until", "2026-12-07T00:00:00Z"}, &run);
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(summary["timers_fired"], 1) << summary.dump();
  EXPECT_EQ(summary["next_timer_due"], "2026-12-07T09:00:00Z") << summary.dump();
  KeelRun log = RunKeel({"log", "--db", db(), "--json"});
  ASSERT_EQ(log.exit_code, 0) << log.Describe();
  json fired, skipping;
  for (const std::string& line : Lines(log.out)) {
    json event = json::parse(line);
    if (event["type"] == "timer.fired") fired = event;
    if (event["type"] == "timer.scheduled" && event["data"].contains("skipped_from")) skipping = event;
  }
  ASSERT_FALSE(fired.is_null()) << log.out;
  EXPECT_EQ(fired["data"]["scheduled_for"], "2026-01-12T09:00:00Z") << fired.dump();
  EXPECT_EQ(fired["data"]["fired_at"], "2026-12-07T00:00:00Z") << fired.dump();
  ASSERT_FALSE(skipping.is_null()) << log.out;
  EXPECT_EQ(skipping["data"]["skipped_from"], "2026-01-19T09:00:00Z") << skipping.dump();
  EXPECT_EQ(skipping["data"]["scheduled_for"], "2026-12-07T09:00:00Z") << skipping.dump();
}

// A few missed occurrences all fire, each at its own time.
TEST_F(TenantRulesTest, AScheduleAFewOccurrencesBehindFiresEachOfThem) {
  KeelRun run;
  json summary = RunJson({Comment("c-1", "globex", "2026-01-05T10:00:00Z")},
                         {"--clock=events", "--until", "2026-03-01T00:00:00Z"}, &run);
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  // Mondays 12, 19, 26 January, 2, 9, 16, 23 February: 7, under the bound of 10.
  EXPECT_EQ(summary["timers_fired"], 7) << summary.dump();
  EXPECT_EQ(summary["next_timer_due"], "2026-03-02T09:00:00Z") << summary.dump();
}

}  // namespace
}  // namespace keel::testing
