// Invariant 2 (atomic) under real process crashes: a writer
// (keel_crash_writer) appends synthetic events and acknowledges each group on
// its standard output; the test kills it with SIGKILL at random moments and
// checks what the next writer would find in the log.
//
// The random moments come from a fixed seed, so a failure names the round and
// the seed and can be run again (KEEL_CRASH_SEED=N overrides the seed). No
// assertion depends on how fast anything runs: a slow machine kills the
// writer earlier in its work, which the checks accept as well.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/log/event_log.h"
#include "engine/audit/verify.h"
#include "tests/crash/crash_plan.h"
#include "tests/crash/writer_process.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using Clock = std::chrono::steady_clock;
using crash::Ack;
using crash::GroupSizes;
using crash::WriterProcess;

enum class KillPoint { kRightAfterStart, kRightAfterAnAck, kAfterARandomDelay };

std::string_view KillPointName(KillPoint point) {
  switch (point) {
    case KillPoint::kRightAfterStart: return "right after start";
    case KillPoint::kRightAfterAnAck: return "right after an ack";
    case KillPoint::kAfterARandomDelay: return "after a random delay";
  }
  return "?";
}

struct Round {
  int number = 0;
  KillPoint kill_point = KillPoint::kAfterARandomDelay;
  std::chrono::microseconds delay{0};  // before the kill, for the two timed kill points
  size_t acks_before_kill = 0;         // for kRightAfterAnAck
  uint64_t start_index = 0;            // where the writer starts
};

// What the test knows after each round: the facts the next round must still find.
struct History {
  std::optional<uint64_t> highest_acked_index;  // every index up to it was acknowledged
  uint64_t highest_acked_head = 0;              // the largest head seq an ack reported
  uint64_t head_seq = 0;                        // the head after the last round
  uint64_t total_acks = 0;
};

uint64_t SeedFromEnvironment() {
  const char* text = std::getenv("KEEL_CRASH_SEED");
  return text ? std::strtoull(text, nullptr, 10) : 20260302;
}

class CrashTest : public ::testing::TestWithParam<const char*> {
 protected:
  // Events the writer may leave behind before the test starts a fresh
  // database, so that verifying the whole log after every kill stays cheap.
  static constexpr uint64_t kMaxLogEvents = 20000;

  std::string_view sync() const { return GetParam(); }
  std::filesystem::path db() const { return dir_ / "db"; }

