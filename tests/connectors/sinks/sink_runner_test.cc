// The SinkRunner against a real log and a scripted channel: order per
// workspace, workspaces independent of each other, retries, dead letters,
// the cursor, restarts, answers, read-ahead.
#include "connectors/sinks/sink_runner.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "connectors/sinks/answer_events.h"
#include "engine/log/stored_positions.h"
#include "tests/connectors/sinks/scripted_channel.h"

namespace keel::sinks {
namespace {

using namespace std::chrono_literals;
using testing::AppendAll;
using testing::Comment;
using testing::Eventually;
using testing::ScriptedChannel;
using testing::SentTry;

class SinkRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = testing::OpenLog(dir_ / "db");
    auto letters = SinkDeadLetterStore::Open(dir_ / "sink-dead-letters");
    ASSERT_TRUE(letters.ok()) << letters.status().ToString();
    letters_ = std::move(letters).value();
  }

  // Options that wait a millisecond between tries, not a second.
  static SinkOptions Options() {
    SinkOptions options;
    options.name = "ops-feed";
    options.kind = "webhook";
    options.selection.inputs_too = true;  // the tests append inputs; sink_selection_test has the default
    options.retry = {.max_attempts = 8, .initial_delay = 1ms, .max_delay = 2ms};
    options.poll_interval = 5ms;
    options.letter_retry_interval = 5ms;
    return options;
  }

  std::unique_ptr<SinkRunner> Runner(std::shared_ptr<ScriptedChannel> channel, SinkOptions options = Options(),
                                     AnswerAppender answers = {}) {
    SinkParts parts;
    parts.log = log_.get();
    parts.channel = std::move(channel);
    parts.dead_letters = letters_.get();
    parts.append_answers = std::move(answers);
    auto runner = SinkRunner::Create(std::move(options), std::move(parts));
    EXPECT_TRUE(runner.ok()) << runner.status().ToString();
    return std::move(runner).value();
  }

  // What the runner's cursor update says (the log's writer would store it).
  static std::optional<uint64_t> CursorIn(const std::optional<MetaPut>& update) {
    if (!update) return std::nullopt;
    EXPECT_EQ(update->key, SinkCursorPut("webhook/ops-feed", 0).key);
    for (uint64_t seq = 0; seq < 10000; ++seq) {
      if (SinkCursorPut("webhook/ops-feed", seq).value == update->value) return seq;
    }
    return std::nullopt;
  }

  keel::testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<SinkDeadLetterStore> letters_;
};

TEST_F(SinkRunnerTest, KeepsLogOrderWithinAWorkspaceUnderConcurrency) {
  std::vector<Event> events;
  for (int i = 0; i < 60; ++i) {
    events.push_back(Comment("e" + std::to_string(i), std::string("ws") + std::to_string(i % 3)));
  }
  std::vector<uint64_t> seqs = AppendAll(*log_, events);
  // Every fifth event fails its first try, so later events of other
  // workspaces overtake it; its own workspace's must not.
  auto channel = std::make_shared<ScriptedChannel>([](const StoredEvent& event, int try_number) {
    std::this_thread::sleep_for(std::chrono::microseconds(event.seq % 4 * 100));
    if (event.seq % 5 == 0 && try_number == 1) return ScriptedChannel::Retry("HTTP 503: busy");
    return ScriptedChannel::Delivered();
  });
  SinkOptions options = Options();
  options.concurrency = 4;
  auto runner = Runner(channel, options);
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();

  std::map<std::string, std::vector<uint64_t>> tried;  // every try, in the order the channel saw them
  for (const SentTry& sent : channel->sent()) tried[sent.workspace].push_back(sent.seq);
  ASSERT_EQ(tried.size(), 3u);
  for (const auto& [workspace, order] : tried) {
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << workspace;
    EXPECT_EQ(std::set<uint64_t>(order.begin(), order.end()).size(), 20u) << workspace;
  }
  EXPECT_EQ(runner->cursor(), seqs.back());
  SinkMetrics metrics = runner->Metrics();
  EXPECT_EQ(metrics.delivered, 60u);
  EXPECT_EQ(metrics.retried, 12u);  // seqs 5, 10, ..., 60
  EXPECT_EQ(metrics.lag_events, 0u);
  EXPECT_EQ(metrics.pending, 0u);
}

