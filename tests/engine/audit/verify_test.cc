#include "engine/audit/verify.h"

#include <gtest/gtest.h>

#include "engine/log_format.h"
#include "engine/log/projection.h"
#include "engine/sha256.h"
#include "tests/support/events.h"
#include "tests/support/raw_db.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using testing::MakeEvent;

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = Open();
    std::vector<AppendRequest> group;
    group.push_back({MakeEvent({.id = "e1", .type = "task.created", .data = {{"title", "Brief"}}}), {}});
    group.push_back({MakeEvent({.id = "e2", .data = {{"to", "doing"}}}), {}});
    group.push_back({MakeEvent({.id = "e3", .subject = "task/T-2", .data = {{"to", "doing"}}}), {}});
    group.push_back({MakeEvent({.id = "e4", .data = {{"to", "done"}}}), {}});
    ASSERT_TRUE(log->Append(std::move(group)).ok());
  }

  std::unique_ptr<EventLog> Open() {
    LogOptions options;
    options.create_if_missing = true;
    return std::move(EventLog::Open(db_path(), options)).value();
  }

  VerifyReport Verify() {
    auto log = Open();
    auto report = VerifyLog(*log);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  std::filesystem::path db_path() const { return dir_ / "db"; }

  testing::TempDir dir_;
};

TEST_F(VerifyTest, AnUntouchedLogVerifies) {
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.problems.front();
  EXPECT_EQ(report.events, 4u);
  EXPECT_FALSE(report.first_bad_seq);
}

TEST_F(VerifyTest, OneChangedByteInAStoredEventIsNamedBySeq) {
  {
    testing::RawDb raw(db_path());
    ASSERT_TRUE(raw.ok());
    std::string record = raw.Get("events", log_format::EventKey(3));
    size_t pos = record.find("doing");
    ASSERT_NE(pos, std::string::npos);
    record[pos] = 'D';  // "Doing": still valid JSON, a different event
    raw.Put("events", log_format::EventKey(3), record);
  }
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok());
  ASSERT_TRUE(report.first_bad_seq);
  EXPECT_EQ(*report.first_bad_seq, 3u);
  EXPECT_NE(report.problems.front().find("seq 3"), std::string::npos) << report.problems.front();
}

TEST_F(VerifyTest, ATamperedEventWhoseHashWasAlsoRewrittenBreaksTheNextLink) {
  {
    testing::RawDb raw(db_path());
    std::string record = raw.Get("events", log_format::EventKey(2));
    record[1] ^= 0x01;  // the stored hash itself
    raw.Put("events", log_format::EventKey(2), record);
  }
  VerifyReport report = Verify();
  ASSERT_TRUE(report.first_bad_seq);
  EXPECT_EQ(*report.first_bad_seq, 2u);
}

TEST_F(VerifyTest, ARecordThatNoLongerParsesIsNamedBySeq) {
  {
    testing::RawDb raw(db_path());
    std::string record = raw.Get("events", log_format::EventKey(4));
    record.back() = '!';
    raw.Put("events", log_format::EventKey(4), record);
  }
  VerifyReport report = Verify();
  ASSERT_TRUE(report.first_bad_seq);
  EXPECT_EQ(*report.first_bad_seq, 4u);
}

TEST_F(VerifyTest, ARemovedEventShowsAsAGap) {
  { testing::RawDb(db_path()).Delete("events", log_format::EventKey(2)); }
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok());
  ASSERT_TRUE(report.first_bad_seq);
  EXPECT_EQ(*report.first_bad_seq, 3u);  // where the gap is seen
}

TEST_F(VerifyTest, AMissingIndexEntryIsNamed) {
  { testing::RawDb(db_path()).Delete("by_id", log_format::IdKey("acme", "e3")); }
  VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.problems.front().find("by_id"), std::string::npos);
  EXPECT_NE(report.problems.front().find("e3"), std::string::npos);
  EXPECT_FALSE(report.first_bad_seq);  // the chain itself is intact
}

TEST_F(VerifyTest, AStrayIndexEntryIsNamed) {
  { testing::RawDb(db_path()).Put("by_id", log_format::IdKey("acme", "ghost"), log_format::EventKey(2)); }
  VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.problems.front().find("ghost"), std::string::npos);
}

