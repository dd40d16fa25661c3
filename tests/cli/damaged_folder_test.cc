// Folders keel must not write into, or must report as damaged rather than
// "not a keel log" (issue 19, item 1): a truncated MANIFEST, a lost CURRENT,
// a head record that disagrees with the last stored event, a folder that
// holds something else, and a folder keel may not read.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "engine/log/event_log.h"
#include "tests/cli/cli_fixture.h"
#include "tests/engine/log/log_damage.h"
#include "tests/support/db_files.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;

class DamagedFolderTest : public KeelCliTest {
 protected:
  // A log of `runs` x 1500 events, each run flushed to table files at close.
  void BuildFlushedLog(int runs) {
    for (int run = 0; run < runs; ++run) {
      std::vector<std::string> lines;
      for (int i = 0; i < 1500; ++i) {
        std::string n = std::to_string(run) + "-" + std::to_string(i);
        lines.push_back(TaskCreated("e" + n, "T-" + n, "Task " + n + " of a log whose MANIFEST gets cut"));
      }
      IngestValid(lines);
    }
    ASSERT_FALSE(FilesNamed(db(), "", ".sst").empty());
  }

  KeelRun IngestOne() { return Ingest({TaskCreated("late-1", "L-1", "Appended after the damage")}); }
};

// The ends of the records of a RocksDB log-format file (a MANIFEST): where
// a truncation leaves whole records, which RocksDB reads as an older state.
std::vector<uintmax_t> RecordEnds(const std::string& bytes) {
  std::vector<uintmax_t> ends;
  size_t pos = 0;
  while (pos + 7 <= bytes.size()) {
    size_t left_in_block = 32768 - pos % 32768;
    if (left_in_block < 7) {
      pos += left_in_block;
      continue;
    }
    size_t length = static_cast<unsigned char>(bytes[pos + 4]) | (static_cast<unsigned char>(bytes[pos + 5]) << 8);
    pos += 7 + length;
    ends.push_back(pos);
  }
  return ends;
}

// A MANIFEST cut at any record end or in the middle of a record: RocksDB
// then sees an older state, and a read-write open deleted the table files
// it no longer named (3,000 events became 1,500). keel must refuse before
// that, or lose nothing.
TEST_F(DamagedFolderTest, ATruncatedManifestNeverLosesEventsOrFiles) {
  BuildFlushedLog(2);
  fs::path base = dir_ / "base";
  fs::rename(db(), base);
  std::string current = ReadFileText(base / "CURRENT");
  std::string manifest_name = current.substr(0, current.find('\n'));
  std::string manifest = ReadFileText(base / manifest_name);
  std::vector<uintmax_t> cuts = RecordEnds(manifest);
  cuts.push_back(manifest.size() / 2);
  int refused = 0;
  for (uintmax_t cut : cuts) {
    SCOPED_TRACE("MANIFEST cut to " + std::to_string(cut) + " of " + std::to_string(manifest.size()) + " bytes");
    fs::remove_all(db());
    fs::copy(base, db(), fs::copy_options::recursive);
    fs::resize_file(fs::path(db()) / manifest_name, cut);
    auto before = DbFiles(db());
    KeelRun ingest = IngestOne();
    if (ingest.exit_code == 0) {
      KeelRun verify = RunKeel({"verify", "--db", db()});
      EXPECT_EQ(verify.out.rfind("ok: 3001 events", 0), 0u) << verify.Describe();
      continue;
    }
    ++refused;
    EXPECT_EQ(ingest.exit_code, 1) << ingest.Describe();
    EXPECT_EQ(ingest.err.rfind("keel ingest: error: '" + db() + "' is a damaged keel log: ", 0), 0u)
        << ingest.Describe();
    EXPECT_TRUE(DbFiles(db()) == before) << "ingest deleted or wrote files of the damaged log";
    KeelRun verify = RunKeel({"verify", "--db", db()});
    EXPECT_EQ(verify.exit_code, 1) << verify.Describe();
  }
  EXPECT_GT(refused, 0);
}

