// LocalIngest, the durable submit path of embedded `keel serve`: submits
// from many threads each land once with dense seqs and a log that verifies;
// duplicates are answered with the original's seq; refusals leave nothing
// behind; the rule set runs on what is submitted; a full queue answers busy.
#include "server/local_ingest.h"

#include <cstdio>
#include <fstream>
#include <latch>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "connectors/synthetic_events.h"
#include "engine/audit/verify.h"
#include "engine/schema/schema_registry.h"
#include "rules/ruleset.h"
#include "server/partition_rules.h"
#include "tests/support/temp_dir.h"

namespace keel::server {
namespace {

constexpr char kKickoff[] = KEEL_SOURCE_DIR "/examples/01-initiative-kickoff";

std::string Event(const std::string& id, const std::string& title) {
  return R"({"specversion":"1.0","id":")" + id +
         R"(","source":"test","type":"task.created","time":"2026-03-02T08:00:00Z","subject":"task/)" + id +
         R"(","workspace":"acme","actor":"user:dana","data":{"title":")" + title + R"("}})";
}

class LocalIngestTest : public ::testing::Test {
 protected:
  LocalIngestTest() : schemas_(std::move(SchemaRegistry::LoadEmbedded()).value()) {}

  std::unique_ptr<LocalIngest> Open(LocalIngestOptions options = {}) {
    options.dir = dir_ / "data" / "log";
    auto ingest = LocalIngest::Open(options, hooks_, schemas_.get(), &metrics_);
    EXPECT_TRUE(ingest.ok()) << ingest.status().ToString();
    return ingest.ok() ? std::move(ingest).value() : nullptr;
  }

  static std::vector<AppendResult> Submitted(LocalIngest& ingest, std::vector<std::string> events) {
    SubmitOutcome outcome = ingest.Submit(std::move(events)).get();
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    return outcome.ok() ? std::move(outcome).value() : std::vector<AppendResult>();
  }

  keel::testing::TempDir dir_;
  std::unique_ptr<SchemaRegistry> schemas_;
  ServeMetrics metrics_;
  PartitionHooks hooks_;  // no rules unless a test sets them
};

TEST_F(LocalIngestTest, ConcurrentSubmitsAreEachAppendedOnceWithDenseSeqs) {
  auto ingest = Open();
  ASSERT_NE(ingest, nullptr);
  constexpr int kThreads = 4;
  constexpr int kSubmitsPerThread = 150;
  SyntheticOptions synthetic;
  synthetic.entities = 100000;  // every event creates its own entity: no order between threads matters
  SyntheticEvents events(synthetic);
  // Thread t submits deliveries of 1 to 3 events; event n goes to one thread only.
  std::vector<std::map<std::string, uint64_t>> seq_of_id(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      uint64_t n = static_cast<uint64_t>(t) * 1000;
      for (int s = 0; s < kSubmitsPerThread; ++s) {
        std::vector<std::string> delivery(1 + s % 3);
        std::vector<std::string> ids;
        for (std::string& event : delivery) {
          events.Append(n, &event);
          char id[32];
          std::snprintf(id, sizeof id, "ev-%010llu", static_cast<unsigned long long>(n));
          ids.push_back(id);
          ++n;
        }
        SubmitOutcome outcome = ingest->Submit(std::move(delivery)).get();
        ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
        ASSERT_EQ(outcome->size(), ids.size());
        for (size_t i = 0; i < ids.size(); ++i) {
          EXPECT_EQ((*outcome)[i].outcome, AppendOutcome::kAppended) << (*outcome)[i].error.ToString();
          seq_of_id[t][ids[i]] = (*outcome)[i].seq;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  // Seqs 1..N, each given once; each names the event submitted with it.
  std::set<uint64_t> seqs;
  size_t total = 0;
  for (const auto& ids : seq_of_id) {
    for (const auto& [id, seq] : ids) {
      seqs.insert(seq);
      ++total;
      auto stored = ingest->log()->Read(seq);
      ASSERT_TRUE(stored.ok()) << stored.status().ToString();
      EXPECT_EQ(stored->event.id, id);
    }
  }
  EXPECT_EQ(total, kThreads * (kSubmitsPerThread / 3) * 6u);
  EXPECT_EQ(seqs.size(), total);
  EXPECT_EQ(*seqs.begin(), 1u);
  EXPECT_EQ(*seqs.rbegin(), total);
  EXPECT_EQ(ingest->log()->Head().seq, total);
  auto report = VerifyLog(*ingest->log());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->problems.empty()) << report->problems.front();
  EXPECT_EQ(metrics_.events_in.load(), total);
  ASSERT_TRUE(ingest->Close().ok());
}

TEST_F(LocalIngestTest, DuplicateIsAnsweredWithTheOriginalsSeq) {
  auto ingest = Open();
  ASSERT_NE(ingest, nullptr);
  auto first = Submitted(*ingest, {Event("a", "A"), Event("b", "B")});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1].outcome, AppendOutcome::kAppended);
  EXPECT_EQ(first[1].seq, 2u);
  auto again = Submitted(*ingest, {Event("b", "B")});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(again[0].seq, 2u);
  EXPECT_EQ(ingest->log()->Head().seq, 2u);
  EXPECT_EQ(metrics_.duplicates.load(), 1u);
}