TEST_F(VerifyTest, AnIndexEntryPointingAtAnotherSeqIsNamed) {
  // Same number of entries, one value changed: only the contents can tell.
  { testing::RawDb(db_path()).Put("by_id", log_format::IdKey("acme", "e2"), log_format::EventKey(4)); }
  VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.problems.front().find("'e2'"), std::string::npos) << report.problems.front();
}

TEST_F(VerifyTest, AnIndexEntryReplacedByAnotherNamesBoth) {
  {
    testing::RawDb raw(db_path());
    raw.Delete("by_id", log_format::IdKey("acme", "e3"));
    raw.Put("by_id", log_format::IdKey("acme", "ghost"), log_format::EventKey(3));
  }
  VerifyReport report = Verify();
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_NE(report.problems[0].find("e3"), std::string::npos) << report.problems[0];
  EXPECT_NE(report.problems[1].find("ghost"), std::string::npos) << report.problems[1];
}

TEST_F(VerifyTest, AStreamEntryWithAValueIsNamed) {
  std::string key = log_format::StreamKey("acme", "task", "T-2", 3);
  { testing::RawDb(db_path()).Put("by_stream", key, "x"); }
  VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.problems.front().find("seq 3"), std::string::npos) << report.problems.front();
}

TEST_F(VerifyTest, ALogLongerThanOneReadChunkVerifiesAndNamesALateGap) {
  {
    auto log = Open();
    std::vector<AppendRequest> group;
    for (int i = 0; i < 3000; ++i) {
      group.push_back({MakeEvent({.id = "bulk-" + std::to_string(i), .type = "comment.added",
                                  .subject = "task/T-" + std::to_string(i % 7 + 1), .data = {{"body", "note " + std::to_string(i)}}}),
                       {}});
    }
    auto appended = log->Append(std::move(group));
    ASSERT_TRUE(appended.ok());
    ASSERT_EQ((*appended)[2999].outcome, AppendOutcome::kAppended) << (*appended)[2999].error.ToString();
  }
  VerifyReport clean = Verify();
  EXPECT_TRUE(clean.ok()) << clean.problems.front();
  EXPECT_EQ(clean.events, 3004u);

  { testing::RawDb(db_path()).Delete("events", log_format::EventKey(2500)); }
  VerifyReport report = Verify();
  ASSERT_TRUE(report.first_bad_seq);
  EXPECT_EQ(*report.first_bad_seq, 2501u);
}

// The fold gets its events in batches, decoded in place; events that change
// no state are decoded into the same slots and must not take the place of
// one that does. Several batches' worth of both, interleaved: every state
// change must be folded exactly once and in order for the log to verify.
TEST_F(VerifyTest, StateChangesAmongOtherEventsAcrossManyFoldBatchesVerify) {
  {
    auto log = Open();
    std::vector<AppendRequest> group;
    for (int i = 0; i < 1500; ++i) {
      std::string subject = "task/T-" + std::to_string(i % 5 + 1);
      group.push_back({MakeEvent({.id = "change-" + std::to_string(i), .subject = subject,
                                  .data = {{"to", "step-" + std::to_string(i)}}}),
                       {}});
      group.push_back({MakeEvent({.id = "note-" + std::to_string(i), .type = "notification.requested",
                                  .subject = subject,
                                  .data = {{"channel", "email"}, {"message", "m" + std::to_string(i)}}}),
                       {}});
    }
    auto appended = log->Append(std::move(group));
    ASSERT_TRUE(appended.ok());
    ASSERT_EQ(appended->back().outcome, AppendOutcome::kAppended) << appended->back().error.ToString();
  }
  VerifyReport clean = Verify();
  EXPECT_TRUE(clean.ok()) << clean.problems.front();
  EXPECT_EQ(clean.events, 3004u);

  {
    testing::RawDb raw(db_path());
    std::string key = log_format::EntityKey("acme", "task", "T-3");
    std::string state = raw.Get("entities", key);
    size_t pos = state.find("step-1497");
    ASSERT_NE(pos, std::string::npos) << state;
    state.replace(pos, 9, "step-1492");
    raw.Put("entities", key, state);
  }
  VerifyReport report = Verify();
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems.front().find("acme/task/T-3"), std::string::npos) << report.problems.front();
}

