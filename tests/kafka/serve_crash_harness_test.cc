// The real `keel serve` killed with SIGKILL at random moments while input
// arrives, restarted, killed again (DESIGN.md invariants 2 and 3 through
// Kafka).
//
// What keel serve acknowledges is an input partition's offset, stored in the
// partition's log in the same WriteBatch as the events it produced, and
// an outbox cursor, stored once the broker has acknowledged the derived
// events up to it. After every kill, for every partition log:
//   - its input events are exactly the input messages below its stored
//     offset, each once (nothing acknowledged lost, nothing applied twice,
//     nothing applied and not acknowledged), and the offset never goes back;
//   - every input event in it has its one derived comment in it (no input
//     without what it caused);
//   - every derived event at or below the outbox cursor is in the output
//     topic;
//   - it verifies (chain, indexes, projections equal a rebuild) and replays
//     identically (engine/audit/verify.h and rules/audit/replay.h, which `keel verify` and
//     `keel replay` run; the final check runs those commands themselves).
// At the end one more serve consumes everything: every input is in the logs
// once, every derived event is in the output topic, and a derived event
// published twice carries the same id.
//
// KEEL_CRASH_TRIALS sets how many kills (default 10; 100 in the long mode),
// KEEL_CRASH_SEED the seed; a failure names both and the trial's plan.
#include <algorithm>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "engine/log/stored_positions.h"
#include "engine/audit/verify.h"
#include "rules/audit/replay.h"
#include "tests/cli/run_keel_support.h"
#include "tests/kafka/serve_fixture.h"
#include "tests/support/crash_trials.h"
#include "tests/support/log_contents.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kEventsPerTrial = 200;
// librdkafka's mock keeps about 5 MB per partition and drops older messages,
// so a long run starts a new stream (cluster, topics, data folder) every so
// many kills, after checking the one before to its end.
constexpr int kTrialsPerStream = 10;

enum class KillPoint { kDuringStartUp, kRightAfterAssignment, kAfterSomeEventsIn };

struct ServePlan {
  int trial = 0;
  KillPoint kill_point = KillPoint::kDuringStartUp;
  std::chrono::milliseconds delay{0};  // from the start, or from holding every partition
  int64_t events_in = 0;               // kAfterSomeEventsIn: serve's keel_events_in_total
  int batch = 0;                       // batch_max_messages
};

// keel_events_in_total of the serve on `port`; -1 when it does not answer.
int64_t EventsIn(int port) {
  auto [status, text] = HttpGet(port, "/metrics");
  static const std::regex kCounter("keel_events_in_total (\\d+)");
  std::smatch match;
  if (status != 200 || !std::regex_search(text, match, kCounter)) return -1;
  return std::stoll(match[1]);
}

// One partition log as a kill left it.
struct PartitionLog {
  std::optional<int64_t> offset;  // the stored next offset
  uint64_t outbox_cursor = 0;
  std::vector<LoggedEvent> events;
};

