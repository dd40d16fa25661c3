// LocalIngest's followers (engine/log/append_follower.h): the writer tells
// each of every Append (submits and fired timers), stores their moved cursors
// in the next Append's WriteBatch, or alone when the log is idle, and writes
// the last ones when it closes; a SinkRunner follows through SinkFollower.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "connectors/sinks/sink_runner.h"
#include "engine/log/stored_positions.h"
#include "engine/schema/schema_registry.h"
#include "server/local_ingest.h"
#include "server/sink_follower.h"
#include "tests/support/temp_dir.h"

namespace keel::server {
namespace {

std::string Event(const std::string& id) {
  return R"({"specversion":"1.0","id":")" + id +
         R"(","source":"test","type":"task.created","time":"2026-03-02T08:00:00Z","subject":"task/)" + id +
         R"(","workspace":"acme","actor":"user:dana","data":{"title":"T"}})";
}

// Hands the cursor a test sets once, and remembers the heads it was told.
class FakeFollower : public AppendFollower {
 public:
  void NotifyAppended(uint64_t head) override {
    MutexLock lock(&mu_);
    heads_.push_back(head);
  }
  std::optional<MetaPut> TakeCursorUpdate() override {
    MutexLock lock(&mu_);
    std::optional<MetaPut> update = std::move(cursor_);
    cursor_.reset();
    return update;
  }
  void MoveCursorTo(uint64_t seq) {
    MutexLock lock(&mu_);
    cursor_ = SinkCursorPut("webhook/feed", seq);
  }
  std::vector<uint64_t> heads() const {
    MutexLock lock(&mu_);
    return heads_;
  }

 private:
  mutable Mutex mu_;
  std::vector<uint64_t> heads_ GUARDED_BY(mu_);
  std::optional<MetaPut> cursor_ GUARDED_BY(mu_);
};

class LocalIngestFollowersTest : public ::testing::Test {
 protected:
  LocalIngestFollowersTest() : schemas_(std::move(SchemaRegistry::LoadEmbedded()).value()) {}

  std::unique_ptr<LocalIngest> Open(LocalIngestOptions options = {}) {
    options.dir = LogDir();
    auto ingest = LocalIngest::Open(options, hooks_, schemas_.get(), &metrics_);
    EXPECT_TRUE(ingest.ok()) << ingest.status().ToString();
    return ingest.ok() ? std::move(ingest).value() : nullptr;
  }
  std::filesystem::path LogDir() const { return dir_ / "data" / "log"; }

  static void Submit(LocalIngest& ingest, const std::string& id) {
    SubmitOutcome outcome = ingest.Submit({Event(id)}).get();
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    ASSERT_EQ((*outcome)[0].outcome, AppendOutcome::kAppended) << (*outcome)[0].error.ToString();
  }

  // The cursor stored in the closed log.
  std::optional<uint64_t> StoredCursor(const std::string& name) const {
    auto log = EventLog::Open(LogDir(), {});
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    if (!log.ok()) return std::nullopt;
    auto cursor = ReadSinkCursor(**log, name);
    EXPECT_TRUE(cursor.ok()) << cursor.status().ToString();
    return cursor.ok() ? *cursor : std::nullopt;
  }

  keel::testing::TempDir dir_;
  std::unique_ptr<SchemaRegistry> schemas_;
  ServeMetrics metrics_;
  PartitionHooks hooks_;
};

TEST_F(LocalIngestFollowersTest, IsToldTheHeadAfterEachAppend) {
  auto ingest = Open();
  ASSERT_NE(ingest, nullptr);
  auto follower = std::make_shared<FakeFollower>();
  ingest->followers().Add(follower);
  Submit(*ingest, "a");
  Submit(*ingest, "b");
  ASSERT_TRUE(ingest->Close().ok());
  EXPECT_EQ(follower->heads(), (std::vector<uint64_t>{1, 2}));
}

TEST_F(LocalIngestFollowersTest, MovedCursorRidesOnTheNextAppend) {
  LocalIngestOptions options;
  options.cursor_interval = std::chrono::hours(1);  // no meta-only Append: only a submit can carry it
  auto ingest = Open(options);
  ASSERT_NE(ingest, nullptr);
  auto follower = std::make_shared<FakeFollower>();
  ingest->followers().Add(follower);
  Submit(*ingest, "a");
  follower->MoveCursorTo(1);
  Submit(*ingest, "b");
  auto stored = ReadSinkCursor(*ingest->log(), "webhook/feed");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(*stored, std::optional<uint64_t>(1));
  EXPECT_FALSE(follower->TakeCursorUpdate().has_value());  // taken by that Append
}