TEST_F(VerifyTest, AProjectionThatDiffersFromARebuildIsNamed) {
  {
    testing::RawDb raw(db_path());
    std::string key = log_format::EntityKey("acme", "task", "T-1");
    std::string state = raw.Get("entities", key);
    size_t pos = state.find("done");
    ASSERT_NE(pos, std::string::npos);
    state.replace(pos, 4, "todo");
    raw.Put("entities", key, state);
  }
  VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.problems.front().find("acme/task/T-1"), std::string::npos) << report.problems.front();
}

// Seq 3 rewritten as a second `task.created` of T-1 (event 1 under another
// id), which no fold can apply; with `rehash`, its stored hash is made to
// match, which breaks the link of seq 4 instead.
void MakeSeq3ASecondCreation(const std::filesystem::path& db, bool rehash) {
  testing::RawDb raw(db);
  std::string record = raw.Get("events", log_format::EventKey(1));
  size_t id = record.find("\"e1\"");
  ASSERT_NE(id, std::string::npos);
  record[id + 2] = '9';
  if (rehash) {
    std::string second = raw.Get("events", log_format::EventKey(2));
    Hash previous;
    std::copy(second.begin() + 1, second.begin() + 1 + log_format::kHashSize, previous.begin());
    Hash hash = ChainHash(previous, std::string_view(record).substr(1 + log_format::kHashSize));
    std::copy(hash.begin(), hash.end(), record.begin() + 1);
  }
  raw.Put("events", log_format::EventKey(3), record);
}

TEST_F(VerifyTest, AnEventThatDoesNotApplyIsNamedInSeqOrderAmongTheChainProblems) {
  MakeSeq3ASecondCreation(db_path(), /*rehash=*/true);
  VerifyReport report = Verify();
  ASSERT_GE(report.problems.size(), 2u);
  EXPECT_EQ(report.problems[0].rfind("seq 3: does not apply to its entity: ", 0), 0u) << report.problems[0];
  EXPECT_EQ(report.problems[1], "seq 4: stored hash does not match the event's bytes and the hash before it");
  ASSERT_TRUE(report.first_bad_seq);
  EXPECT_EQ(*report.first_bad_seq, 3u);
}

TEST_F(VerifyTest, AnEventThatDoesNotApplyIsNamedAfterItsOwnChainProblem) {
  MakeSeq3ASecondCreation(db_path(), /*rehash=*/false);
  VerifyReport report = Verify();
  ASSERT_GE(report.problems.size(), 2u);
  EXPECT_EQ(report.problems[0], "seq 3: stored hash does not match the event's bytes and the hash before it");
  EXPECT_EQ(report.problems[1].rfind("seq 3: does not apply to its entity: ", 0), 0u) << report.problems[1];
  ASSERT_TRUE(report.first_bad_seq);
  EXPECT_EQ(*report.first_bad_seq, 3u);
}

TEST_F(VerifyTest, StateAsOfFoldsTheStreamUpToTheGivenPoint) {
  auto log = Open();
  auto at_seq2 = StateAsOf(*log, "acme", {"task", "T-1"}, AsOf{.seq = 2, .time_micros = std::nullopt});
  ASSERT_TRUE(at_seq2.ok() && at_seq2->has_value());
  EXPECT_EQ((*at_seq2)->GetString("status"), "doing");
  EXPECT_EQ((*at_seq2)->version(), 2);
  auto before_creation = StateAsOf(*log, "acme", {"task", "T-2"}, AsOf{.seq = 2, .time_micros = std::nullopt});
  ASSERT_TRUE(before_creation.ok());
  EXPECT_FALSE(before_creation->has_value());
  auto now = StateAsOf(*log, "acme", {"task", "T-1"}, AsOf{});
  auto current = log->GetEntity("acme", {"task", "T-1"});
  ASSERT_TRUE(now.ok() && current.ok());
  EXPECT_EQ(**now, **current);
}

TEST(AsOfTest, ParsesASeqOrATime) {
  EXPECT_EQ(ParseAsOf("42")->seq, 42u);
  EXPECT_TRUE(ParseAsOf("2026-03-02T09:00:00Z")->time_micros.has_value());
  EXPECT_FALSE(ParseAsOf("yesterday").ok());
}

}  // namespace
}  // namespace keel