TEST_F(SinkRunnerTest, AWorkspaceThatFailsDoesNotHoldBackAnother) {
  std::vector<uint64_t> seqs = AppendAll(*log_, {Comment("a1", "acme"), Comment("g1", "globex"),
                                                  Comment("a2", "acme"), Comment("g2", "globex"),
                                                  Comment("g3", "globex")});
  auto channel = std::make_shared<ScriptedChannel>([](const StoredEvent& event, int) {
    if (event.event.workspace == "acme") return ScriptedChannel::Retry("connect: Connection refused");
    return ScriptedChannel::Delivered();
  });
  SinkOptions options = Options();
  options.retry.max_attempts = 1000000;  // never gives up within the test
  auto runner = Runner(channel, options);
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->Metrics().delivered == 3; }));
  ASSERT_TRUE(Eventually([&] { return channel->tries(seqs[0]) >= 3; }));
  runner->Stop();
  // acme's second event waits behind its first; the cursor stays before
  // acme's first, though globex's later events are delivered.
  EXPECT_EQ(channel->tries(seqs[2]), 0);
  EXPECT_EQ(runner->cursor(), seqs[0] - 1);
  EXPECT_EQ(CursorIn(runner->TakeCursorUpdate()), std::nullopt);  // it never moved
  SinkMetrics metrics = runner->Metrics();
  EXPECT_EQ(metrics.lag_events, 5u);
  EXPECT_EQ(metrics.pending, 2u);
}

TEST_F(SinkRunnerTest, RetriesUntilTheReceiverTakesIt) {
  std::vector<uint64_t> seqs = AppendAll(*log_, {Comment("e1", "acme")});
  auto channel = std::make_shared<ScriptedChannel>([](const StoredEvent&, int try_number) {
    return try_number < 3 ? ScriptedChannel::Retry("HTTP 500: oops") : ScriptedChannel::Delivered();
  });
  auto runner = Runner(channel);
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();
  EXPECT_EQ(channel->tries(seqs[0]), 3);
  SinkMetrics metrics = runner->Metrics();
  EXPECT_EQ(metrics.retried, 2u);
  EXPECT_EQ(metrics.delivered, 1u);
  EXPECT_EQ(metrics.dead_lettered, 0u);
  EXPECT_EQ(letters_->size(), 0u);
  EXPECT_EQ(CursorIn(runner->TakeCursorUpdate()), seqs[0]);
  EXPECT_EQ(runner->TakeCursorUpdate(), std::nullopt);  // handed out once
}

TEST_F(SinkRunnerTest, ARetryWaitsWhatRetryAfterAsks) {
  // With the clock standing still, an hour's Retry-After holds the second
  // try back until the clock is moved past it.
  FakeClock clock(1'000'000'000'000);
  std::vector<uint64_t> seqs = AppendAll(*log_, {Comment("e1", "acme")});
  auto channel = std::make_shared<ScriptedChannel>([](const StoredEvent&, int try_number) {
    return try_number == 1 ? ScriptedChannel::Retry("HTTP 429: slow down", 3600s) : ScriptedChannel::Delivered();
  });
  SinkOptions options = Options();
  options.retry.max_delay = 2h;
  SinkParts parts;
  parts.log = log_.get();
  parts.channel = channel;
  parts.dead_letters = letters_.get();
  parts.clock = &clock;
  auto runner = std::move(SinkRunner::Create(options, std::move(parts))).value();
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->Metrics().retried == 1; }));
  clock.Advance(std::chrono::microseconds(3599s).count());
  std::this_thread::sleep_for(30ms);  // a few polls: still an hour's second short
  EXPECT_EQ(channel->tries(seqs[0]), 1);
  clock.Advance(std::chrono::microseconds(1s).count());
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();
  EXPECT_EQ(channel->tries(seqs[0]), 2);
}

