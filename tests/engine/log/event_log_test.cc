#include "engine/log/event_log.h"

#include <map>

#include <gtest/gtest.h>

#include "engine/log_format.h"
#include "engine/sha256.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using testing::EventSpec;
using testing::MakeEvent;

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(LogOptions options = {}) {
    log_.reset();
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    auto opened = EventLog::Open(dir_.path() / "db", options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
  }

  std::vector<AppendResult> Append(std::vector<Event> events) {
    std::vector<AppendRequest> group;
    for (auto& e : events) group.push_back({std::move(e), std::nullopt});
    auto results = log_->Append(std::move(group));
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    return results.ok() ? *results : std::vector<AppendResult>{};
  }

  static Event Created(std::string id, std::string subject, std::string title = "Write brief") {
    return MakeEvent({.id = std::move(id), .type = "task.created", .subject = std::move(subject),
                      .data = {{"title", title}, {"status", "todo"}}});
  }

  static Event StatusChanged(std::string id, std::string subject, std::string to) {
    return MakeEvent({.id = std::move(id), .subject = std::move(subject), .data = {{"to", to}}});
  }

  EntityState State(const std::string& subject, const std::string& workspace = "acme") {
    EntityRef ref;
    EXPECT_TRUE(ParseEntityRef(subject, &ref));
    auto state = log_->GetEntity(workspace, ref);
    EXPECT_TRUE(state.ok() && state->has_value()) << subject;
    return state.ok() && state->has_value() ? **state : EntityState();
  }

  testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(EventLogTest, SeqsAreDenseFromOne) {
  auto results = Append({Created("e1", "task/T-1"), Created("e2", "task/T-2")});
  results = Append({StatusChanged("e3", "task/T-1", "doing")});
  EXPECT_EQ(results[0].seq, 3u);
  EXPECT_EQ(log_->Head().seq, 3u);
  uint64_t expected = 1;
  ASSERT_TRUE(log_->Scan(1, UINT64_MAX, [&](const StoredEvent& e) {
    EXPECT_EQ(e.seq, expected++);
    return true;
  }).ok());
  EXPECT_EQ(expected, 4u);
}

TEST_F(EventLogTest, AppendingNeverChangesAStoredRecord) {
  Append({Created("e1", "task/T-1"), StatusChanged("e2", "task/T-1", "doing")});
  std::map<std::string, std::string> before;
  ASSERT_TRUE(log_->ScanColumnFamily("events", [&](std::string_view k, std::string_view v) {
    before.emplace(k, v);
    return true;
  }).ok());
  // Duplicates, conflicts, rejected creations and new events: none of them
  // may touch what is stored.
  Append({Created("e1", "task/T-1"), Created("e1", "task/T-1", "Other"), Created("e9", "task/T-1"),
          StatusChanged("e3", "task/T-1", "done")});
  Reopen();
  std::map<std::string, std::string> after;
  ASSERT_TRUE(log_->ScanColumnFamily("events", [&](std::string_view k, std::string_view v) {
    after.emplace(k, v);
    return true;
  }).ok());
  ASSERT_EQ(after.size(), before.size() + 1);
  for (const auto& [key, value] : before) EXPECT_EQ(after.at(key), value);
}

TEST_F(EventLogTest, EachHashChainsToThePreviousOne) {
  Append({Created("e1", "task/T-1"), StatusChanged("e2", "task/T-1", "doing")});
  Hash previous{};
  ASSERT_TRUE(log_->Scan(1, UINT64_MAX, [&](const StoredEvent& e) {
    EXPECT_EQ(e.hash, ChainHash(previous, e.event.canonical)) << "seq " << e.seq;
    previous = e.hash;
    return true;
  }).ok());
  EXPECT_EQ(log_->Head().hash, previous);
}

TEST_F(EventLogTest, SameIdSameContentIsADuplicate) {
  Append({Created("e1", "task/T-1")});
  auto results = Append({Created("e1", "task/T-1"), Created("e2", "task/T-2"), Created("e2", "task/T-2")});
  EXPECT_EQ(results[0].outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(results[0].seq, 1u);
  EXPECT_EQ(results[1].outcome, AppendOutcome::kAppended);
  EXPECT_EQ(results[2].outcome, AppendOutcome::kDuplicate);  // within one batch
  EXPECT_EQ(results[2].seq, 2u);
  Reopen();
  results = Append({Created("e2", "task/T-2")});
  EXPECT_EQ(results[0].outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(log_->Head().seq, 2u);
  EXPECT_EQ(State("task/T-1").version(), 1);
}

TEST_F(EventLogTest, SameIdOtherContentIsAConflictNamingBothVersions) {
  Append({Created("e1", "task/T-1", "First title")});
  auto results = Append({Created("e1", "task/T-1", "Second title")});
  ASSERT_EQ(results[0].outcome, AppendOutcome::kRejected);
  EXPECT_TRUE(results[0].error.Is(StatusCode::kConflict));
  EXPECT_NE(results[0].error.message().find("First title"), std::string::npos);
  EXPECT_NE(results[0].error.message().find("Second title"), std::string::npos);
  EXPECT_EQ(log_->Head().seq, 1u);
}

TEST_F(EventLogTest, ExpectedVersionGuardsAgainstConcurrentWriters) {
  Append({Created("e1", "task/T-1")});
  std::vector<AppendRequest> group;
  group.push_back({StatusChanged("e2", "task/T-1", "doing"), 1});
  group.push_back({StatusChanged("e3", "task/T-1", "done"), 1});  // stale: T-1 is at 2 by now
  auto results = log_->Append(std::move(group));
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].outcome, AppendOutcome::kAppended);
  ASSERT_EQ((*results)[1].outcome, AppendOutcome::kRejected);
  EXPECT_TRUE((*results)[1].error.Is(StatusCode::kConflict));
  EXPECT_NE((*results)[1].error.message().find("expected task/T-1 at version 1, found version 2"),
            std::string::npos);
  EXPECT_EQ(State("task/T-1").GetString("status"), "doing");
}

TEST_F(EventLogTest, CreatedForAnExistingEntityIsRejectedAndTheRestOfTheGroupLands) {
  auto results = Append({Created("e1", "task/T-1"), Created("e2", "task/T-1"), Created("e3", "task/T-2")});
  EXPECT_EQ(results[0].outcome, AppendOutcome::kAppended);
  EXPECT_EQ(results[1].outcome, AppendOutcome::kRejected);
  EXPECT_NE(results[1].error.message().find("already exists"), std::string::npos);
  EXPECT_EQ(results[2].outcome, AppendOutcome::kAppended);
  EXPECT_EQ(results[2].seq, 2u);
}

TEST_F(EventLogTest, ProjectionFollowsEachEventType) {
  Append({Created("e1", "task/T-1"),
          StatusChanged("e2", "task/T-1", "in_review"),
          MakeEvent({.id = "e3", .type = "task.assigned", .data = {{"to", "bob"}}}),
          MakeEvent({.id = "e4", .type = "task.linked", .data = {{"relation", "implements"}, {"target", "initiative/IN-7"}}}),
          MakeEvent({.id = "e5", .type = "task.linked", .data = {{"relation", "implements"}, {"target", "initiative/IN-7"}}}),
          MakeEvent({.id = "e6", .type = "task.updated",
                     .data = {{"changes", {{"priority", {{"to", "high"}}}, {"budget", {{"to", 1200}}}}}}}),
          MakeEvent({.id = "e7", .type = "comment.added", .time = "2026-03-03T10:00:00Z", .data = {{"text", "ok"}}})});
  EntityState s = State("task/T-1");
  EXPECT_EQ(s.GetString("title"), "Write brief");
  EXPECT_EQ(s.GetString("status"), "in_review");
  EXPECT_EQ(s.GetString("assignee"), "bob");
  EXPECT_EQ(s.Get("links"), R"([{"relation":"implements","target":"initiative/IN-7"}])");
  EXPECT_EQ(s.GetString("priority"), "high");
  EXPECT_EQ(s.Get("budget"), "1200");
  EXPECT_EQ(s.version(), 7);
  EXPECT_EQ(s.GetString("created"), "2026-03-02T09:00:00Z");
  EXPECT_EQ(s.GetString("updated"), "2026-03-03T10:00:00Z");
  EXPECT_EQ(s.GetString("kind"), "task");
  EXPECT_EQ(s.GetString("workspace"), "acme");
}

TEST_F(EventLogTest, UnassigningClearsTheAssignee) {
  Append({Created("e1", "task/T-1"), MakeEvent({.id = "e2", .type = "task.assigned", .data = {{"to", "bob"}}}),
          MakeEvent({.id = "e3", .type = "task.assigned", .data = {{"from", "bob"}, {"to", nullptr}}})});
  EXPECT_TRUE(State("task/T-1").Get("assignee").empty());
}

TEST_F(EventLogTest, KeyResultProgressIsCurrentOverTarget) {
  Append({MakeEvent({.id = "k1", .type = "key_result.created", .subject = "key_result/KR-1",
                     .data = {{"title", "Signups"}, {"target", 200}}}),
          MakeEvent({.id = "k2", .type = "key_result.progress_reported", .subject = "key_result/KR-1",
                     .data = {{"value", 50}}})});
  EntityState s = State("key_result/KR-1");
  EXPECT_EQ(s.Get("current"), "50");
  EXPECT_EQ(s.Get("progress"), "0.25");
}

TEST_F(EventLogTest, AnEntityFirstSeenMidStreamIsPartial) {
  Append({StatusChanged("e1", "task/T-9", "doing")});
  EntityState s = State("task/T-9");
  EXPECT_EQ(s.Get("partial"), "true");
  EXPECT_EQ(s.GetString("status"), "doing");
  EXPECT_EQ(s.version(), 1);
  // Its `created` arriving late fills in what is missing and keeps newer values.
  Append({Created("e2", "task/T-9")});
  s = State("task/T-9");
  EXPECT_TRUE(s.Get("partial").empty());
  EXPECT_EQ(s.GetString("status"), "doing");
  EXPECT_EQ(s.GetString("title"), "Write brief");
}

// request_approval appends approval.requested and nothing before it: that
// request is how an approval comes to be, so its state is complete, and
// asking again is no conflict.
TEST_F(EventLogTest, AnApprovalStartedByItsRequestIsComplete) {
  Event requested = MakeEvent({.id = "a1", .type = "approval.requested", .subject = "approval/A-1",
                               .data = {{"target", "task/T-1"}, {"approvers", {"user:cfo"}}}});
  Append({requested});
  EntityState s = State("approval/A-1");
  EXPECT_TRUE(s.Get("partial").empty()) << s.ToCanonical();
  EXPECT_EQ(s.GetString("status"), "pending");
  EXPECT_EQ(s.GetString("target"), "task/T-1");
  Event again = MakeEvent({.id = "a2", .type = "approval.requested", .subject = "approval/A-1",
                           .time = "2026-03-03T09:00:00Z", .data = {{"target", "task/T-1"}}});
  Append({again});
  s = State("approval/A-1");
  EXPECT_EQ(s.version(), 2);
  EXPECT_TRUE(s.Get("partial").empty());
}

TEST_F(EventLogTest, WorkspacesAreIsolated) {
  Event other = MakeEvent({.id = "e2", .type = "task.created", .workspace = "globex", .data = {{"title", "Other tenant"}}});
  Append({Created("e1", "task/T-1"), other});
  EXPECT_EQ(State("task/T-1", "acme").GetString("title"), "Write brief");
  EXPECT_EQ(State("task/T-1", "globex").GetString("title"), "Other tenant");
  auto workspaces = log_->Workspaces();
  ASSERT_TRUE(workspaces.ok());
  EXPECT_EQ(*workspaces, (std::vector<std::string>{"acme", "globex"}));
}

TEST_F(EventLogTest, StreamScanSeesOnlyItsEntity) {
  Append({Created("e1", "task/T-1"), Created("e2", "task/T-10"), StatusChanged("e3", "task/T-1", "doing")});
  std::vector<uint64_t> seqs;
  ASSERT_TRUE(log_->ScanStream("acme", {"task", "T-1"}, [&](uint64_t seq) {
    seqs.push_back(seq);
    return true;
  }).ok());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 3}));
}