TEST_F(LocalIngestTest, ConflictingIdIsRefusedWithItsReasonAndLeavesNoTrace) {
  auto ingest = Open();
  ASSERT_NE(ingest, nullptr);
  Submitted(*ingest, {Event("a", "A")});
  auto conflict = Submitted(*ingest, {Event("a", "Another title")});
  ASSERT_EQ(conflict.size(), 1u);
  EXPECT_EQ(conflict[0].outcome, AppendOutcome::kRejected);
  EXPECT_EQ(conflict[0].error.code(), StatusCode::kConflict) << conflict[0].error.ToString();
  EXPECT_EQ(ingest->log()->Head().seq, 1u);
  EntityRef task;
  ASSERT_TRUE(ParseEntityRef("task/a", &task));
  auto state = ingest->log()->GetEntity("acme", task);
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->GetString("title"), "A");
}

TEST_F(LocalIngestTest, ARefusedEventRefusesItsWholeSubmit) {
  auto ingest = Open();
  ASSERT_NE(ingest, nullptr);
  std::string no_type = R"({"specversion":"1.0","id":"x","source":"test","time":"2026-03-02T08:00:00Z",)"
                        R"("subject":"task/x","workspace":"acme","actor":"user:dana","data":{}})";
  auto refused = Submitted(*ingest, {Event("a", "A"), no_type, Event("b", "B")});
  ASSERT_EQ(refused.size(), 3u);
  for (const AppendResult& result : refused) EXPECT_EQ(result.outcome, AppendOutcome::kRejected);
  EXPECT_NE(refused[0].error.message().find("event 2 of 3 in the same submit was refused"), std::string::npos)
      << refused[0].error.ToString();
  EXPECT_NE(refused[1].error.message().find("type"), std::string::npos) << refused[1].error.ToString();
  EXPECT_EQ(ingest->log()->Head().seq, 0u);
}