TEST_F(SinkRunnerTest, TheRateLimitSpacesTheSends) {
  // One a second, burst one, the clock standing still: the first goes at
  // once, the next when the clock has moved a second.
  FakeClock clock(1'000'000'000'000);
  AppendAll(*log_, {Comment("e1", "acme"), Comment("e2", "globex"), Comment("e3", "initech")});
  auto channel = std::make_shared<ScriptedChannel>();
  SinkOptions options = Options();
  options.rate_per_second = 1;
  SinkParts parts;
  parts.log = log_.get();
  parts.channel = channel;
  parts.dead_letters = letters_.get();
  parts.clock = &clock;
  auto runner = std::move(SinkRunner::Create(options, std::move(parts))).value();
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->Metrics().delivered == 1; }));
  std::this_thread::sleep_for(30ms);  // a few polls: the clock has not moved
  EXPECT_EQ(channel->sent().size(), 1u);
  clock.Advance(std::chrono::microseconds(1s).count());
  ASSERT_TRUE(Eventually([&] { return runner->Metrics().delivered == 2; }));
  clock.Advance(std::chrono::microseconds(1s).count());
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();
  EXPECT_EQ(channel->sent().size(), 3u);
}

TEST_F(SinkRunnerTest, APermanentRefusalGoesStraightToTheDeadLetters) {
  std::vector<uint64_t> seqs = AppendAll(*log_, {Comment("e1", "acme"), Comment("e2", "acme")});
  auto channel = std::make_shared<ScriptedChannel>([&](const StoredEvent& event, int) {
    if (event.event.id == "e1") return ScriptedChannel::Permanent("HTTP 404: no such hook");
    return ScriptedChannel::Delivered();
  });
  auto runner = Runner(channel);
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();
  EXPECT_EQ(channel->tries(seqs[0]), 1);
  EXPECT_EQ(channel->tries(seqs[1]), 1);
  auto letter = letters_->Get("ops-feed-" + std::to_string(seqs[0]));
  ASSERT_TRUE(letter.ok()) << letter.status().ToString();
  EXPECT_EQ(letter->sink, "ops-feed");
  EXPECT_EQ(letter->seq, seqs[0]);
  EXPECT_EQ(letter->event_id, "e1");
  EXPECT_EQ(letter->workspace, "acme");
  EXPECT_EQ(letter->attempts, 1);
  EXPECT_EQ(letter->status, 404);
  EXPECT_EQ(letter->reason, "HTTP 404: no such hook");
  EXPECT_FALSE(letter->first_try.empty());
  EXPECT_EQ(runner->Metrics().dead_lettered, 1u);
  EXPECT_EQ(runner->cursor(), seqs[1]);  // a dead letter is passed
}

TEST_F(SinkRunnerTest, TheLastTryFailingLeavesADeadLetter) {
  std::vector<uint64_t> seqs = AppendAll(*log_, {Comment("e1", "acme")});
  auto channel = std::make_shared<ScriptedChannel>(
      [](const StoredEvent&, int) { return ScriptedChannel::Retry("HTTP 503: maintenance"); });
  SinkOptions options = Options();
  options.retry.max_attempts = 3;
  auto runner = Runner(channel, options);
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();
  EXPECT_EQ(channel->tries(seqs[0]), 3);
  auto letter = letters_->Get("ops-feed-" + std::to_string(seqs[0]));
  ASSERT_TRUE(letter.ok()) << letter.status().ToString();
  EXPECT_EQ(letter->attempts, 3);
  EXPECT_EQ(letter->status, 503);
  EXPECT_EQ(letter->reason, "HTTP 503: maintenance");
  SinkMetrics metrics = runner->Metrics();
  EXPECT_EQ(metrics.retried, 2u);
  EXPECT_EQ(metrics.dead_lettered, 1u);
}