TEST_F(EventLogTest, AFailedWriteLeavesNothingBehind) {
  Append({Created("e1", "task/T-1")});
  LogOptions failing;
  failing.before_write = [] { return Status::IOError("injected failure"); };
  Reopen(failing);
  auto results = log_->Append({{Created("e2", "task/T-2"), std::nullopt},
                               {StatusChanged("e3", "task/T-1", "done"), std::nullopt}});
  EXPECT_FALSE(results.ok());
  EXPECT_EQ(log_->Head().seq, 1u);
  Reopen();
  EXPECT_EQ(log_->Head().seq, 1u);
  auto missing = log_->GetEntity("acme", {"task", "T-2"});
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(State("task/T-1").GetString("status"), "todo");
  auto by_id = log_->FindSeqById("acme", "e2");
  ASSERT_TRUE(by_id.ok());
  EXPECT_FALSE(by_id->has_value());
  // The same events go in cleanly afterwards, at the next seqs.
  auto again = Append({Created("e2", "task/T-2"), StatusChanged("e3", "task/T-1", "done")});
  EXPECT_EQ(again[0].seq, 2u);
  EXPECT_EQ(again[1].seq, 3u);
}

TEST_F(EventLogTest, AFailedWriteDoesNotLeaveStaleStateInMemory) {
  // The writer caches entity states; a failed batch must not leave its
  // changes in that cache for the next batch to build on.
  Append({Created("e1", "task/T-1")});
  bool fail = true;
  LogOptions options;
  options.before_write = [&] { return fail ? Status::IOError("injected") : Status::OK(); };
  Reopen(options);
  Append({});  // warm nothing
  EXPECT_FALSE(log_->Append({{StatusChanged("e2", "task/T-1", "done"), std::nullopt}}).ok());
  fail = false;
  Append({MakeEvent({.id = "e3", .type = "task.assigned", .data = {{"to", "bob"}}})});
  EntityState s = State("task/T-1");
  EXPECT_EQ(s.GetString("status"), "todo");
  EXPECT_EQ(s.version(), 2);
}

