// The real `keel run` killed with SIGKILL at random moments (DESIGN.md
// invariants 2, 3 and 4 through the command a user runs).
//
// `keel run` acknowledges a file only when it exits: until then it tells the
// user nothing, and what a kill leaves is whatever it committed. So the
// contract checked here is:
//   - after a kill, the log is a prefix of the log an uninterrupted run of the
//     same file writes (same seqs, same hashes), it ends where an input
//     event's cascade ends (no input without all it derived), `keel verify`
//     passes (chain, indexes, projections equal a rebuild, rule sets) and
//     `keel replay` is identical;
//   - a later run never loses or rewrites what an earlier one committed (the
//     prefix only grows);
//   - running the same file again after any number of kills finishes with a
//     log identical, event for event and hash for hash, to the uninterrupted
//     run's: every input event applied once (those already there come back as
//     duplicates, by event id) and every derived event once.
//
// A trial is one kill that landed while keel ran. KEEL_CRASH_TRIALS sets how
// many (default 10; 100 in the long mode), KEEL_CRASH_SEED the seed; every
// failure names both, the trial and its plan, so it can be run again.
#include <chrono>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_keel_support.h"
#include "tests/crash/run_crash_workload.h"
#include "tests/support/crash_trials.h"
#include "tests/support/file_text.h"
#include "tests/support/log_contents.h"
#include "tests/support/spawned_process.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr size_t kInitiatives = 250;

struct RunPlan {
  int trial = 0;
  std::string sync;
  size_t batch = 0;
  std::chrono::microseconds delay{0};  // from the start of keel run to the kill
};

class KeelRunCrashTest : public ::testing::Test {
 protected:
  // The uninterrupted run every killed run is compared with, written once.
  static void SetUpTestSuite() {
    shared_ = new TempDir;
    workload_ = WriteRunWorkload(*shared_ / "events.ndjson", kInitiatives);
    auto start = Clock::now();
    KeelRun run = RunKeel(RunArgs(*shared_ / "reference", "off", 1000));
    reference_seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
    // Not asserted here: gtest reports a failed SetUpTestSuite as a skipped
    // test, and ctest would count that as passing. The test asserts instead.
    if (run.exit_code != 1) {
      setup_problem_ = "the reference run should refuse exactly its one bad line\n" + run.Describe();
      return;
    }
    reference_ = ReadLoggedEvents(*OpenForReading(*shared_ / "reference"));
  }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }

  static std::vector<std::string> RunArgs(const fs::path& db, const std::string& sync, size_t batch) {
    return {"run",     "--rules", std::string(KEEL_SOURCE_DIR) + "/examples/01-initiative-kickoff",
            "--events", (*shared_ / "events.ndjson").string(),
            "--db",     db.string(),
            "--sync",   sync,
            "--batch",  std::to_string(batch),
            "--clock",  "events",
            "--json"};
  }

  RunPlan Plan(int trial) {
    static const char* kSyncs[] = {"off", "batch", "always"};
    static const size_t kBatches[] = {1, 7, 50, 400};
    RunPlan plan;
    plan.trial = trial;
    plan.sync = kSyncs[std::uniform_int_distribution<int>(0, 2)(rng_)];
    plan.batch = kBatches[std::uniform_int_distribution<int>(0, 3)(rng_)];
    // Anywhere from start-up (opening RocksDB, activating the rule set) to
    // about the time the whole file takes.
    auto longest = static_cast<int64_t>(reference_seconds_ * 1.2e6);
    plan.delay = std::chrono::microseconds(std::uniform_int_distribution<int64_t>(0, longest)(rng_));
    return plan;
  }

  std::string Describe(const RunPlan& plan) const {
    std::ostringstream text;
    text << "seed=" << seed_ << " trial " << plan.trial << " of " << trials_ << " (database " << database_
         << ", --sync " << plan.sync << " --batch " << plan.batch << ", killed after " << plan.delay.count()
         << " us); rerun with KEEL_CRASH_SEED=" << seed_ << " KEEL_CRASH_TRIALS=" << trials_;
    return text.str();
  }

  fs::path db() const { return dir_ / ("db-" + std::to_string(database_)); }

  // Starts keel run and kills it after the plan's delay; false when it
  // finished before the kill.
  bool RunAndKill(const RunPlan& plan) {
    SpawnedProcess keel([&] {
      std::vector<std::string> argv = RunArgs(db(), plan.sync, plan.batch);
      argv.insert(argv.begin(), KeelPath());
      return argv;
    }(), dir_ / "run.out", dir_ / "run.err");
    std::this_thread::sleep_for(plan.delay);
    if (keel.Kill()) return true;
    // Ended on its own: as a whole run does, refusing only the bad line. Any
    // other ending (a crash, a binary that could not be executed) is named
    // here rather than as a database the checks below cannot open.
    EXPECT_EQ(keel.Wait(), 1) << Describe(plan) << ": keel run ended on its own with an unexpected status\n"
                              << ReadFileText(dir_ / "run.err");
    return false;
  }

  // What a kill left: a prefix of the reference, ending after a whole
  // cascade, that verifies and replays identically.
  void CheckAfterKill(const RunPlan& plan) {
    LogOptions read_only;
    read_only.read_only = true;
    auto log = EventLog::Open(db(), read_only);
    if (!log.ok()) {
      // Killed while creating the database: nothing can have been committed,
      // and the next run finishes the creation (tests/engine/log/create_crash_test.cc).
      EXPECT_EQ(committed_, 0u) << Describe(plan) << ": the log cannot be opened: " << log.status().ToString();
      return;
    }
    std::vector<LoggedEvent> events = ReadLoggedEvents(**log);
    log->reset();
    ASSERT_LE(events.size(), reference_.size()) << Describe(plan);
    for (size_t i = 0; i < events.size(); ++i) {
      ASSERT_EQ(events[i], reference_[i]) << Describe(plan) << ": seq " << i + 1
                                          << " differs from the uninterrupted run's";
    }
    EXPECT_GE(events.size(), committed_) << Describe(plan) << ": a committed event is gone";
    committed_ = events.size();
    if (events.size() < reference_.size()) {
      EXPECT_FALSE(reference_[events.size()].derived)
          << Describe(plan) << ": the log ends at seq " << events.size()
          << ", inside the cascade of an input event (the next event, " << reference_[events.size()].id
          << ", was derived in the same batch)";
    }
    CheckVerifiesAndReplays(Describe(plan));
  }

  void CheckVerifiesAndReplays(const std::string& context) {
    KeelRun verify = RunKeel({"verify", "--db", db().string(), "--json"});
    EXPECT_EQ(verify.exit_code, 0) << context << "\n" << verify.Describe();
    KeelRun replay = RunKeel({"replay", "--db", db().string(), "--json"});
    EXPECT_EQ(replay.exit_code, 0) << context << "\n" << replay.Describe();
    if (replay.exit_code == 0) {
      EXPECT_TRUE(nlohmann::json::parse(replay.out).value("identical", false)) << context;
    }
  }

  // Runs the file to its end on the current database, as a user does after
  // a crash, and expects the uninterrupted run's log.
  void FinishDatabase(const std::string& context) {
    KeelRun run = RunKeel(RunArgs(db(), "batch", 100));
    ASSERT_EQ(run.exit_code, 1) << context << ": the finishing run should refuse only the bad line\n"
                                << run.Describe();
    nlohmann::json report = nlohmann::json::parse(run.out);
    EXPECT_EQ(report.value("rejected", 0u), workload_.rejected) << context;
    EXPECT_EQ(report.value("input", 0u) + report.value("duplicates", 0u) + report.value("rejected", 0u),
              workload_.lines)
        << context << ": every line is either applied now, already applied, or refused\n"
        << run.out;
    EXPECT_EQ(FirstDifference(ReadLoggedEvents(*OpenForReading(db())), reference_), "")
        << context << ": after the crashes, the log differs from the uninterrupted run's";
    CheckVerifiesAndReplays(context);
    ++database_;
    committed_ = 0;
  }

  static TempDir* shared_;
  static RunWorkload workload_;
  static double reference_seconds_;
  static std::vector<LoggedEvent> reference_;
  static std::string setup_problem_;  // why SetUpTestSuite could not make the reference

  TempDir dir_;
  uint64_t seed_ = CrashSeed(20260303);
  int trials_ = CrashTrials();
  std::mt19937_64 rng_{seed_};
  int database_ = 0;
  size_t committed_ = 0;  // events of the current database after the last kill
};