TEST_F(SinkRunnerTest, APrepareErrorIsADeadLetterAndNothingToSendIsDelivered) {
  std::vector<uint64_t> seqs = AppendAll(*log_, {Comment("bad", "acme"), Comment("skip", "acme"), Comment("ok", "acme")});
  auto channel = std::make_shared<ScriptedChannel>();
  channel->SetPreparer([](const StoredEvent& event) -> Result<std::optional<OutboundMessage>> {
    if (event.event.id == "bad") return Status::InvalidArgument("recipient user:bob has no address");
    if (event.event.id == "skip") return std::optional<OutboundMessage>();
    OutboundMessage message;
    message.http = OutboundHttpRequest{};
    return std::optional<OutboundMessage>(message);
  });
  auto runner = Runner(channel);
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();
  ASSERT_EQ(channel->sent().size(), 1u);
  EXPECT_EQ(channel->sent()[0].event_id, "ok");
  auto letter = letters_->Get("ops-feed-" + std::to_string(seqs[0]));
  ASSERT_TRUE(letter.ok()) << letter.status().ToString();
  EXPECT_EQ(letter->attempts, 0);
  EXPECT_EQ(letter->status, 0);
  EXPECT_NE(letter->reason.find("recipient user:bob has no address"), std::string::npos) << letter->reason;
  SinkMetrics metrics = runner->Metrics();
  EXPECT_EQ(metrics.ignored, 1u);
  EXPECT_EQ(metrics.delivered, 1u);
  EXPECT_EQ(metrics.dead_lettered, 1u);
}

TEST_F(SinkRunnerTest, ARestartSendsAgainWhatWasNotConfirmed) {
  std::vector<Event> events;
  for (int i = 0; i < 10; ++i) events.push_back(Comment("e" + std::to_string(i), i < 5 ? "acme" : "globex"));
  std::vector<uint64_t> seqs = AppendAll(*log_, events);
  // First run: acme's third event never gets through; globex's all do.
  auto first = std::make_shared<ScriptedChannel>([&](const StoredEvent& event, int) {
    if (event.event.id == "e2") return ScriptedChannel::Retry("HTTP 502: bad gateway");
    return ScriptedChannel::Delivered();
  });
  SinkOptions options = Options();
  options.retry.max_attempts = 1000000;
  {
    auto runner = Runner(first, options);
    runner->Start();
    ASSERT_TRUE(Eventually([&] { return runner->Metrics().delivered == 7; }));
    runner->Stop();
    std::optional<MetaPut> update = runner->TakeCursorUpdate();
    ASSERT_EQ(CursorIn(update), seqs[1]);
    ASSERT_TRUE(log_->Append({}, {*update}).ok());  // what the server's writer does
  }
  // Second run, from the stored cursor: everything after it again (globex's
  // were delivered, but not confirmed past acme's stuck event), nothing before.
  auto second = std::make_shared<ScriptedChannel>();
  auto runner = Runner(second, options);
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();
  std::set<uint64_t> resent;
  for (const SentTry& sent : second->sent()) resent.insert(sent.seq);
  EXPECT_EQ(resent, std::set<uint64_t>(seqs.begin() + 2, seqs.end()));
  EXPECT_EQ(second->sent().size(), 8u);
  EXPECT_EQ(CursorIn(runner->TakeCursorUpdate()), seqs.back());
}

