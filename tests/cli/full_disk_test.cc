// A disk that fills up under `keel ingest` and `keel run` (issue 19, item 1):
// the command ends with a clear message and exit 1, prints the counts of
// what it committed before it stopped, and the log holds exactly that.
// The full disk is a file size limit (RLIMIT_FSIZE) on the child: writes
// past it fail as on a full disk (EFBIG), with no mount and no root needed.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "tests/cli/cli_fixture.h"
#include "tests/support/file_text.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;

// `keel ARGS...` with no file allowed to grow past `limit_bytes`.
KeelRun RunKeelWithFileLimit(const std::vector<std::string>& args, rlim_t limit_bytes) {
  return RunKeel(args, {}, [limit_bytes] {
    ::signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead of killing the process
    rlimit limit{limit_bytes, limit_bytes};
    ::setrlimit(RLIMIT_FSIZE, &limit);
  });
}

class FullDiskTest : public KeelCliTest {
 protected:
  // Far more events than fit under the limit.
  std::string ManyEvents(int count) {
    std::string text;
    for (int i = 0; i < count; ++i) {
      std::string n = std::to_string(i);
      text += TaskCreated("e" + n, "T-" + n, "Task " + n + " written until the disk is full") + "\n";
    }
    return WriteFile("many.ndjson", text);
  }

  void ExpectStoppedWithAMessage(const KeelRun& run, const std::string& command) {
    EXPECT_EQ(run.exit_code, 1) << run.Describe();
    EXPECT_NE(run.err.find("keel " + command + ": error: "), std::string::npos) << run.Describe();
    EXPECT_NE(run.err.find("File too large"), std::string::npos) << run.Describe();
    EXPECT_NE(run.err.find("keel " + command + ": stopped before the end of the input; the counts printed are what "
                                               "was committed before it stopped\n"),
              std::string::npos)
        << run.Describe();
  }

  // What `keel verify` finds: the log holds exactly `events` events, intact.
  void ExpectTheLogHolds(uint64_t events) {
    KeelRun verify = RunKeel({"verify", "--db", db()});
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
    EXPECT_EQ(verify.out.rfind("ok: " + std::to_string(events) + " events", 0), 0u) << verify.Describe();
  }
};

TEST_F(FullDiskTest, IngestStopsWithAMessageAndTheCountsOfWhatItCommitted) {
  std::string input = ManyEvents(30000);
  KeelRun run = RunKeelWithFileLimit({"ingest", input, "--db", db(), "--batch", "500"}, 4 << 20);
  ExpectStoppedWithAMessage(run, "ingest");
  std::smatch counts;
  ASSERT_TRUE(std::regex_search(run.out, counts, std::regex("^appended ([0-9]+), duplicates 0, rejected 0\n")))
      << run.Describe();
  uint64_t appended = std::stoull(counts[1]);
  EXPECT_GT(appended, 0u);
  EXPECT_LT(appended, 30000u);
  ExpectTheLogHolds(appended);
}

TEST_F(FullDiskTest, RunStopsWithAMessageAndTheCountsOfWhatItCommitted) {
  std::string input = ManyEvents(30000);
  KeelRun run = RunKeelWithFileLimit({"run", "--rules", "examples/01-initiative-kickoff", "--events", input, "--db",
                                      db(), "--batch", "500", "--json"},
                                     4 << 20);
  ExpectStoppedWithAMessage(run, "run");
  std::vector<std::string> out = Lines(run.out);
  ASSERT_EQ(out.size(), 1u) << run.Describe();
  nlohmann::json report = nlohmann::json::parse(out[0]);
  uint64_t input_events = report["input"];
  EXPECT_GT(input_events, 0u);
  EXPECT_LT(input_events, 30000u);
  EXPECT_EQ(report["rejected"], 0);
  // Besides these, the log holds the rule set's activation.
  ExpectTheLogHolds(1 + input_events + report["derived"].get<uint64_t>() + report["halted"].get<uint64_t>() +
                    report["failed"].get<uint64_t>() + report["timers_fired"].get<uint64_t>());
}

// A real full disk (ENOSPC) where mounting a small tmpfs is permitted (root
// outside a container): RocksDB's error handling took another path there and
// aborted the process (exit 134) on the sync after the failed write.
TEST_F(FullDiskTest, IngestOnARealFullDiskStopsWithoutAborting) {
  fs::path small = dir_ / "small";
  fs::create_directories(small);
  std::string mount = "mount -t tmpfs -o size=4m tmpfs '" + small.string() + "' 2>/dev/null";
  if (std::system(mount.c_str()) != 0) GTEST_SKIP() << "cannot mount a tmpfs here; the RLIMIT_FSIZE tests cover it";
  std::string input = ManyEvents(30000);
  std::string small_db = (small / "db").string();
  KeelRun run = RunKeel({"ingest", input, "--db", small_db, "--batch", "500"});
  KeelRun verify = RunKeel({"verify", "--db", small_db});
  std::system(("umount '" + small.string() + "'").c_str());
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.err.find("No space left on device"), std::string::npos) << run.Describe();
  std::smatch counts;
  ASSERT_TRUE(std::regex_search(run.out, counts, std::regex("^appended ([0-9]+), duplicates 0, rejected 0\n")))
      << run.Describe();
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_EQ(verify.out.rfind("ok: " + std::string(counts[1]) + " events", 0), 0u) << verify.Describe();
}

}  // namespace
}  // namespace keel::testing