class ServeCrashHarness : public ServeTest {
 protected:
  ServePlan Plan(int trial) {
    ServePlan plan;
    plan.trial = trial;
    static const int kBatches[] = {1, 10, 50, 500};
    plan.batch = kBatches[std::uniform_int_distribution<int>(0, 3)(rng_)];
    int pick = std::uniform_int_distribution<int>(0, 3)(rng_);
    if (pick == 0) {
      // Opening the partition logs, joining the group, seeking to the stored offsets.
      plan.kill_point = KillPoint::kDuringStartUp;
      plan.delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 1500)(rng_));
    } else if (pick == 1) {
      // The first batches after the assignment.
      plan.kill_point = KillPoint::kRightAfterAssignment;
      plan.delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 500)(rng_));
    } else {
      plan.kill_point = KillPoint::kAfterSomeEventsIn;
      plan.events_in = std::uniform_int_distribution<int64_t>(1, kEventsPerTrial)(rng_);
    }
    return plan;
  }

  std::string Describe(const ServePlan& plan) const {
    std::ostringstream text;
    text << "seed=" << seed_ << " trial " << plan.trial << " of " << trials_ << " (batch_max_messages "
         << plan.batch << ", killed ";
    if (plan.kill_point == KillPoint::kDuringStartUp) text << plan.delay.count() << " ms after the start";
    if (plan.kill_point == KillPoint::kRightAfterAssignment) {
      text << plan.delay.count() << " ms after it held every partition";
    }
    if (plan.kill_point == KillPoint::kAfterSomeEventsIn) text << "once " << plan.events_in << " events were in";
    text << "); rerun with KEEL_CRASH_SEED=" << seed_ << " KEEL_CRASH_TRIALS=" << trials_;
    return text.str();
  }

  std::vector<Record> NextInputs(int count) {
    std::vector<Record> records;
    for (int i = 0; i < count; ++i, ++produced_) {
      std::string workspace = "ws" + std::to_string(produced_ % 6);
      records.push_back({workspace, TaskCreated("kill-" + std::to_string(produced_), workspace), {}});
    }
    return records;
  }

  // Each restart joins under a group of its own, only to save time: the
  // offsets that count are the ones stored in the partition logs, and
  // librdkafka 2.0.2's mock assigns a new group 3 s after its first
  // JoinGroup, but takes about 2 x session.timeout.ms (11-12 s here) to
  // hand the killed member's group to its successor. It keeps the dead
  // member, holds the join for session.timeout.ms - 1 s, elects the dead
  // member leader (the first member it knows, rdkafka_mock_cgrp.c
  // elect_leader), waits for its SyncGroup ("awaiting 0/2 syncing
  // members") until its session expires, and runs the whole join again. A
  // broker ends the join when the dead member's session expires and picks
  // the leader among the members that joined. ServeRestartTest
  // (serve_group_test.cc) restarts in the same group after kill -9 and
  // after SIGTERM.
  ServeSettings SettingsFor(int run, int batch) {
    ServeSettings settings = Settings(data_);
    settings.group = "keel-" + std::to_string(run);
    settings.http_port = FreePort();
    settings.extra["batch_max_messages"] = std::to_string(batch);
    return settings;
  }

  // Half of the trial's input is there before serve starts, the other half
  // arrives while it runs; serve is killed as planned.
  void RunAndKill(const ServePlan& plan) {
    ProduceAll(cluster_->bootstrap(), "work-events", NextInputs(kEventsPerTrial / 2));
    std::vector<Record> later = NextInputs(kEventsPerTrial / 2);
    ServeSettings settings = SettingsFor(plan.trial, plan.batch);
    auto serve = StartServe(settings, "serve-" + std::to_string(plan.trial));
    std::string producer_error;
    std::thread producer([&] {
      try {
        for (size_t first = 0; first < later.size(); first += 25) {
          std::vector<Record> slice(later.begin() + first, later.begin() + std::min(first + 25, later.size()));
          ProduceAll(cluster_->bootstrap(), "work-events", slice);
        }
      } catch (const std::exception& e) {
        producer_error = e.what();
      }
    });
    // The deadlines only keep a stuck serve from hanging the test.
    auto deadline = Clock::now() + 30s;
    switch (plan.kill_point) {
      case KillPoint::kDuringStartUp:
        std::this_thread::sleep_for(plan.delay);
        break;
      case KillPoint::kRightAfterAssignment:
        while (AssignedPartitions(settings.http_port) < kInputPartitions && Clock::now() < deadline) {
          std::this_thread::sleep_for(5ms);
        }
        std::this_thread::sleep_for(plan.delay);
        break;
      case KillPoint::kAfterSomeEventsIn:
        while (EventsIn(settings.http_port) < plan.events_in && Clock::now() < deadline) {
          std::this_thread::sleep_for(2ms);
        }
        break;
    }
    serve->Kill();
    producer.join();
    ASSERT_EQ(producer_error, "") << Describe(plan);
  }

  fs::path PartitionDir(int p) const { return dir_ / data_ / ("work-events-" + std::to_string(p)); }

  void StartNewStream() {
    cluster_ = std::make_unique<MockCluster>(dir_.path());
    CreateTopics();
    data_ = "data-" + std::to_string(++streams_);
    produced_ = 0;
    offsets_.clear();
  }

  // nullopt when the kill came before the log was created (or while it was).
  std::optional<PartitionLog> ReadPartition(int p, const std::string& context) {
    if (!fs::exists(PartitionDir(p))) return std::nullopt;
    LogOptions options;
    options.read_only = true;
    auto log = EventLog::Open(PartitionDir(p), options);
    if (!log.ok()) return std::nullopt;
    PartitionLog partition;
    partition.events = ReadLoggedEvents(**log);
    auto offset = ReadSourcePosition(**log, "kafka/work-events/" + std::to_string(p));
    if (offset.ok() && *offset) partition.offset = static_cast<int64_t>(**offset);
    auto cursor = ReadSinkCursor(**log, "kafka/keel-out");
    if (cursor.ok() && *cursor) partition.outbox_cursor = **cursor;
    auto report = VerifyLog(**log);
    EXPECT_TRUE(report.ok() && report->ok()) << context << ": partition " << p << " does not verify"
                                             << (report.ok() && !report->problems.empty()
                                                     ? ": " + report->problems.front()
                                                     : std::string());
    ExpectReplayIdentical(**log, p, context);
    return partition;
  }

  // What `keel replay` does, in this process: the whole harness would
  // otherwise spend most of its time starting keel processes. The final check
  // runs the real commands.
  void ExpectReplayIdentical(const EventLog& log, int p, const std::string& context) {
    LogOptions fresh;
    fresh.create_if_missing = true;
    fresh.sync = SyncMode::kOff;
    fs::path into = dir_ / ("replay-" + std::to_string(replays_++));
    auto target = EventLog::Open(into, fresh);
    ASSERT_TRUE(target.ok()) << target.status().ToString();
    auto replayed = rules::Replay(log, **target, {});
    ASSERT_TRUE(replayed.ok()) << context << ": " << replayed.status().ToString();
    EXPECT_TRUE(replayed->identical) << context << ": partition " << p << " replays differently at seq "
                                     << (replayed->first_divergence ? replayed->first_divergence->seq : 0);
    target->reset();
    fs::remove_all(into);
  }

  // The input messages of each partition, by offset.
  std::map<int, std::map<int64_t, std::string>> InputByPartition() {
    std::vector<Record> all = ConsumeUntil(
        cluster_->bootstrap(), "work-events", kInputPartitions,
        [&](const std::vector<Record>& r) { return r.size() >= static_cast<size_t>(produced_); }, 60s,
        "every input produced so far");
    std::map<int, std::map<int64_t, std::string>> by_partition;
    for (const Record& r : all) by_partition[r.partition][r.offset] = JsonField(r.value, "id");
    return by_partition;
  }

  // Input events the partition logs acknowledged by their stored offsets.
  int64_t HeldInputs() const {
    int64_t held = 0;
    for (const auto& [p, offset] : offsets_) held += offset;
    return held;
  }

  void CheckAfterKill(const std::string& context) {
    auto inputs = InputByPartition();
    std::set<std::string> published;  // derived events the outbox cursors say were delivered
    for (int p = 0; p < kInputPartitions; ++p) {
      std::optional<PartitionLog> log = ReadPartition(p, context);
      if (!log) {
        EXPECT_FALSE(offsets_.count(p)) << context << ": partition " << p << "'s log is gone";
        continue;
      }
      CheckPartition(p, *log, inputs[p], context);
      for (const LoggedEvent& e : log->events) {
        if (e.derived && e.seq <= log->outbox_cursor) published.insert(e.id);
      }
    }
    std::set<std::string> seen;
    ConsumeUntil(
        cluster_->bootstrap(), "keel-out", kOutputPartitions,
        [&](const std::vector<Record>& r) {
          if (!r.empty() && published.count(JsonField(r.back().value, "id"))) seen.insert(JsonField(r.back().value, "id"));
          return seen.size() == published.size();
        },
        30s, context + ": the " + std::to_string(published.size()) + " derived events below the outbox cursors");
  }

  void CheckPartition(int p, const PartitionLog& log, const std::map<int64_t, std::string>& messages,
                      const std::string& context) {
    std::map<std::string, int> inputs, derived_by_cause;
    for (const LoggedEvent& e : log.events) {
      if (e.type == "ruleset.activated") continue;
      if (e.derived) {
        ++derived_by_cause[e.causationid];
      } else {
        ++inputs[e.id];
      }
    }
    for (const auto& [id, times] : inputs) {
      EXPECT_EQ(times, 1) << context << ": " << id << " applied " << times << " times in partition " << p;
      EXPECT_EQ(derived_by_cause[id], 1) << context << ": " << id << " has not exactly one derived comment";
      EXPECT_EQ(++applied_[id], 1) << context << ": " << id << " is in more than one partition log";
    }
    for (const auto& [cause, count] : derived_by_cause) {
      EXPECT_TRUE(inputs.count(cause)) << context << ": partition " << p << " derived from " << cause
                                       << ", which it does not hold";
    }
    int64_t offset = log.offset.value_or(0);
    std::set<std::string> acknowledged;
    for (const auto& [at, id] : messages) {
      if (at < offset) acknowledged.insert(id);
    }
    std::set<std::string> held;
    for (const auto& [id, times] : inputs) held.insert(id);
    EXPECT_EQ(held, acknowledged) << context << ": partition " << p << " (stored offset " << offset
                                  << ") holds other inputs than the messages below its offset";
    EXPECT_GE(offset, offsets_[p]) << context << ": partition " << p << "'s stored offset went back";
    offsets_[p] = offset;
  }

  void CheckVerifiesAndReplays(int p, const std::string& context) {
    KeelRun verify = RunKeel({"verify", "--db", PartitionDir(p).string(), "--json"});
    EXPECT_EQ(verify.exit_code, 0) << context << ": partition " << p << "\n" << verify.Describe();
    KeelRun replay = RunKeel({"replay", "--db", PartitionDir(p).string(), "--json"});
    EXPECT_EQ(replay.exit_code, 0) << context << ": partition " << p << "\n" << replay.Describe();
  }

  // One more serve takes everything in; then the whole stream is checked.
  void FinishAndCheck() {
    std::set<std::string> causes;
    for (int i = 0; i < produced_; ++i) causes.insert("kill-" + std::to_string(i));
    auto serve = StartServe(SettingsFor(trials_ + 1, 100), "serve-final");
    auto derived = WaitForDerived(causes, 120s);
    ASSERT_EQ(serve->Stop(), 0) << serve->LogText();
    std::string context = "seed=" + std::to_string(seed_) + ", after the final serve of stream " +
                          std::to_string(streams_);
    for (const auto& [cause, ids] : derived) {
      EXPECT_EQ(ids.size(), 1u) << context << ": " << cause << " derived events with different ids";
    }
    auto appended = InputEventsInLogs(data_);
    EXPECT_EQ(appended.size(), causes.size()) << context;
    for (const auto& [id, times] : appended) EXPECT_EQ(times, 1) << context << ": " << id;
    applied_.clear();
    CheckAfterKill(context);
    for (int p = 0; p < kInputPartitions; ++p) CheckVerifiesAndReplays(p, context);
  }

  uint64_t seed_ = CrashSeed(20260304);
  int trials_ = CrashTrials();
  std::mt19937_64 rng_{seed_};
  std::string data_ = "data";  // the stream's data folder, under dir_
  int streams_ = 0;
  int produced_ = 0;            // input events of this stream
  int replays_ = 0;
  std::map<int, int64_t> offsets_;        // stored offset per partition after the last kill
  std::map<std::string, int> applied_;    // input id -> partition logs holding it, per check
};

TEST_F(ServeCrashHarness, KilledServeLosesNothingAcknowledgedAndAppliesOnce) {
  CreateTopics();
  int kills_mid_stream = 0, inputs = 0;
  int64_t held = 0;  // inputs applied before each stream's final serve
  for (int trial = 1; trial <= trials_ && !HasFailure(); ++trial) {
    if (trial > 1 && (trial - 1) % kTrialsPerStream == 0) {
      held += HeldInputs();
      inputs += produced_;
      FinishAndCheck();
      if (HasFailure()) break;
      StartNewStream();
    }
    ServePlan plan = Plan(trial);
    int64_t before = HeldInputs();
    RunAndKill(plan);
    applied_.clear();
    CheckAfterKill(Describe(plan));
    if (HeldInputs() > before) ++kills_mid_stream;
  }
  held += HeldInputs();
  inputs += produced_;
  if (!HasFailure()) FinishAndCheck();
  std::printf("keel serve crash harness: %d kills (%d after some input was applied) over %d streams, %lld of %d "
              "inputs applied before the final serves, seed %llu\n",
              trials_, kills_mid_stream, streams_ + 1, static_cast<long long>(held), inputs,
              static_cast<unsigned long long>(seed_));
}

}  // namespace
}  // namespace keel::testing
