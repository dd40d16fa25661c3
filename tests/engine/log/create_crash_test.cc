// A writer killed while it creates a new log. EventLog::Open creates the
// RocksDB database (CURRENT first), then its column families, then writes the
// `format` record; a SIGKILL can land between any two of these steps. These
// tests build the folder such a kill leaves, with RocksDB directly, and check
// that the next writer (create_if_missing) can still open it: nothing was
// acknowledged yet, so the right outcome is an empty, working log.
#include <rocksdb/db.h>

#include <gtest/gtest.h>

#include "engine/log/event_log.h"
#include "engine/log_format.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

namespace fs = std::filesystem;

// Creates a RocksDB database in `dir` holding the default column family and
// `families`, and nothing else: what a kill leaves right after those steps.
void CreateBareRocksDb(const fs::path& dir, const std::vector<std::string_view>& families) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir.string(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (std::string_view name : families) {
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), std::string(name), &handle).ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  ASSERT_TRUE(db->Close().ok());
}

// The next writer opens the folder and can append to it.
void ExpectTheNextWriterCanUseIt(const fs::path& dir) {
  LogOptions options;
  options.create_if_missing = true;
  options.sync = SyncMode::kOff;
  auto log = EventLog::Open(dir, options);
  ASSERT_TRUE(log.ok()) << "a folder left by a kill during creation cannot be opened again: "
                        << log.status().ToString();
  EXPECT_EQ((*log)->Head().seq, 0u);
  std::vector<AppendRequest> group;
  group.push_back({testing::MakeEvent({.id = "e1", .type = "task.created", .data = {{"title", "Brief"}}}), {}});
  auto appended = (*log)->Append(std::move(group));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ((*appended)[0].outcome, AppendOutcome::kAppended);
}

TEST(CreateCrashTest, KillBeforeTheColumnFamiliesExistLeavesAFolderTheNextWriterCanOpen) {
  testing::TempDir dir;
  CreateBareRocksDb(dir / "db", {});
  ExpectTheNextWriterCanUseIt(dir / "db");
}

TEST(CreateCrashTest, KillBeforeTheFormatRecordLeavesAFolderTheNextWriterCanOpen) {
  testing::TempDir dir;
  using namespace log_format;
  CreateBareRocksDb(dir / "db", {kEvents, kByStream, kById, kEntities, kTimers, kMeta, kRulesets});
  ExpectTheNextWriterCanUseIt(dir / "db");
}

}  // namespace
}  // namespace keel
