// Every action, evaluated inside ingest: what each appends, with what data.
#include "tests/rules/reactor_fixture.h"

namespace keel::rules::testing {
namespace {

using nlohmann::json;

// A rule on initiative.status_changed to in_progress running `actions`.
std::string OnStart(const std::string& id, const std::string& actions) {
  return "id: " + id + "\non: initiative.status_changed\nif: event.data.to == \"in_progress\"\nthen:\n" + actions;
}

class ActionsTest : public ReactorTest {
 protected:
  // Runs the two initiative events through `rule` and returns what it derived.
  std::vector<StoredEvent> RunRule(const std::string& rule) {
    RulePack pack;
    pack.Add("rules/r.yaml", rule);
    Start(pack);
    EXPECT_EQ(Ingest(InitiativeCreated()).outcome, AppendOutcome::kAppended);
    EXPECT_EQ(Ingest(InitiativeStarted()).outcome, AppendOutcome::kAppended);
    return Derived();
  }
};

TEST_F(ActionsTest, CreateTaskFillsItsFieldsFromTemplatesAndCarriesItsCause) {
  auto derived = RunRule(OnStart("brief", R"(  - create_task:
      title: "Brief for {{ entity.title }}"
      assignee: "{{ entity.owner }}"
      due: "{{ add_business_days(event.time, 3) }}"
      parent: "{{ event.subject }}"
      priority: high
      labels: kickoff
      fields: {effort: "{{ 1 + 2 }}"}
)"));
  ASSERT_EQ(derived.size(), 1u);
  const Event& e = derived[0].event;
  EXPECT_EQ(e.type, "task.created");
  EXPECT_EQ(e.subject.rfind("task/t-", 0), 0u) << e.subject;
  EXPECT_EQ(e.rule_id, "brief");
  EXPECT_EQ(e.causation_id, "e-start");
  EXPECT_EQ(e.correlation_id, "e-start");
  EXPECT_EQ(e.ruleset_hash, reactor_->ruleset_hash());
  EXPECT_EQ(e.time, "2026-03-06T09:00:00Z");  // the trigger's, never the clock
  EXPECT_EQ(e.workspace, "acme");
  EXPECT_EQ(e.actor, "rule:brief");
  EXPECT_EQ(Data(derived[0]), json({{"title", "Brief for Website relaunch"},
                                    {"assignee", "user:dana"},
                                    {"due", "2026-03-11T09:00:00Z"},  // Friday + 3 business days
                                    {"parent", "initiative/IN-1"},
                                    {"priority", "high"},
                                    {"labels", {"kickoff"}},
                                    {"effort", 3}}));
  json task = State(e.subject);
  EXPECT_EQ(task["title"], "Brief for Website relaunch");
  EXPECT_EQ(task["assignee"], "user:dana");
}

TEST_F(ActionsTest, ApplyTemplateCreatesEveryTaskAssignedByRoleThenLinksTheDependencies) {
  RulePack pack;
  pack.Add("rules/r.yaml", OnStart("kickoff", "  - apply_template: kickoff\n"));
  pack.Add("templates/kickoff.yaml", R"(name: kickoff
tasks:
  - key: brief
    title: "Brief for {{ entity.title }}"
    assignee: {role: owner}
    due_in: 2
    checklist: [Goals]
  - key: design
    title: Design
    assignee: {role: designer}
    due_in: 5
    depends_on: [brief]
)");
  Start(pack);
  Ingest(InitiativeCreated());
  Ingest(InitiativeStarted());
  auto derived = Derived();
  ASSERT_EQ(derived.size(), 3u);
  EXPECT_EQ(derived[0].event.type, "task.created");
  EXPECT_EQ(derived[1].event.type, "task.created");
  EXPECT_EQ(derived[2].event.type, "task.linked");
  json brief = Data(derived[0]);
  json design = Data(derived[1]);
  EXPECT_EQ(brief["title"], "Brief for Website relaunch");
  EXPECT_EQ(brief["assignee"], "user:dana");
  EXPECT_EQ(brief["due"], "2026-03-10T09:00:00Z");
  EXPECT_EQ(brief["parent"], "initiative/IN-1");
  EXPECT_EQ(design["assignee"], "user:erin");
  EXPECT_EQ(design["due"], "2026-03-13T09:00:00Z");
  EXPECT_EQ(derived[2].event.subject, derived[1].event.subject);  // design depends on brief
  EXPECT_EQ(Data(derived[2]), json({{"relation", "depends_on"}, {"target", derived[0].event.subject}}));
  EXPECT_EQ(State(derived[1].event.subject)["links"],
            json::array({{{"relation", "depends_on"}, {"target", derived[0].event.subject}}}));
}

TEST_F(ActionsTest, SetStatusAssignSetFieldReadTheCurrentValueAsFrom) {
  auto derived = RunRule(OnStart("edit", R"(  - set_status: active
  - assign: user:erin
  - set_field: {field: budget, value: 1200}
)"));
  ASSERT_EQ(derived.size(), 3u);
  EXPECT_EQ(derived[0].event.type, "initiative.status_changed");
  EXPECT_EQ(Data(derived[0]), json({{"from", "in_progress"}, {"to", "active"}}));
  EXPECT_EQ(derived[1].event.type, "initiative.assigned");
  EXPECT_EQ(Data(derived[1]), json({{"from", nullptr}, {"to", "user:erin"}}));
  EXPECT_EQ(derived[2].event.type, "initiative.updated");
  EXPECT_EQ(Data(derived[2]), json({{"changes", {{"budget", {{"to", 1200}}}}}}));
  json state = State("initiative/IN-1");
  EXPECT_EQ(state["status"], "active");
  EXPECT_EQ(state["assignee"], "user:erin");
  EXPECT_EQ(state["budget"], 1200);
}

TEST_F(ActionsTest, AnActionThatWouldChangeNothingProducesNothing) {
  auto derived = RunRule(OnStart("same", R"(  - set_status: in_progress
  - set_field: {field: owner, value: "user:dana"}
  - assign: null
)"));
  EXPECT_TRUE(derived.empty());
}

TEST_F(ActionsTest, CommentLinkApprovalNotifyAndScheduleActOnTheNamedEntity) {
  auto derived = RunRule(OnStart("misc", R"(  - add_comment: {text: "Started by {{ event.actor }}", mentions: ["user:erin"]}
  - link: {relation: supports, target: goal/G-1}
  - request_approval: {approvers: ["user:cfo"], reason: "budget over {{ 1000 }}"}
  - notify: {recipients: "{{ entity.owner }}", message: "{{ entity.title }} started", channel: email}
  - schedule: {name: check-in, after: 48h, payload: {step: 1}}
  - schedule: {name: review, at: "2026-04-01T10:00:00+02:00", entity: task/T-9}
)"));
  ASSERT_EQ(derived.size(), 6u);
  EXPECT_EQ(derived[0].event.type, "comment.added");
  EXPECT_EQ(derived[0].event.subject, "initiative/IN-1");
  EXPECT_EQ(Data(derived[0]), json({{"text", "Started by user:alice"}, {"mentions", {"user:erin"}}}));
  EXPECT_EQ(derived[1].event.type, "initiative.linked");
  EXPECT_EQ(Data(derived[1]), json({{"relation", "supports"}, {"target", "goal/G-1"}}));
  EXPECT_EQ(derived[2].event.type, "approval.requested");
  EXPECT_EQ(derived[2].event.subject.rfind("approval/a-", 0), 0u);
  EXPECT_EQ(Data(derived[2]), json({{"target", "initiative/IN-1"}, {"approvers", {"user:cfo"}}, {"reason", "budget over 1000"}}));
  EXPECT_EQ(derived[3].event.type, "notification.requested");
  EXPECT_EQ(Data(derived[3]), json({{"recipients", {"user:dana"}}, {"message", "Website relaunch started"},
                                    {"channel", "email"}, {"about", "initiative/IN-1"}}));
  EXPECT_EQ(derived[4].event.type, "timer.scheduled");
  json timer = Data(derived[4]);
  EXPECT_EQ(timer["name"], "check-in");
  EXPECT_EQ(timer["scheduled_for"], "2026-03-08T09:00:00Z");
  EXPECT_EQ(timer["payload"], json({{"step", 1}}));
  EXPECT_EQ(timer["timer"].get<std::string>().rfind("tm-", 0), 0u);
  EXPECT_EQ(derived[5].event.subject, "task/T-9");
  EXPECT_EQ(Data(derived[5])["scheduled_for"], "2026-04-01T08:00:00Z");
}

// A rule creates an approval with approval.requested alone: its state is a
// whole approval, not one "first seen midway" (partial).
TEST_F(ActionsTest, AnApprovalARuleRequestsIsCompletePending) {
  auto derived = RunRule(OnStart("ask", "  - request_approval: {approvers: [\"user:cfo\"], reason: budget}\n"));
  ASSERT_EQ(derived.size(), 1u);
  json approval = State(derived[0].event.subject);
  ASSERT_TRUE(approval.is_object()) << derived[0].event.subject;
  EXPECT_FALSE(approval.contains("partial")) << approval.dump();
  EXPECT_EQ(approval["status"], "pending");
  EXPECT_EQ(approval["target"], "initiative/IN-1");
  EXPECT_EQ(approval["approvers"], json({"user:cfo"}));
}

TEST_F(ActionsTest, EmitAppendsADeclaredCustomEventValidatedAgainstItsSchema) {
  RulePack pack;
  pack.Add("rules/r.yaml", R"(events:
  budget.flagged:
    type: object
    required: [amount]
    properties:
      amount: {type: number}
    additionalProperties: false
rules:
  - id: flag
    on: initiative.status_changed
    then:
      - emit: {type: budget.flagged, data: {amount: "{{ 1200.5 }}"}}
  - id: flag-bad
    on: initiative.status_changed
    then:
      - emit: {type: budget.flagged, data: {amount: "{{ entity.title }}"}}
)");
  Start(pack);
  Ingest(InitiativeCreated());
  Ingest(InitiativeStarted());
  auto flagged = OfType("budget.flagged");
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_EQ(Data(flagged[0]), json({{"amount", 1200.5}}));
  auto failed = OfType("rule.failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(Data(failed[0])["rule"], "flag-bad");
}

}  // namespace
}  // namespace keel::rules::testing
