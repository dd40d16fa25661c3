#include "engine/log/record_chunks.h"

#include <gtest/gtest.h>

#include "engine/log_format.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using testing::MakeEvent;

class RecordChunksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogOptions options;
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    log_ = std::move(EventLog::Open(dir_.path() / "db", options)).value();
    std::vector<AppendRequest> group;
    group.push_back({MakeEvent({.id = "c0", .type = "task.created", .data = {{"title", "Brief"}}}), {}});
    for (int i = 1; i < kEvents; ++i) {
      group.push_back({MakeEvent({.id = "c" + std::to_string(i), .type = "comment.added",
                                  .data = {{"body", std::to_string(i)}}}),
                       {}});
    }
    ASSERT_TRUE(log_->Append(std::move(group)).ok());
    ASSERT_EQ(log_->Head().seq, static_cast<uint64_t>(kEvents));
  }

  static constexpr int kEvents = 2000;  // several chunks
  testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(RecordChunksTest, EveryRecordArrivesOnceInKeyOrderWithItsBytes) {
  uint64_t expected_seq = 1;
  Status scanned = ScanInChunks(*log_, log_format::kEvents, [&](std::string_view key, std::string_view value) {
    ASSERT_EQ(log_format::ReadBigEndian64(key), expected_seq);
    auto direct = log_->GetRaw(log_format::kEvents, key);
    ASSERT_TRUE(direct.ok());
    EXPECT_EQ(value, *direct);
    ++expected_seq;
  });
  EXPECT_TRUE(scanned.ok()) << scanned.ToString();
  EXPECT_EQ(expected_seq, static_cast<uint64_t>(kEvents) + 1);
}

TEST_F(RecordChunksTest, AReaderLeftEarlyStopsItsThread) {
  for (int stop_after : {0, 1, 700}) {
    ColumnFamilyReader reader(*log_, log_format::kEvents);
    std::string_view key, value;
    for (int i = 0; i < stop_after; ++i) ASSERT_TRUE(reader.Next(&key, &value));
  }  // each destructor must return, not wait for a consumer that is gone
}

TEST_F(RecordChunksTest, TwoReadersWalkTwoFamiliesSideBySide) {
  ColumnFamilyReader events(*log_, log_format::kEvents), ids(*log_, log_format::kById);
  std::string_view key, value;
  int event_count = 0, id_count = 0;
  while (events.Next(&key, &value)) ++event_count;
  while (ids.Next(&key, &value)) ++id_count;
  EXPECT_EQ(event_count, kEvents);
  EXPECT_EQ(id_count, kEvents);
  EXPECT_TRUE(events.status().ok());
}

TEST_F(RecordChunksTest, AnUnknownFamilyIsAnErrorNotAnEmptyScan) {
  ColumnFamilyReader reader(*log_, "no_such_family");
  std::string_view key, value;
  EXPECT_FALSE(reader.Next(&key, &value));
  EXPECT_FALSE(reader.status().ok());
}

}  // namespace
}  // namespace keel