TEST_F(DamagedFolderTest, ALostCurrentFileIsReportedAsDamagedNotReplacedByANewLog) {
  BuildFlushedLog(1);
  fs::remove(fs::path(db()) / "CURRENT");
  auto before = DbFiles(db());
  KeelRun ingest = IngestOne();
  EXPECT_EQ(ingest.exit_code, 1) << ingest.Describe();
  EXPECT_NE(ingest.err.find("'" + db() + "' is a damaged database: it holds RocksDB's files ("), std::string::npos)
      << ingest.Describe();
  EXPECT_NE(ingest.err.find("but no CURRENT file"), std::string::npos) << ingest.Describe();
  EXPECT_TRUE(DbFiles(db()) == before);
}

TEST_F(DamagedFolderTest, AHeadBehindTheLastStoredEventIsNeverAppendedAfter) {
  IngestValid({TaskCreated("e1", "T-1", "One"), TaskCreated("e2", "T-2", "Two"), TaskCreated("e3", "T-3", "Three")});
  ASSERT_TRUE(SetStoredHeadSeq(db(), 1));  // says seq 1; seq 3 is stored
  KeelRun ingest = IngestOne();
  EXPECT_EQ(ingest.exit_code, 1) << ingest.Describe();
  EXPECT_EQ(ingest.err, "keel ingest: error: '" + db() + "' is a damaged keel log: its head record says seq 1 but "
                        "the last stored event is seq 3; keel will not append to it\n");
}

TEST_F(DamagedFolderTest, ANonEmptyFolderThatHoldsNoLogIsNeverMadeOne) {
  fs::create_directories(db());
  WriteFile("db/notes.txt", "not a database\n");
  KeelRun ingest = IngestOne();
  EXPECT_EQ(ingest.exit_code, 1) << ingest.Describe();
  EXPECT_EQ(ingest.err, "keel ingest: error: '" + db() + "' holds no keel database, and it is not empty "
                        "(notes.txt): keel creates a log only in an empty or new folder\n");
  EXPECT_EQ(DbFiles(db()).size(), 1u);
}

TEST_F(DamagedFolderTest, AnEmptyFolderBecomesALog) {
  fs::create_directories(db());
  KeelRun ingest = IngestOne();
  EXPECT_EQ(ingest.exit_code, 0) << ingest.Describe();
}

// Another writer holds the log: that is what the message says, not damage.
TEST_F(DamagedFolderTest, ALogInUseByAnotherWriterIsSaidToBeInUse) {
  IngestValid({TaskCreated("e1", "T-1", "One")});
  LogOptions options;
  auto held = EventLog::Open(db(), options);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  KeelRun ingest = IngestOne();
  EXPECT_EQ(ingest.exit_code, 1) << ingest.Describe();
  EXPECT_EQ(ingest.err.rfind("keel ingest: error: '" + db() + "' is in use by another keel process (", 0), 0u)
      << ingest.Describe();
}

// Root reads any file: the child drops to nobody first, as a user's keel
// would run.
KeelRun RunKeelAsNobody(const std::vector<std::string>& args) {
  return RunKeel(args, {}, [] {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(125);
  });
}

TEST_F(DamagedFolderTest, AFolderKeelMayNotReadIsAPermissionProblem) {
  IngestValid({TaskCreated("e1", "T-1", "One")});
  fs::permissions(dir_.path(), fs::perms::all);  // others may reach db; db itself they may not read
  fs::permissions(db(), fs::perms::none);
  KeelRun verify = RunKeelAsNobody({"verify", "--db", db()});
  fs::permissions(db(), fs::perms::owner_all);
  EXPECT_EQ(verify.exit_code, 1) << verify.Describe();
  EXPECT_EQ(verify.err.rfind("keel verify: error: permission denied: keel cannot read the folder '" + db() + "'", 0),
            0u)
      << verify.Describe();

  fs::permissions(db(), fs::perms::all);
  fs::permissions(fs::path(db()) / "CURRENT", fs::perms::none);
  verify = RunKeelAsNobody({"verify", "--db", db()});
  EXPECT_EQ(verify.exit_code, 1) << verify.Describe();
  EXPECT_EQ(verify.err.rfind("keel verify: error: permission denied: keel cannot read '" + db() + "/CURRENT'", 0), 0u)
      << verify.Describe();
}

}  // namespace
}  // namespace keel::testing