TEST_F(SinkRunnerTest, AnswersGoToTheAppenderWithDerivedIdsBeforeTheEventCounts) {
  std::vector<uint64_t> seqs = AppendAll(*log_, {Comment("e1", "acme")});
  auto channel = std::make_shared<ScriptedChannel>([](const StoredEvent&, int) {
    TryResult result = ScriptedChannel::Delivered();
    result.answer_events = {
        {{"type", "task.linked"}, {"subject", "task/T-1"}, {"actor", "system:jira"},
         {"data", {{"relation", "external"}, {"target", "jira:ACME-1"}}}},
        {{"id", "chosen-by-the-mapping"}, {"type", "comment.added"}, {"subject", "task/T-1"},
         {"workspace", "acme"}, {"time", "2026-03-02T10:00:00Z"}, {"data", {{"text", "linked"}}}}};
    return result;
  });
  std::mutex mu;
  std::vector<nlohmann::json> appended;
  int calls = 0;
  auto runner = Runner(channel, Options(), [&](std::vector<nlohmann::json> events) {
    std::lock_guard<std::mutex> lock(mu);
    if (++calls == 1) return Status::ResourceExhausted("the ingest queue is full");  // the first delivery is sent again
    appended = std::move(events);
    return Status::OK();
  });
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();
  EXPECT_EQ(channel->tries(seqs[0]), 2);
  EXPECT_EQ(runner->Metrics().retried, 1u);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(appended.size(), 2u);
  // "a-" and the first 32 hex digits of SHA-256("sink.answer\0e1\0ops-feed\00"):
  // python3 -c 'import hashlib;print(hashlib.sha256(b"sink.answer\0e1\0ops-feed\0" + b"0").hexdigest()[:32])'
  EXPECT_EQ(appended[0]["id"], "a-0379f20cd2906219c934b6a49eda80e3");
  EXPECT_EQ(appended[0]["id"], SinkAnswerId("e1", "ops-feed", 0));
  EXPECT_EQ(appended[0]["workspace"], "acme");
  EXPECT_EQ(appended[0]["time"], "2026-03-02T09:00:00Z");  // the event's, not the wall clock
  EXPECT_EQ(appended[0]["source"], "keel/sink/ops-feed");
  EXPECT_EQ(appended[0]["specversion"], "1.0");
  EXPECT_EQ(appended[1]["id"], SinkAnswerId("e1", "ops-feed", 1));
  EXPECT_EQ(appended[1]["time"], "2026-03-02T10:00:00Z");
}

TEST_F(SinkRunnerTest, AnAnswerTheLogRefusesMakesADeadLetterNotAnotherSend) {
  std::vector<uint64_t> seqs = AppendAll(*log_, {Comment("e1", "acme")});
  auto channel = std::make_shared<ScriptedChannel>([](const StoredEvent&, int) {
    TryResult result = ScriptedChannel::Delivered();
    result.answer_events = {{{"type", "task.linked"}, {"subject", "task/T-1"}}};
    return result;
  });
  auto runner = Runner(channel, Options(), [](std::vector<nlohmann::json>) {
    return Status::InvalidArgument("answer event a-1 was refused: stored with other content");
  });
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();
  EXPECT_EQ(channel->tries(seqs[0]), 1);  // sending again could only make a double
  auto letter = letters_->Get("ops-feed-" + std::to_string(seqs[0]));
  ASSERT_TRUE(letter.ok()) << letter.status().ToString();
  EXPECT_NE(letter->reason.find("stored with other content"), std::string::npos) << letter->reason;
}

TEST_F(SinkRunnerTest, ReadsAheadNoMoreThanMaxPending) {
  std::vector<Event> events;
  for (int i = 0; i < 40; ++i) events.push_back(Comment("e" + std::to_string(i), "ws" + std::to_string(i)));
  std::vector<uint64_t> seqs = AppendAll(*log_, events);
  std::atomic<bool> open{false};
  auto channel = std::make_shared<ScriptedChannel>([&](const StoredEvent&, int) {
    while (!open) std::this_thread::sleep_for(1ms);
    return ScriptedChannel::Delivered();
  });
  SinkOptions options = Options();
  options.max_pending = 5;
  options.concurrency = 2;
  auto runner = Runner(channel, options);
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->Metrics().pending == 5; }));
  std::this_thread::sleep_for(20ms);  // a few polls: the reader stays put
  EXPECT_EQ(runner->Metrics().pending, 5u);
  open = true;
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();
  EXPECT_EQ(runner->Metrics().delivered, 40u);
  EXPECT_EQ(runner->cursor(), seqs.back());
}

