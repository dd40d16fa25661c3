// Entity aliases (engine/log/aliases.h, engine/FORMAT.md "Aliases"): an input
// event about a tool's item that an external link tied to a keel entity is
// stored about that entity, with `resolvedfrom` keeping what it came with;
// the index is written with the link, stays inside its workspace, and a
// redelivery is recognised by what was submitted.
#include <algorithm>

#include <gtest/gtest.h>

#include "engine/audit/verify.h"
#include "engine/ingest/ingest.h"
#include "engine/log/aliases.h"
#include "engine/log/event_log.h"
#include "engine/log_format.h"
#include "engine/schema/schema_registry.h"
#include "tests/engine/log/log_damage.h"
#include "tests/support/events.h"
#include "tests/support/raw_db.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using testing::MakeEvent;

Event Created(std::string id, std::string subject, std::string workspace = "acme") {
  return MakeEvent({.id = std::move(id), .type = "task.created", .subject = std::move(subject),
                    .workspace = std::move(workspace), .data = {{"title", "Write the launch plan"}}});
}

Event Linked(std::string id, std::string subject, std::string target, std::string remote_id = "",
             std::string workspace = "acme") {
  nlohmann::json data = {{"relation", "external"}, {"target", std::move(target)}};
  if (!remote_id.empty()) data["remote_id"] = std::move(remote_id);
  return MakeEvent({.id = std::move(id), .type = "task.linked", .subject = std::move(subject),
                    .workspace = std::move(workspace), .data = std::move(data)});
}

Event StatusChanged(std::string id, std::string subject, std::string to = "doing", std::string workspace = "acme") {
  return MakeEvent({.id = std::move(id), .type = "task.status_changed", .subject = std::move(subject),
                    .workspace = std::move(workspace), .data = {{"from", "todo"}, {"to", std::move(to)}}});
}

class AliasTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(std::function<Status()> before_write = nullptr) {
    log_.reset();
    LogOptions options;
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    options.before_write = std::move(before_write);
    auto opened = EventLog::Open(dir_.path() / "db", options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
  }

  std::vector<AppendResult> Append(std::vector<Event> events) {
    std::vector<AppendRequest> group;
    for (Event& event : events) group.push_back({std::move(event), std::nullopt});
    auto results = log_->Append(std::move(group));
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    return results.ok() ? *results : std::vector<AppendResult>{};
  }

  std::string Canonical(uint64_t seq) {
    auto stored = log_->Read(seq);
    return stored.ok() ? stored->event.canonical : stored.status().ToString();
  }

  std::string Alias(std::string_view workspace, std::string_view name) {
    auto value = log_->GetRaw(log_format::kMeta, log_format::AliasKey(workspace, name));
    return value.ok() ? *value : "<none>";
  }

  std::optional<std::string> StatusOf(std::string_view workspace, std::string_view subject) {
    EntityRef ref;
    EXPECT_TRUE(ParseEntityRef(subject, &ref));
    auto entity = log_->GetEntity(workspace, ref);
    EXPECT_TRUE(entity.ok());
    if (!entity.ok() || !entity->has_value()) return std::nullopt;
    return (*entity)->GetString("status");
  }

  std::vector<std::string> VerifyProblems() {
    auto report = VerifyLog(*log_);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? report->problems : std::vector<std::string>{"<verify failed>"};
  }

  testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(AliasTest, ADeliveryAboutALinkedItemLandsOnTheKeelEntity) {
  Append({Created("c7", "task/T-7"), Linked("l7", "task/T-7", "clickup:86a1b2c3")});
  EXPECT_EQ(Alias("acme", "clickup:86a1b2c3"), "task/T-7");
  auto results = Append({StatusChanged("d1", "task/clickup:86a1b2c3")});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, AppendOutcome::kAppended);
  EXPECT_EQ(Canonical(3),
            R"({"actor":"user:alice","data":{"from":"todo","to":"doing"},"id":"d1",)"
            R"("resolvedfrom":"task/clickup:86a1b2c3","source":"test","specversion":"1.0","subject":"task/T-7",)"
            R"("time":"2026-03-02T09:00:00Z","type":"task.status_changed","workspace":"acme"})");
  EXPECT_EQ(StatusOf("acme", "task/T-7"), "doing");
  EXPECT_EQ(StatusOf("acme", "task/clickup:86a1b2c3"), std::nullopt);
  auto stored = log_->Read(3);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(ResolvedFrom(stored->event), "task/clickup:86a1b2c3");
  EXPECT_TRUE(VerifyProblems().empty()) << VerifyProblems().front();
}