TempDir* KeelRunCrashTest::shared_ = nullptr;
RunWorkload KeelRunCrashTest::workload_;
double KeelRunCrashTest::reference_seconds_ = 0;
std::vector<LoggedEvent> KeelRunCrashTest::reference_;
std::string KeelRunCrashTest::setup_problem_;

TEST_F(KeelRunCrashTest, KilledRunThenRerunAppliesEveryEventOnce) {
  ASSERT_TRUE(setup_problem_.empty()) << setup_problem_;
  ASSERT_GT(reference_.size(), workload_.lines * 2) << "the rules should derive more events than came in";
  int kills = 0, attempts = 0;
  while (kills < trials_ && attempts++ < trials_ * 4 && !HasFailure()) {
    RunPlan plan = Plan(kills + 1);
    if (!RunAndKill(plan)) {
      // It finished first: the database is complete; a new one starts.
      EXPECT_EQ(FirstDifference(ReadLoggedEvents(*OpenForReading(db())), reference_), "") << Describe(plan);
      ++database_;
      committed_ = 0;
      continue;
    }
    ++kills;
    CheckAfterKill(plan);
    // Sometimes the next run is killed as well; otherwise it runs to the end.
    if (std::uniform_int_distribution<int>(0, 2)(rng_) == 0) FinishDatabase(Describe(plan) + ", finishing run");
  }
  EXPECT_EQ(kills, trials_) << "seed=" << seed_ << ": keel run finished before most kills";
  if (committed_ > 0 || fs::exists(db())) FinishDatabase("seed=" + std::to_string(seed_) + ", last finishing run");
  std::printf("keel run crash harness: %d kills over %d databases, seed %llu\n", kills, database_,
              static_cast<unsigned long long>(seed_));
}

}  // namespace
}  // namespace keel::testing
