// A write-ahead log damaged in the middle, and one cut short at its end
// (issue 19, item 1). The logs are built in the test: events appended and
// synced but never flushed, the folder copied as a crash would leave it
// (the WAL holds every event), then bytes of the copy changed on purpose.
#include <filesystem>
#include <fstream>
#include <regex>

#include "engine/log/event_log.h"
#include "tests/cli/cli_fixture.h"
#include "tests/support/db_files.h"
#include "tests/support/events.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kEvents = 12000;
constexpr int kGroup = 500;

class DamagedWalTest : public KeelCliTest {
 protected:
  // A log of kEvents events that are only in its write-ahead log: written
  // with `sync`, synced when `synced`, and copied to db() while still open.
  void BuildLogOnlyInTheWal(SyncMode sync, bool synced) {
    fs::path live = dir_ / "live";
    LogOptions options;
    options.create_if_missing = true;
    options.sync = sync;
    auto log = EventLog::Open(live, options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int start = 0; start < kEvents; start += kGroup) {
      std::vector<AppendRequest> group;
      for (int i = start; i < start + kGroup; ++i) {
        std::string n = std::to_string(i);
        group.push_back({MakeEvent({.id = "e" + n, .type = "task.created", .subject = "task/T-" + n,
                                    .data = {{"title", "Task number " + n + " of the damaged log test"}}}),
                         {}});
      }
      auto appended = (*log)->Append(std::move(group));
      ASSERT_TRUE(appended.ok()) << appended.status().ToString();
    }
    if (synced) {
      ASSERT_TRUE((*log)->Sync().ok());
    }
    fs::copy(live, db(), fs::copy_options::recursive);
    ASSERT_TRUE(FilesNamed(db(), "", ".sst").empty()) << "the events were flushed: the test needs them in the WAL";
  }

  fs::path Wal() {
    auto wals = FilesNamed(db(), "", ".log");
    EXPECT_EQ(wals.size(), 1u);
    return wals.empty() ? fs::path() : wals.back();
  }

  std::vector<std::string> MoreEvents() { return {TaskCreated("after-1", "A-1", "Appended after the damage")}; }
};

TEST_F(DamagedWalTest, DamageInTheMiddleIsRefusedWithTheFileAndOffsetAndNothingChanges) {
  BuildLogOnlyInTheWal(SyncMode::kBatch, /*synced=*/true);
  fs::path wal = Wal();
  uintmax_t size = fs::file_size(wal);
  ASSERT_GT(size, 1000000u);
  uintmax_t damaged_at = size / 2;
  {
    std::fstream file(wal, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(damaged_at));
    file.write("DAMAGED!", 8);
  }
  auto before = DbFiles(db());

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"ingest", WriteFile("more.ndjson", JoinLines(MoreEvents())), "--db", db()},
        std::vector<std::string>{"verify", "--db", db()}}) {
    KeelRun run = RunKeel(args);
    EXPECT_EQ(run.exit_code, 1) << run.Describe();
    // The damaged record starts at most a 32 KiB block before the damage.
    std::smatch match;
    std::regex said("write-ahead log '" + wal.string() + "' is damaged at byte ([0-9]+)");
    ASSERT_TRUE(std::regex_search(run.err, match, said)) << run.Describe();
    uintmax_t offset = std::stoull(match[1]);
    EXPECT_LE(offset, damaged_at) << run.Describe();
    EXPECT_GT(offset + 32768, damaged_at) << run.Describe();
    EXPECT_EQ(run.out, "") << run.Describe();
    EXPECT_TRUE(DbFiles(db()) == before) << args[0] << " changed the database's files";
  }
}

TEST_F(DamagedWalTest, ATornTailOfUnsyncedWritesIsDroppedAndTheRestOpens) {
  BuildLogOnlyInTheWal(SyncMode::kOff, /*synced=*/false);
  fs::path wal = Wal();
  fs::resize_file(wal, fs::file_size(wal) - 5);  // the last group's record, cut short by a kill

  KeelRun verify = RunKeel({"verify", "--db", db()});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_EQ(verify.out.rfind("ok: " + std::to_string(kEvents - kGroup) + " events", 0), 0u) << verify.Describe();
  KeelRun ingest = Ingest(MoreEvents());
  EXPECT_EQ(ingest.exit_code, 0) << ingest.Describe();
}

// The durable head (keel-durable-head, written at each sync) still says how
// long the log was when its tail is lost: here the synced last group.
TEST_F(DamagedWalTest, ALogShorterThanItsDurableHeadIsReportedAndNotAppendedTo) {
  BuildLogOnlyInTheWal(SyncMode::kBatch, /*synced=*/true);
  fs::path wal = Wal();
  fs::resize_file(wal, fs::file_size(wal) - 5);
  auto before = DbFiles(db());
  const std::string missing = "the log ends at seq " + std::to_string(kEvents - kGroup) + ", but seq " +
                              std::to_string(kEvents) + " was acknowledged as durable (keel-durable-head): events " +
                              std::to_string(kEvents - kGroup + 1) + " to " + std::to_string(kEvents) +
                              " are missing";

  KeelRun verify = RunKeel({"verify", "--db", db()});
  EXPECT_EQ(verify.exit_code, 1) << verify.Describe();
  EXPECT_NE(verify.out.find("durable head: " + missing), std::string::npos) << verify.Describe();
  KeelRun ingest = Ingest(MoreEvents());
  EXPECT_EQ(ingest.exit_code, 1) << ingest.Describe();
  EXPECT_EQ(ingest.err, "keel ingest: error: '" + db() + "' is a damaged keel log: " + missing +
                            "; keel will not append to it\n");
  EXPECT_TRUE(DbFiles(db()) == before) << "ingest changed the database's files";
}

}  // namespace
}  // namespace keel::testing