TEST_F(AliasTest, TheRemoteIdIsAnAliasToo) {
  // Jira's answer: the key as target, the numeric id that its webhooks carry as remote_id.
  Append({Created("c7", "task/T-7"), Linked("l7", "task/T-7", "jira:ACME-123", "10001")});
  EXPECT_EQ(Alias("acme", "jira:ACME-123"), "task/T-7");
  EXPECT_EQ(Alias("acme", "jira:10001"), "task/T-7");
  Append({StatusChanged("d1", "task/jira:10001"), StatusChanged("d2", "task/jira:ACME-123", "done")});
  EXPECT_EQ(log_->Read(3)->event.subject, "task/T-7");
  EXPECT_EQ(log_->Read(4)->event.subject, "task/T-7");
  EXPECT_EQ(StatusOf("acme", "task/T-7"), "done");
}

TEST_F(AliasTest, ALinkAndADeliveryInOneGroupResolve) {
  Append({Created("c7", "task/T-7"), Linked("l7", "task/T-7", "clickup:86a1b2c3"),
          StatusChanged("d1", "task/clickup:86a1b2c3")});
  EXPECT_EQ(log_->Read(3)->event.subject, "task/T-7");
}

TEST_F(AliasTest, EventsOfAnotherKindOrWithoutALinkStayAsTheyCame) {
  Append({Created("c7", "task/T-7"), Linked("l7", "task/T-7", "clickup:86a1b2c3")});
  Append({StatusChanged("d1", "task/clickup:99999"),
          MakeEvent({.id = "d2", .type = "initiative.status_changed", .subject = "initiative/clickup:86a1b2c3",
                     .data = {{"from", "planned"}, {"to", "in_progress"}}})});
  EXPECT_EQ(Canonical(3).find("resolvedfrom"), std::string::npos);
  EXPECT_EQ(log_->Read(3)->event.subject, "task/clickup:99999");
  EXPECT_EQ(log_->Read(4)->event.subject, "initiative/clickup:86a1b2c3");
  EXPECT_TRUE(VerifyProblems().empty()) << VerifyProblems().front();
}

TEST_F(AliasTest, ARedeliveryIsRecognisedByWhatWasSubmitted) {
  Append({StatusChanged("early", "task/clickup:86a1b2c3", "review")});  // before the link: stays as it came
  Append({Created("c7", "task/T-7"), Linked("l7", "task/T-7", "clickup:86a1b2c3"),
          StatusChanged("d1", "task/clickup:86a1b2c3")});
  EXPECT_EQ(log_->Read(1)->event.subject, "task/clickup:86a1b2c3");
  EXPECT_EQ(log_->Read(4)->event.subject, "task/T-7");
  auto results = Append({StatusChanged("d1", "task/clickup:86a1b2c3"),      // resolved when stored
                         StatusChanged("early", "task/clickup:86a1b2c3", "review"),  // stored before the link
                         StatusChanged("d1", "task/clickup:86a1b2c3", "done")});  // same id, other content
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(results[0].seq, 4u);
  EXPECT_EQ(results[1].outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(results[1].seq, 1u);
  EXPECT_EQ(results[2].outcome, AppendOutcome::kRejected);
  EXPECT_EQ(results[2].error.code(), StatusCode::kConflict);
  EXPECT_EQ(log_->Head().seq, 4u);
  // The stored form read back (an export, a replay) is the same submission too.
  auto stored = log_->Read(4);
  ASSERT_TRUE(stored.ok());
  auto again = Append({stored->event});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].outcome, AppendOutcome::kDuplicate);
}