  // Plans the next round: where to kill, and where the writer resumes. The
  // first round on a fresh folder waits for an acknowledgement, so that the
  // log exists before the rounds that kill during start-up.
  Round PlanRound(int number) {
    Round round;
    round.number = number;
    int pick = std::uniform_int_distribution<int>(0, 99)(rng_);
    if (!history_.highest_acked_index) pick = 20;  // a fresh folder: wait for an ack
    if (pick < 15) {
      round.kill_point = KillPoint::kRightAfterStart;
      round.delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(rng_));
    } else if (pick < 40) {
      round.kill_point = KillPoint::kRightAfterAnAck;
      round.acks_before_kill = std::uniform_int_distribution<size_t>(1, 30)(rng_);
    } else {
      round.kill_point = KillPoint::kAfterARandomDelay;
      round.delay = std::chrono::microseconds(std::uniform_int_distribution<int>(5000, 150000)(rng_));
    }
    // Resume after the last acknowledged event, or a little before it, so
    // that redelivered events must come back as duplicates.
    if (history_.highest_acked_index) {
      uint64_t next = *history_.highest_acked_index + 1;
      bool redeliver = std::uniform_int_distribution<int>(0, 1)(rng_) == 1;
      uint64_t back = redeliver ? std::uniform_int_distribution<uint64_t>(1, 300)(rng_) : 0;
      round.start_index = next - std::min(back, next);
    }
    return round;
  }

  std::string Describe(const Round& round) const {
    std::ostringstream text;
    text << "sync=" << sync() << " seed=" << seed_ << " round " << round.number << " (killed "
         << KillPointName(round.kill_point);
    if (round.kill_point == KillPoint::kRightAfterAnAck) text << " number " << round.acks_before_kill;
    if (round.kill_point != KillPoint::kRightAfterAnAck) text << ", " << round.delay.count() << " us";
    text << ", writer started at index " << round.start_index << ")";
    return text.str();
  }

  // Starts the writer, kills it as planned, and returns its acknowledgements.
  std::vector<Ack> RunAndKill(const Round& round) {
    WriterProcess writer({KEEL_CRASH_WRITER, db().string(), std::string(sync()), std::to_string(round.start_index),
                          std::to_string(sizes_.min_size), std::to_string(sizes_.max_size)});
    switch (round.kill_point) {
      case KillPoint::kRightAfterStart:
      case KillPoint::kAfterARandomDelay:
        writer.ReadAcks(Clock::now() + round.delay);
        break;
      case KillPoint::kRightAfterAnAck:
        // The deadline only keeps a stuck writer from hanging the test.
        writer.ReadAcks(Clock::now() + std::chrono::seconds(20), round.acks_before_kill);
        break;
    }
    writer.KillAndWait();
    EXPECT_TRUE(writer.DiedOfTheKill()) << Describe(round) << ": the writer stopped on its own; it said:\n"
                                        << writer.other_output();
    EXPECT_EQ(writer.other_output(), "") << Describe(round);
    return writer.acks();
  }

  // Takes the round's acknowledgements into the history, checking each one.
  void RecordAcks(const Round& round, const std::vector<Ack>& acks) {
    for (const Ack& ack : acks) {
      // Seqs are given out one per new event in index order, so event i is
      // at seq i + 1; a group of redelivered events leaves the head where a
      // previous writer had left it, past the group.
      EXPECT_GE(ack.head_seq, ack.last_index + 1) << Describe(round);
      if (!history_.highest_acked_index || ack.last_index > *history_.highest_acked_index) {
        history_.highest_acked_index = ack.last_index;
      }
      history_.highest_acked_head = std::max(history_.highest_acked_head, ack.head_seq);
    }
    history_.total_acks += acks.size();
    if (round.kill_point == KillPoint::kRightAfterAnAck) {
      EXPECT_GE(acks.size(), round.acks_before_kill) << Describe(round);
    }
  }

  std::unique_ptr<EventLog> OpenAfterCrash(const Round& round) {
    LogOptions options;
    options.sync = *ParseSyncMode(sync());
    auto log = EventLog::Open(db(), options);
    EXPECT_TRUE(log.ok()) << Describe(round) << ": " << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }

  // The seq of `id` in whichever workspace holds it (ids are unique per
  // workspace; the crash workload never reuses one).
  static Result<std::optional<uint64_t>> FindInAnyWorkspace(const EventLog& log, const std::string& id) {
    KEEL_ASSIGN_OR_RETURN(std::vector<std::string> workspaces, log.Workspaces());
    for (const std::string& workspace : workspaces) {
      KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> seq, log.FindSeqById(workspace, id));
      if (seq) return seq;
    }
    return std::optional<uint64_t>();
  }

  // No acknowledged event lost, seqs dense, the head never goes back.
  void CheckNothingAcknowledgedIsLost(const Round& round, const std::vector<Ack>& acks, const EventLog& log) {
    uint64_t head = log.Head().seq;
    EXPECT_GE(head, history_.head_seq) << Describe(round) << ": the head seq went down";
    EXPECT_GE(head, history_.highest_acked_head) << Describe(round) << ": an acknowledged head seq is gone";
    uint64_t first_new = acks.empty() ? 0 : round.start_index;
    uint64_t last_new = acks.empty() ? 0 : acks.back().last_index;
    for (uint64_t index = first_new; !acks.empty() && index <= last_new; ++index) {
      auto seq = FindInAnyWorkspace(log, crash::EventIdAt(index));
      ASSERT_TRUE(seq.ok()) << Describe(round) << ": " << seq.status().ToString();
      ASSERT_TRUE(seq->has_value()) << Describe(round) << ": acknowledged event index " << index << " ("
                                    << crash::EventIdAt(index) << ") is not in the log";
      EXPECT_EQ(**seq, index + 1) << Describe(round) << ": event index " << index;
    }
    uint64_t expected = 1;
    bool dense = true;
    Status scanned = log.Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
      dense = stored.seq == expected && stored.event.id == crash::EventIdAt(stored.seq - 1);
      EXPECT_TRUE(dense) << Describe(round) << ": expected seq " << expected << " holding "
                         << crash::EventIdAt(expected - 1) << ", found seq " << stored.seq << " holding "
                         << stored.event.id;
      ++expected;
      return dense;  // one report is enough
    });
    ASSERT_TRUE(scanned.ok()) << Describe(round) << ": " << scanned.ToString();
    if (dense) {
      EXPECT_EQ(expected - 1, head) << Describe(round) << ": the scan ended before the head";
    }
  }

  // Hash chain, indexes, head record, and every entity's state equal to a
  // rebuild from the events: no half of a batch survived the kill.
  void CheckNothingIsHalfApplied(const Round& round, const EventLog& log) {
    auto report = VerifyLog(log);
    ASSERT_TRUE(report.ok()) << Describe(round) << ": " << report.status().ToString();
    std::string problems;
    for (size_t i = 0; i < report->problems.size() && i < 10; ++i) problems += "\n  " + report->problems[i];
    EXPECT_TRUE(report->problems.empty()) << Describe(round) << ": verify found " << report->problems.size()
                                          << " problem(s):" << problems;
    EXPECT_EQ(report->events, log.Head().seq) << Describe(round);
  }

  // The log ends where one of the writer's groups ended: a kill during a
  // group's WriteBatch left none of that group.
  void CheckLogEndsAtAGroupBoundary(const Round& round, const EventLog& log) {
    uint64_t head = log.Head().seq;
    if (head == history_.head_seq) return;  // nothing new this round
    std::set<uint64_t> group_ends;           // as head seqs: last index + 1
    for (uint64_t first = round.start_index; first < head; first += crash::GroupSizeAt(first, sizes_)) {
      group_ends.insert(first + crash::GroupSizeAt(first, sizes_));
    }
    EXPECT_TRUE(group_ends.count(head)) << Describe(round) << ": head seq " << head
                                        << " is inside a group the writer sent, not at its end";
  }

  // Runs `rounds` rounds; `check` inspects the log after each kill.
  using Check = std::function<void(const Round&, const std::vector<Ack>&, const EventLog&)>;
  void RunRounds(int rounds, const Check& check) {
    for (int number = 1; number <= rounds && !HasFatalFailure(); ++number) {
      if (history_.head_seq > kMaxLogEvents) StartFreshDatabase();
      Round round = PlanRound(number);
      std::vector<Ack> acks = RunAndKill(round);
      RecordAcks(round, acks);
      auto log = OpenAfterCrash(round);
      ASSERT_NE(log, nullptr);
      check(round, acks, *log);
      history_.head_seq = std::max(history_.head_seq, log->Head().seq);
      if (HasFailure()) break;  // later rounds would only repeat the first failure
    }
    EXPECT_GT(history_.total_acks, 0u) << "no writer ever acknowledged anything";
  }

  void StartFreshDatabase() {
    std::filesystem::remove_all(db());
    history_ = History{};
  }

  testing::TempDir dir_;
  uint64_t seed_ = SeedFromEnvironment();
  std::mt19937_64 rng_{seed_};
  GroupSizes sizes_;
  History history_;
};

TEST_P(CrashTest, KilledWriterLosesNoAcknowledgedEvent) {
  RunRounds(20, [&](const Round& round, const std::vector<Ack>& acks, const EventLog& log) {
    CheckNothingAcknowledgedIsLost(round, acks, log);
    CheckNothingIsHalfApplied(round, log);
  });
}

// Large groups make it likely that the kill lands while a group is being
// built or written.
TEST_P(CrashTest, KillDuringABatchLeavesNoHalfAppliedEffect) {
  sizes_ = GroupSizes{150, 200};
  RunRounds(12, [&](const Round& round, const std::vector<Ack>& acks, const EventLog& log) {
    CheckLogEndsAtAGroupBoundary(round, log);
    CheckNothingIsHalfApplied(round, log);
  });
}

INSTANTIATE_TEST_SUITE_P(SyncModes, CrashTest, ::testing::Values("off", "always"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
}  // namespace keel