TEST_F(SinkRunnerTest, AFullDeadLetterStoreHoldsTheEventBackInsteadOfLosingIt) {
  auto small = SinkDeadLetterStore::Open(dir_ / "small", {.max_letters = 1, .max_bytes = 1 << 20});
  ASSERT_TRUE(small.ok());
  std::vector<uint64_t> seqs = AppendAll(*log_, {Comment("e1", "acme"), Comment("e2", "acme"), Comment("e3", "acme")});
  auto channel = std::make_shared<ScriptedChannel>([](const StoredEvent& event, int) {
    if (event.event.id == "e3") return ScriptedChannel::Delivered();
    return ScriptedChannel::Permanent("HTTP 410: gone");
  });
  SinkParts parts;
  parts.log = log_.get();
  parts.channel = channel;
  parts.dead_letters = small->get();
  auto runner = std::move(SinkRunner::Create(Options(), std::move(parts))).value();
  runner->Start();
  ASSERT_TRUE(Eventually([&] { return runner->Metrics().stalled == 1; }));
  EXPECT_EQ(runner->cursor(), seqs[0]);  // e1 is a letter; e2 has none yet, so the cursor stays before it
  EXPECT_EQ(channel->tries(seqs[2]), 0);
  ASSERT_TRUE((*small)->Remove("ops-feed-" + std::to_string(seqs[0])).ok());  // someone redrove it
  ASSERT_TRUE(Eventually([&] { return runner->CaughtUp(); }));
  runner->Stop();
  EXPECT_EQ(channel->tries(seqs[1]), 1);  // kept, not sent again
  EXPECT_TRUE((*small)->Get("ops-feed-" + std::to_string(seqs[1])).ok());
  SinkMetrics metrics = runner->Metrics();
  EXPECT_EQ(metrics.stalled, 0u);
  EXPECT_EQ(metrics.dead_lettered, 2u);
  EXPECT_EQ(metrics.delivered, 1u);
}

TEST_F(SinkRunnerTest, WakesOnNotifyAppendedAndFollowsTheLog) {
  auto channel = std::make_shared<ScriptedChannel>();
  auto runner = Runner(channel);
  runner->Start();
  std::vector<uint64_t> first = AppendAll(*log_, {Comment("e1", "acme")});
  runner->NotifyAppended(first.back());
  ASSERT_TRUE(Eventually([&] { return runner->Metrics().delivered == 1; }));
  std::vector<uint64_t> second = AppendAll(*log_, {Comment("e2", "acme")});
  ASSERT_TRUE(Eventually([&] { return runner->Metrics().delivered == 2; }));  // the poll finds it
  runner->Stop();
  EXPECT_EQ(runner->cursor(), second.back());
}

TEST_F(SinkRunnerTest, BadOptionsAreRefusedWithTheSinksName) {
  auto channel = std::make_shared<ScriptedChannel>();
  SinkParts parts;
  parts.log = log_.get();
  parts.channel = channel;
  parts.dead_letters = letters_.get();
  SinkOptions options = Options();
  options.concurrency = 0;
  Status refused = SinkRunner::Create(options, parts).status();
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("sink ops-feed: concurrency"), std::string::npos) << refused.message();
  options = Options();
  options.name = "../etc";
  EXPECT_EQ(SinkRunner::Create(options, parts).status().code(), StatusCode::kInvalidArgument);
  options = Options();
  options.selection.types = {"task.*.x"};
  refused = SinkRunner::Create(options, parts).status();
  EXPECT_NE(refused.message().find("task.*.x"), std::string::npos) << refused.message();
}

}  // namespace
}  // namespace keel::sinks