TEST_F(AliasTest, TheStoredFormIsResolvedAgainFromWhatWasSubmitted) {
  // An event read back from another log, where an alias resolved it: this
  // log has no such alias, so it is stored as it was submitted.
  Event resolved = EventFromCanonical(
                       R"({"actor":"user:alice","data":{"from":"todo","to":"doing"},"id":"d1",)"
                       R"("resolvedfrom":"task/clickup:86a1b2c3","source":"test","specversion":"1.0","subject":"task/T-7",)"
                       R"("time":"2026-03-02T09:00:00Z","type":"task.status_changed","workspace":"acme"})")
                       .value();
  Append({resolved});
  EXPECT_EQ(Canonical(1),
            R"({"actor":"user:alice","data":{"from":"todo","to":"doing"},"id":"d1","source":"test",)"
            R"("specversion":"1.0","subject":"task/clickup:86a1b2c3","time":"2026-03-02T09:00:00Z",)"
            R"("type":"task.status_changed","workspace":"acme"})");
  // resolvedfrom of another kind is refused, saying so.
  Event other_kind = EventFromCanonical(
                         R"({"actor":"user:alice","data":{"from":"todo","to":"doing"},"id":"d2",)"
                         R"("resolvedfrom":"goal/clickup:1","source":"test","specversion":"1.0","subject":"task/T-7",)"
                         R"("time":"2026-03-02T09:00:00Z","type":"task.status_changed","workspace":"acme"})")
                         .value();
  auto results = Append({other_kind});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, AppendOutcome::kRejected);
  EXPECT_EQ(results[0].error.message(),
            "resolvedfrom 'goal/clickup:1' of event 'd2' must be an entity of the same kind as its subject 'task/T-7'");
}

TEST_F(AliasTest, AnAliasNeverCrossesWorkspaces) {
  // Workspace evil links the same ClickUp id to its own task: acme's
  // deliveries about that item must not land there, nor anywhere in evil.
  Append({Created("b1", "task/B-1", "evil"), Linked("bl", "task/B-1", "clickup:86a1b2c3", "", "evil")});
  EXPECT_EQ(Alias("evil", "clickup:86a1b2c3"), "task/B-1");
  EXPECT_EQ(Alias("acme", "clickup:86a1b2c3"), "<none>");
  Append({StatusChanged("d1", "task/clickup:86a1b2c3")});
  auto stored = log_->Read(3);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->event.workspace, "acme");
  EXPECT_EQ(stored->event.subject, "task/clickup:86a1b2c3");
  EXPECT_EQ(StatusOf("evil", "task/B-1"), "");  // created, never moved
  EXPECT_EQ(StatusOf("acme", "task/clickup:86a1b2c3"), "doing");
  // acme's own link then takes acme's deliveries, and only acme's.
  Append({Created("c7", "task/T-7"), Linked("l7", "task/T-7", "clickup:86a1b2c3"),
          StatusChanged("d2", "task/clickup:86a1b2c3", "done"),
          StatusChanged("d3", "task/clickup:86a1b2c3", "blocked", "evil")});
  EXPECT_EQ(log_->Read(6)->event.subject, "task/T-7");
  EXPECT_EQ(log_->Read(6)->event.workspace, "acme");
  EXPECT_EQ(log_->Read(7)->event.subject, "task/B-1");
  EXPECT_EQ(log_->Read(7)->event.workspace, "evil");
  EXPECT_EQ(StatusOf("acme", "task/T-7"), "done");
  EXPECT_EQ(StatusOf("evil", "task/B-1"), "blocked");
  EXPECT_TRUE(VerifyProblems().empty()) << VerifyProblems().front();
}

TEST_F(AliasTest, TheAliasIsWrittenWithItsLinkOrNotAtAll) {
  // A write that fails (a crash before the batch reached the WAL) leaves
  // neither the link nor its alias; after reopening, the delivery stays as
  // it came, and once the link is written again it resolves.
  Append({Created("c7", "task/T-7")});
  Reopen([] { return Status::IOError("disk gone"); });
  std::vector<AppendRequest> group;
  group.push_back({Linked("l7", "task/T-7", "clickup:86a1b2c3"), std::nullopt});
  EXPECT_FALSE(log_->Append(std::move(group)).ok());
  Reopen();
  EXPECT_EQ(log_->Head().seq, 1u);
  EXPECT_EQ(Alias("acme", "clickup:86a1b2c3"), "<none>");
  Append({StatusChanged("d1", "task/clickup:86a1b2c3")});
  EXPECT_EQ(log_->Read(2)->event.subject, "task/clickup:86a1b2c3");
  Append({Linked("l7", "task/T-7", "clickup:86a1b2c3")});
  Reopen();  // the alias is durable with its link
  EXPECT_EQ(Alias("acme", "clickup:86a1b2c3"), "task/T-7");
  Append({StatusChanged("d2", "task/clickup:86a1b2c3")});
  EXPECT_EQ(log_->Read(4)->event.subject, "task/T-7");
  EXPECT_TRUE(VerifyProblems().empty()) << VerifyProblems().front();
}

