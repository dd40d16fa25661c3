// Invariant 3 and 8 for event ids: an id is unique in its workspace only.
// Another workspace re-using it appends a new event, never sees the first
// one in a refusal, and cannot block it; a log written when ids were global
// (keel-log-1) is refused with what to do.
#include <gtest/gtest.h>

#include "engine/log/event_log.h"
#include "engine/log_format.h"
#include "engine/audit/verify.h"
#include "tests/support/events.h"
#include "tests/support/raw_db.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using testing::MakeEvent;

class TenantIdsTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    log_.reset();
    LogOptions options;
    options.sync = SyncMode::kOff;
    options.create_if_missing = true;
    auto opened = EventLog::Open(db_path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
  }

  std::filesystem::path db_path() const { return dir_.path() / "db"; }

  static Event Created(std::string workspace, std::string title) {
    return MakeEvent({.id = "ev-1", .type = "task.created", .subject = "task/T-1", .workspace = std::move(workspace),
                      .data = {{"title", std::move(title)}, {"status", "todo"}}});
  }

  AppendResult AppendOne(Event event) {
    std::vector<AppendRequest> group;
    group.push_back({std::move(event), std::nullopt});
    auto results = log_->Append(std::move(group));
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    return results.ok() ? results->front() : AppendResult{};
  }

  testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(TenantIdsTest, AnIdOfOneWorkspaceReusedByAnotherIsANewEvent) {
  EXPECT_EQ(AppendOne(Created("acme", "Acme's secret plan")).outcome, AppendOutcome::kAppended);
  AppendResult globex = AppendOne(Created("globex", "Globex's brief"));
  EXPECT_EQ(globex.outcome, AppendOutcome::kAppended) << globex.error.ToString();
  EXPECT_EQ(globex.seq, 2u);
  auto in_acme = log_->FindSeqById("acme", "ev-1");
  auto in_globex = log_->FindSeqById("globex", "ev-1");
  ASSERT_TRUE(in_acme.ok() && in_globex.ok());
  EXPECT_EQ(*in_acme, std::optional<uint64_t>(1));
  EXPECT_EQ(*in_globex, std::optional<uint64_t>(2));
  auto nowhere = log_->FindSeqById("initech", "ev-1");
  ASSERT_TRUE(nowhere.ok());
  EXPECT_FALSE(nowhere->has_value());
}

TEST_F(TenantIdsTest, BothWorkspacesInOneBatchAreAppended) {
  std::vector<AppendRequest> group;
  group.push_back({Created("acme", "Acme's secret plan"), std::nullopt});
  group.push_back({Created("globex", "Globex's brief"), std::nullopt});
  group.push_back({Created("globex", "Globex's brief"), std::nullopt});
  auto results = log_->Append(std::move(group));
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].outcome, AppendOutcome::kAppended);
  EXPECT_EQ((*results)[1].outcome, AppendOutcome::kAppended);
  EXPECT_EQ((*results)[2].outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ((*results)[2].seq, 2u);
}

TEST_F(TenantIdsTest, ADuplicateWithinOneWorkspaceIsStillAcknowledged) {
  AppendOne(Created("acme", "Acme's secret plan"));
  AppendOne(Created("globex", "Globex's brief"));
  Reopen();
  AppendResult again = AppendOne(Created("globex", "Globex's brief"));
  EXPECT_EQ(again.outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(again.seq, 2u);
  EXPECT_EQ(log_->Head().seq, 2u);
}

TEST_F(TenantIdsTest, AConflictNamesOnlyItsOwnWorkspacesVersions) {
  AppendOne(Created("acme", "Acme's secret plan"));
  AppendOne(Created("globex", "Globex's brief"));
  AppendResult conflict = AppendOne(Created("globex", "Globex's second brief"));
  ASSERT_EQ(conflict.outcome, AppendOutcome::kRejected);
  EXPECT_TRUE(conflict.error.Is(StatusCode::kConflict));
  const std::string& message = conflict.error.message();
  EXPECT_NE(message.find("Globex's brief"), std::string::npos) << message;
  EXPECT_NE(message.find("Globex's second brief"), std::string::npos) << message;
  EXPECT_EQ(message.find("Acme"), std::string::npos) << message;
  EXPECT_EQ(message.find("acme"), std::string::npos) << message;
}

TEST_F(TenantIdsTest, AnotherWorkspaceCannotBlockAnIdBeforeItIsUsed) {
  // globex takes acme's next id first: acme's own event still goes in.
  AppendOne(Created("globex", "Globex's brief"));
  EXPECT_EQ(AppendOne(Created("acme", "Acme's plan")).outcome, AppendOutcome::kAppended);
}

TEST_F(TenantIdsTest, VerifyAcceptsTheSameIdInTwoWorkspaces) {
  AppendOne(Created("acme", "Acme's secret plan"));
  AppendOne(Created("globex", "Globex's brief"));
  auto report = VerifyLog(*log_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems.front());
}

TEST_F(TenantIdsTest, TheIdIndexIsKeyedByWorkspaceAndId) {
  AppendOne(Created("acme", "Acme's plan"));
  log_.reset();
  testing::RawDb raw(db_path());
  EXPECT_EQ(raw.Get("by_id", std::string("acme\0ev-1", 9)), log_format::EventKey(1));
  EXPECT_EQ(raw.Get("meta", "format"), "keel-log-2");
}

TEST_F(TenantIdsTest, AKeelLog1DatabaseIsRefusedSayingWhatToDo) {
  AppendOne(Created("acme", "Acme's plan"));
  log_.reset();
  { testing::RawDb(db_path()).Put("meta", "format", "keel-log-1"); }
  LogOptions options;
  options.sync = SyncMode::kOff;
  auto opened = EventLog::Open(db_path(), options);
  ASSERT_FALSE(opened.ok());
  const std::string& message = opened.status().message();
  EXPECT_TRUE(opened.status().Is(StatusCode::kFailedPrecondition)) << opened.status().ToString();
  EXPECT_NE(message.find("keel-log-1"), std::string::npos) << message;
  EXPECT_NE(message.find("keel-log-2"), std::string::npos) << message;
  EXPECT_NE(message.find("keel export"), std::string::npos) << message;
  EXPECT_NE(message.find("ingest"), std::string::npos) << message;
}

}  // namespace
}  // namespace keel