TEST_F(LocalIngestFollowersTest, IdleLogStoresAMovedCursorAlone) {
  auto ingest = Open();  // cursor_interval 100 ms
  ASSERT_NE(ingest, nullptr);
  Submit(*ingest, "a");
  auto follower = std::make_shared<FakeFollower>();
  ingest->followers().Add(follower);
  follower->MoveCursorTo(1);
  std::optional<uint64_t> stored;
  for (int i = 0; i < 500 && !stored; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto read = ReadSinkCursor(*ingest->log(), "webhook/feed");
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    stored = *read;
  }
  EXPECT_EQ(stored, std::optional<uint64_t>(1));
  EXPECT_EQ(ingest->log()->Head().seq, 1u);  // a meta-only Append adds no event
}

TEST_F(LocalIngestFollowersTest, CloseStoresTheLastCursor) {
  LocalIngestOptions options;
  options.cursor_interval = std::chrono::hours(1);
  auto ingest = Open(options);
  ASSERT_NE(ingest, nullptr);
  auto follower = std::make_shared<FakeFollower>();
  ingest->followers().Add(follower);
  Submit(*ingest, "a");
  follower->MoveCursorTo(1);
  ASSERT_TRUE(ingest->Close().ok());
  EXPECT_EQ(StoredCursor("webhook/feed"), std::optional<uint64_t>(1));
}

TEST_F(LocalIngestFollowersTest, RemovedFollowerIsNoLongerTold) {
  auto ingest = Open();
  ASSERT_NE(ingest, nullptr);
  auto follower = std::make_shared<FakeFollower>();
  ingest->followers().Add(follower);
  Submit(*ingest, "a");
  ingest->followers().Remove(follower.get());
  EXPECT_TRUE(ingest->followers().empty());
  Submit(*ingest, "b");
  ASSERT_TRUE(ingest->Close().ok());
  EXPECT_EQ(follower->heads(), (std::vector<uint64_t>{1}));
}

// Delivers every event at once, counting them.
class CountingChannel : public sinks::Channel {
 public:
  Result<std::optional<sinks::OutboundMessage>> Prepare(const StoredEvent&) const override {
    return std::optional<sinks::OutboundMessage>(sinks::OutboundMessage{});
  }
  sinks::TryResult Send(const StoredEvent&, const sinks::OutboundMessage&) const override {
    sent_.fetch_add(1);
    sinks::TryResult result;
    result.outcome = sinks::TryOutcome::kDelivered;
    return result;
  }
  int sent() const { return sent_.load(); }

 private:
  mutable std::atomic<int> sent_{0};
};

TEST_F(LocalIngestFollowersTest, SinkRunnerFollowsAndItsCursorIsStored) {
  auto ingest = Open();
  ASSERT_NE(ingest, nullptr);
  auto letters = sinks::SinkDeadLetterStore::Open(dir_ / "data" / "sink-dead-letters");
  ASSERT_TRUE(letters.ok()) << letters.status().ToString();
  auto channel = std::make_shared<CountingChannel>();
  sinks::SinkOptions options;
  options.name = "feed";
  options.kind = "webhook";
  options.selection.inputs_too = true;
  options.poll_interval = std::chrono::hours(1);  // only NotifyAppended wakes it
  sinks::SinkParts parts;
  parts.log = ingest->log();
  parts.channel = channel;
  parts.dead_letters = letters->get();
  auto runner = sinks::SinkRunner::Create(options, parts);
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  ingest->followers().Add(SinkFollower(runner->get()));
  (*runner)->Start();
  for (const char* id : {"a", "b", "c"}) Submit(*ingest, id);
  for (int i = 0; i < 500 && (*runner)->cursor() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ((*runner)->cursor(), 3u);
  EXPECT_EQ(channel->sent(), 3);
  (*runner)->Stop();  // before Close, which stores the final cursor
  ASSERT_TRUE(ingest->Close().ok());
  EXPECT_EQ(StoredCursor("webhook/feed"), std::optional<uint64_t>(3));
}

}  // namespace
}  // namespace keel::server