// examples/01-initiative-kickoff, one delivery per line: the derived events
// are the ones its expected/derived.ndjson lists.
TEST_F(LocalIngestTest, RulesRunOnSubmittedEvents) {
  Result<rules::RuleSet> set = rules::RuleSet::Load(std::string(kKickoff) + "/rules",
                                                    std::string(kKickoff) + "/templates");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_TRUE(set->RegisterCustomEventTypes(*schemas_).ok());
  PartitionRules rules(*set, schemas_.get(), CascadeLimits(), TimeWindow{.days = 0});
  hooks_ = rules.Hooks();
  auto ingest = Open();
  ASSERT_NE(ingest, nullptr);
  std::ifstream in(std::string(kKickoff) + "/events.ndjson");
  std::string line;
  while (std::getline(in, line)) Submitted(*ingest, {line});

  std::vector<std::string> expected;
  std::ifstream derived(std::string(kKickoff) + "/expected/derived.ndjson");
  while (std::getline(derived, line)) {
    size_t id = line.find("\"id\":\"") + 6;
    expected.push_back(line.substr(id, line.find('"', id) - id));
  }
  std::vector<std::string> got;
  ASSERT_TRUE(ingest->log()
                  ->Scan(1, UINT64_MAX,
                         [&](const StoredEvent& stored) {
                           if (!stored.event.rule_id.empty()) got.push_back(stored.event.id);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(got, expected);
  ASSERT_TRUE(ingest->Close().ok());
}

// examples/reminders: a task due on 2026-04-08 schedules its reminders; they
// fire when the clock passes them, without any further submit.
TEST_F(LocalIngestTest, DueTimersFireByTheClock) {
  const std::string pack = KEEL_SOURCE_DIR "/examples/reminders";
  Result<rules::RuleSet> set = rules::RuleSet::Load(pack + "/rules", "");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  PartitionRules rules(*set, schemas_.get(), CascadeLimits(), TimeWindow{.days = 0});
  hooks_ = rules.Hooks();
  FakeClock clock(1775030400LL * 1000000);  // 2026-04-01T08:00:00Z
  LocalIngestOptions options;
  options.clock = &clock;
  options.timer_interval = std::chrono::milliseconds(10);
  auto ingest = Open(options);
  ASSERT_NE(ingest, nullptr);
  std::ifstream in(pack + "/events.ndjson");
  std::string first;
  std::getline(in, first);
  Submitted(*ingest, {first});
  auto next_due = ingest->log()->NextTimerDue();
  ASSERT_TRUE(next_due.ok() && next_due->has_value()) << "the task scheduled no timer";
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(metrics_.timers_fired.load(), 0u);  // not due yet
  clock.Set(**next_due);
  for (int waited = 0; waited < 500 && metrics_.timers_fired.load() == 0; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(metrics_.timers_fired.load(), 1u);
  ASSERT_TRUE(ingest->Close().ok());
}

// The writer held at its first write: what queues behind it is bounded.
TEST_F(LocalIngestTest, AFullQueueAnswersBusyAndTheRestIsWrittenAtClose) {
  std::latch release(1);
  std::atomic<bool> first_write{true};
  LocalIngestOptions options;
  options.max_queued_events = 3;
  options.log.before_write = [&] {
    if (first_write.exchange(false)) release.wait();
    return Status::OK();
  };
  auto ingest = Open(options);
  ASSERT_NE(ingest, nullptr);
  std::future<SubmitOutcome> held = ingest->Submit({Event("a", "A")});
  // Until the writer has taken `a` (and waits in its write), `a` counts as
  // queued and 3 more are busy; then they fill the queue.
  while (true) {
    std::future<SubmitOutcome> fill = ingest->Submit({Event("b1", "B"), Event("b2", "B"), Event("b3", "B")});
    if (fill.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) break;
    ASSERT_EQ(fill.get().status().code(), StatusCode::kResourceExhausted);
  }
  SubmitOutcome busy = ingest->Submit({Event("c", "C")}).get();
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.status().code(), StatusCode::kResourceExhausted) << busy.status().ToString();
  release.count_down();
  ASSERT_TRUE(ingest->Close().ok());
  SubmitOutcome a = held.get();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)[0].outcome, AppendOutcome::kAppended);
  SubmitOutcome late = ingest->Submit({Event("d", "D")}).get();
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
}

// The writer held in the write of `a` while `b` and `c` queue: under batch
// they share the next WriteBatch, under always each has its own.
TEST_F(LocalIngestTest, BatchSharesAWriteBatchBetweenSubmitsAndAlwaysDoesNot) {
  for (SyncMode sync : {SyncMode::kBatch, SyncMode::kAlways}) {
    keel::testing::TempDir dir;
    std::latch release(1);
    std::atomic<int> writes{0};
    LocalIngestOptions options;
    options.sync = sync;
    options.dir = dir / "log";
    options.log.before_write = [&] {
      if (writes.fetch_add(1) == 0) release.wait();
      return Status::OK();
    };
    ServeMetrics metrics;
    auto ingest = std::move(LocalIngest::Open(options, hooks_, schemas_.get(), &metrics)).value();
    std::future<SubmitOutcome> a = ingest->Submit({Event("a", "A")});
    while (writes.load() == 0) std::this_thread::yield();
    std::future<SubmitOutcome> b = ingest->Submit({Event("b", "B")});
    std::future<SubmitOutcome> c = ingest->Submit({Event("c", "C")});
    release.count_down();
    for (auto* answer : {&a, &b, &c}) {
      SubmitOutcome outcome = answer->get();
      ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
      EXPECT_EQ((*outcome)[0].outcome, AppendOutcome::kAppended);
    }
    EXPECT_EQ(metrics.batches.load(), sync == SyncMode::kBatch ? 2u : 3u) << SyncModeName(sync);
    ASSERT_TRUE(ingest->Close().ok());
  }
}

TEST_F(LocalIngestTest, AFailedWriteAnswersItsSubmitsAndStopsTheLog) {
  LocalIngestOptions options;
  options.log.before_write = [] { return Status::IOError("no space left on device"); };
  auto ingest = Open(options);
  ASSERT_NE(ingest, nullptr);
  SubmitOutcome failed = ingest->Submit({Event("a", "A")}).get();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
  EXPECT_FALSE(ingest->failure().ok());
  SubmitOutcome after = ingest->Submit({Event("b", "B")}).get();
  EXPECT_FALSE(after.ok());
  EXPECT_FALSE(ingest->Close().ok());
}

}  // namespace
}  // namespace keel::server
