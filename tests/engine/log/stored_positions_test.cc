// A source's stored position and a sink's stored cursor
// (engine/log/stored_positions.h): their keys and values as logs have always
// stored them, and their commit in the WriteBatch of the events they go with.
#include "engine/log/stored_positions.h"

#include <gtest/gtest.h>

#include "engine/log_format.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

class StoredPositionsTest : public ::testing::Test {
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

  static std::vector<AppendRequest> OneEvent(const std::string& id) {
    std::vector<AppendRequest> group;
    group.push_back({testing::MakeEvent({.id = id}), std::nullopt});
    return group;
  }

  testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(StoredPositionsTest, KeysAndValuesAreTheOnesLogsAlwaysStored) {
  MetaPut position = SourcePositionPut("kafka/in/0", 8);
  EXPECT_EQ(position.key, "source/kafka/in/0");
  EXPECT_EQ(position.value, std::string("\0\0\0\0\0\0\0\x08", 8));
  MetaPut cursor = SinkCursorPut("kafka/out", 0x0102030405060708);
  EXPECT_EQ(cursor.key, "outbox/kafka/out");
  EXPECT_EQ(cursor.value, "\x01\x02\x03\x04\x05\x06\x07\x08");
  EXPECT_EQ(position.value, log_format::EventKey(8));
}

TEST_F(StoredPositionsTest, NothingStoredYetIsNoPosition) {
  auto position = ReadSourcePosition(*log_, "kafka/in/0");
  ASSERT_TRUE(position.ok()) << position.status().ToString();
  EXPECT_FALSE(position->has_value());
  auto cursor = ReadSinkCursor(*log_, "kafka/out");
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  EXPECT_FALSE(cursor->has_value());
}

TEST_F(StoredPositionsTest, PositionAndCursorCommitWithTheEventsAndSurviveReopen) {
  auto appended = log_->Append(OneEvent("e1"), {SourcePositionPut("kafka/in/0", 8), SinkCursorPut("kafka/out", 1)});
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  Reopen();
  EXPECT_EQ(log_->Head().seq, 1u);
  EXPECT_EQ(ReadSourcePosition(*log_, "kafka/in/0").value(), std::optional<uint64_t>(8));
  EXPECT_EQ(ReadSinkCursor(*log_, "kafka/out").value(), std::optional<uint64_t>(1));
  // Source positions and sink cursors are apart: one name is two keys.
  EXPECT_FALSE(ReadSinkCursor(*log_, "kafka/in/0").value().has_value());
  EXPECT_FALSE(ReadSourcePosition(*log_, "kafka/out").value().has_value());
}

TEST_F(StoredPositionsTest, AFailedWriteLeavesNeitherTheEventsNorThePosition) {
  ASSERT_TRUE(log_->Append(OneEvent("e1"), {SourcePositionPut("kafka/in/0", 1)}).ok());
  Reopen([] { return Status::IOError("injected"); });
  EXPECT_FALSE(log_->Append(OneEvent("e2"), {SourcePositionPut("kafka/in/0", 2), SinkCursorPut("kafka/out", 2)}).ok());
  Reopen();
  EXPECT_EQ(log_->Head().seq, 1u);
  EXPECT_EQ(ReadSourcePosition(*log_, "kafka/in/0").value(), std::optional<uint64_t>(1));
  EXPECT_FALSE(ReadSinkCursor(*log_, "kafka/out").value().has_value());
}

TEST_F(StoredPositionsTest, AStoredValueThatIsNotEightBytesIsCorruption) {
  ASSERT_TRUE(log_->Append({}, {{"source/kafka/in/0", "abc"}, {"outbox/kafka/out", ""}}).ok());
  auto position = ReadSourcePosition(*log_, "kafka/in/0");
  EXPECT_EQ(position.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(position.status().message(), "meta key 'source/kafka/in/0' is not 8 bytes");
  EXPECT_EQ(ReadSinkCursor(*log_, "kafka/out").status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace keel