TEST_F(AliasTest, ALaterLinkOfTheSameItemMovesTheAlias) {
  Append({Created("c7", "task/T-7"), Linked("l7", "task/T-7", "clickup:86a1b2c3"), Created("c8", "task/T-8"),
          Linked("l8", "task/T-8", "clickup:86a1b2c3"), StatusChanged("d1", "task/clickup:86a1b2c3")});
  EXPECT_EQ(log_->Read(5)->event.subject, "task/T-8");
  EXPECT_TRUE(VerifyProblems().empty()) << VerifyProblems().front();
}

TEST_F(AliasTest, VerifyNamesAnEventThatWasNotResolvedAsTheAliasesSay) {
  Append({Created("c7", "task/T-7"), Linked("l7", "task/T-7", "clickup:86a1b2c3"),
          StatusChanged("d1", "task/clickup:86a1b2c3")});
  log_.reset();
  // Stored as if no alias had named its item.
  ASSERT_TRUE(testing::EditStoredEvent(dir_.path() / "db", 3, [](std::string* canonical) {
    const std::string resolved = R"("resolvedfrom":"task/clickup:86a1b2c3",)";
    size_t at = canonical->find(resolved);
    if (at == std::string::npos) return false;
    canonical->erase(at, resolved.size());
    at = canonical->find(R"("subject":"task/T-7")");
    if (at == std::string::npos) return false;
    canonical->replace(at, 20, R"("subject":"task/clickup:86a1b2c3")");
    return true;
  }));
  Reopen();
  std::vector<std::string> problems = VerifyProblems();
  const std::string expected =
      "seq 3: event 'd1' about task/clickup:86a1b2c3 should have been resolved to task/T-7 (the alias the links "
      "before it give), but is stored about task/clickup:86a1b2c3 without resolvedfrom";
  EXPECT_NE(std::find(problems.begin(), problems.end(), expected), problems.end())
      << ::testing::PrintToString(problems);
}

TEST_F(AliasTest, AliasesAreNotWorkspaces) {
  Append({Created("c7", "task/T-7"), Linked("l7", "task/T-7", "jira:ACME-123", "10001"),
          Created("b1", "task/B-1", "evil")});
  auto workspaces = log_->Workspaces();
  ASSERT_TRUE(workspaces.ok());
  EXPECT_EQ(*workspaces, (std::vector<std::string>{"acme", "evil"}));
}

TEST_F(AliasTest, ThroughTheIngestPath) {
  SchemaRegistry* schemas = SchemaRegistry::LoadEmbedded().value().release();
  std::unique_ptr<SchemaRegistry> owned(schemas);
  Append({Created("c7", "task/T-7"), Linked("l7", "task/T-7", "clickup:86a1b2c3")});
  Ingestor ingestor(log_.get(), schemas);
  std::string line =
      R"({"specversion":"1.0","id":"w1","source":"clickup/acme","type":"comment.added","time":"2026-03-02T09:00:00Z",)"
      R"("subject":"task/clickup:86a1b2c3","workspace":"acme","actor":"clickup:183","data":{"text":"looks good"}})";
  std::vector<IngestItem> items = {{line, 1}};
  auto results = ingestor.IngestGroup(items);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].outcome, AppendOutcome::kAppended);
  EXPECT_EQ(log_->Read(3)->event.subject, "task/T-7");
  results = ingestor.IngestGroup(items);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].outcome, AppendOutcome::kDuplicate);
}

TEST_F(AliasTest, VerifyNamesADamagedIndex) {
  Append({Created("c7", "task/T-7"), Linked("l7", "task/T-7", "clickup:86a1b2c3"),
          StatusChanged("d1", "task/clickup:86a1b2c3")});
  log_.reset();
  {
    testing::RawDb raw(dir_.path() / "db");
    ASSERT_TRUE(raw.ok());
    raw.Put("meta", log_format::AliasKey("acme", "clickup:86a1b2c3"), "task/T-9");
    raw.Put("meta", log_format::AliasKey("acme", "clickup:stray"), "task/T-7");
  }
  Reopen();
  EXPECT_EQ(VerifyProblems(),
            (std::vector<std::string>{
                "meta: alias acme/clickup:86a1b2c3 names task/T-9, but the links give task/T-7",
                "meta: alias acme/clickup:stray -> task/T-7 matches no link"}));
}

}  // namespace
}  // namespace keel
