// Embedded keel serve's durable submit under real process crashes: a writer
// (keel_submit_crash_writer) submits deliveries from several threads through
// server::LocalIngest with sync always and batch (group commit) and
// acknowledges each answered one on its standard output; the test kills it
// with SIGKILL at random moments. After each kill every acknowledged
// delivery is in the log at the seq its answer gave, no delivery is in it
// in part, and the log verifies. Each writer starts its threads from the
// beginning again, so what is in the log must come back as duplicates with
// the same seqs.
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "engine/audit/verify.h"
#include "engine/log/event_log.h"
#include "tests/crash/submit_crash_plan.h"
#include "tests/crash/writer_process.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

constexpr uint64_t kThreads = 4;

Result<std::optional<uint64_t>> FindInAnyWorkspace(const EventLog& log, const std::string& id) {
  KEEL_ASSIGN_OR_RETURN(std::vector<std::string> workspaces, log.Workspaces());
  for (const std::string& workspace : workspaces) {
    KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> seq, log.FindSeqById(workspace, id));
    if (seq) return seq;
  }
  return std::optional<uint64_t>();
}

class SubmitCrashTest : public ::testing::TestWithParam<const char*> {
 protected:
  std::filesystem::path db() const { return dir_ / "db"; }

  // Each thread's deliveries in order: each wholly in the log or not at
  // all, and none after the first that is not (a thread waits for each
  // answer before it sends the next).
  void CheckDeliveriesWholeAndInOrder(const EventLog& log, const std::string& round) {
    for (uint64_t t = 0; t < kThreads; ++t) {
      bool ended = false;
      for (uint64_t first = t * crash::kThreadSpan;; first += crash::SubmitDeliverySizeAt(first)) {
        uint64_t size = crash::SubmitDeliverySizeAt(first), present = 0;
        for (uint64_t i = first; i < first + size; ++i) {
          auto seq = FindInAnyWorkspace(log, crash::EventIdAt(i));
          ASSERT_TRUE(seq.ok()) << seq.status().ToString();
          present += seq->has_value() ? 1 : 0;
        }
        EXPECT_TRUE(present == 0 || present == size)
            << round << ": the delivery at index " << first << " is in the log in part: " << present << " of "
            << size;
        if (present == 0 && ended) break;  // two in a row: the thread's end
        EXPECT_FALSE(ended && present > 0) << round << ": a delivery after a missing one, at index " << first;
        ended = present == 0;
      }
    }
  }

  testing::TempDir dir_;
};

TEST_P(SubmitCrashTest, EveryAnsweredDeliveryIsInTheLogOnceAfterAKill) {
  const char* seed_text = std::getenv("KEEL_CRASH_SEED");
  uint64_t seed = seed_text ? std::strtoull(seed_text, nullptr, 10) : 20261207;
  std::mt19937_64 rng(seed);
  std::map<uint64_t, uint64_t> seq_of_acked;  // last index of a delivery -> the seq its answer gave
  uint64_t total_acks = 0;
  for (int number = 1; number <= 8 && !HasFailure(); ++number) {
    std::string round = std::string("sync=") + GetParam() + " seed=" + std::to_string(seed) + " round " +
                        std::to_string(number);
    crash::WriterProcess writer({KEEL_SUBMIT_CRASH_WRITER, db().string(), GetParam(), std::to_string(kThreads)});
    // The first answer says the log is open; then a random while longer.
    writer.ReadAcks(std::chrono::steady_clock::now() + std::chrono::seconds(30), 1);
    auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 300)(rng));
    writer.ReadAcks(std::chrono::steady_clock::now() + delay);
    writer.KillAndWait();
    EXPECT_TRUE(writer.DiedOfTheKill()) << round << ": the writer stopped on its own; it said:\n"
                                        << writer.other_output();
    EXPECT_EQ(writer.other_output(), "") << round;
    total_acks += writer.acks().size();

    LogOptions options;
    auto log = EventLog::Open(db(), options);
    ASSERT_TRUE(log.ok()) << round << ": " << log.status().ToString();
    for (const crash::Ack& ack : writer.acks()) {
      auto [it, inserted] = seq_of_acked.emplace(ack.last_index, ack.head_seq);
      EXPECT_EQ(it->second, ack.head_seq) << round << ": index " << ack.last_index
                                          << " was answered with another seq in an earlier round";
    }
    for (const auto& [index, seq] : seq_of_acked) {
      auto stored = FindInAnyWorkspace(**log, crash::EventIdAt(index));
      ASSERT_TRUE(stored.ok()) << stored.status().ToString();
      ASSERT_TRUE(stored->has_value()) << round << ": answered event index " << index << " is not in the log";
      EXPECT_EQ(**stored, seq) << round << ": event index " << index;
    }
    CheckDeliveriesWholeAndInOrder(**log, round);
    auto report = VerifyLog(**log);
    ASSERT_TRUE(report.ok()) << round << ": " << report.status().ToString();
    EXPECT_TRUE(report->problems.empty()) << round << ": " << report->problems.front();
    EXPECT_EQ(report->events, (*log)->Head().seq) << round;
  }
  EXPECT_GT(total_acks, 0u);
}

INSTANTIATE_TEST_SUITE_P(SyncModes, SubmitCrashTest, ::testing::Values("always", "batch"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
}  // namespace keel