TEST_F(EventLogTest, HeadAndStateSurviveReopening) {
  Append({Created("e1", "task/T-1"), StatusChanged("e2", "task/T-1", "doing")});
  LogHead before = log_->Head();
  Reopen();
  EXPECT_EQ(log_->Head().seq, before.seq);
  EXPECT_EQ(log_->Head().hash, before.hash);
  auto results = Append({StatusChanged("e3", "task/T-1", "done")});
  EXPECT_EQ(results[0].seq, 3u);
  EXPECT_EQ(State("task/T-1").version(), 3);
}

// Closing flushes: the next open has no write-ahead log to replay into
// memory, so the commands that follow a run start at once.
TEST_F(EventLogTest, ClosingAfterWritingLeavesNoWriteAheadLogToReplay) {
  Append({Created("e1", "task/T-1"), StatusChanged("e2", "task/T-1", "doing")});
  log_.reset();
  uintmax_t unflushed_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "db")) {
    if (entry.path().extension() == ".log") unflushed_bytes += entry.file_size();
  }
  EXPECT_EQ(unflushed_bytes, 0u);
  Reopen();
  EXPECT_EQ(log_->Head().seq, 2u);
  EXPECT_EQ(State("task/T-1").GetString("status"), "doing");
}

TEST(EventLogOpenTest, AFolderWithoutALogIsRefusedAndLeftUntouched) {
  testing::TempDir dir;
  auto missing = EventLog::Open(dir / "nothing-here", LogOptions{});
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().Is(StatusCode::kFailedPrecondition));
  EXPECT_NE(missing.status().message().find("holds no keel database"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "nothing-here"));

  LogOptions read_only;
  read_only.read_only = true;
  EXPECT_FALSE(EventLog::Open(dir.path(), read_only).ok());
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(EventLogOpenTest, AnUncreatableFolderIsAnIOError) {
  testing::TempDir dir;
  std::FILE* f = std::fopen((dir / "file").c_str(), "w");
  std::fclose(f);
  LogOptions options;
  options.create_if_missing = true;
  auto opened = EventLog::Open(dir / "file" / "db", options);
  ASSERT_FALSE(opened.ok());
  EXPECT_TRUE(opened.status().Is(StatusCode::kIOError)) << opened.status().ToString();
}

TEST(EventLogOpenTest, ReadOnlyRefusesToAppend) {
  testing::TempDir dir;
  LogOptions create;
  create.create_if_missing = true;
  ASSERT_TRUE(EventLog::Open(dir / "db", create).ok());
  LogOptions read_only;
  read_only.read_only = true;
  auto log = EventLog::Open(dir / "db", read_only);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_FALSE((*log)->Append({}).ok());
}

}  // namespace
}  // namespace keel
