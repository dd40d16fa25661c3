// Durable timers in the engine: the `timers` family kept by the append path,
// firing with an injected clock, catch-up after a restart, the event clock.
#include <functional>

#include <gtest/gtest.h>

#include "engine/schema/event_decoder.h"
#include "engine/log/event_log.h"
#include "engine/json_time.h"
#include "engine/log_format.h"
#include "engine/ingest/scheduler.h"
#include "engine/schema/schema_registry.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using nlohmann::json;
using testing::MakeEvent;

int64_t Micros(const char* time) { return ParseRfc3339Micros(time).value(); }

class FakeReactor : public Reactor {
 public:
  using Rule = std::function<Status(const ReactionInput&, StateReader&, Reaction*)>;
  explicit FakeReactor(Rule rule) : rule_(std::move(rule)) {}
  const std::string& ruleset_hash() const override { return hash_; }
  Status React(const ReactionInput& input, StateReader& state, Reaction* reaction) override {
    return rule_(input, state, reaction);
  }

 private:
  Rule rule_;
  std::string hash_ = std::string(64, 'a');
};

class TimerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { schemas_ = std::move(SchemaRegistry::LoadEmbedded()).value().release(); }

  std::unique_ptr<EventLog> Open(LogOptions options = {}) {
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    return std::move(EventLog::Open(dir_ / "db", options)).value();
  }

  static Event Scheduled(std::string id, std::string timer, std::string at, std::string time = "2026-03-02T09:00:00Z",
                         std::string subject = "task/T-1") {
    return MakeEvent({.id = std::move(id), .type = "timer.scheduled", .subject = std::move(subject),
                      .time = std::move(time),
                      .data = {{"timer", std::move(timer)}, {"name", "remind"}, {"scheduled_for", std::move(at)}}});
  }

  static Event Cancelled(std::string id, std::string timer) {
    return MakeEvent({.id = std::move(id), .type = "timer.cancelled", .data = {{"timer", std::move(timer)}}});
  }

  static std::vector<AppendResult> Append(EventLog& log, std::vector<Event> events) {
    std::vector<AppendRequest> group;
    for (Event& e : events) group.push_back({std::move(e), std::nullopt});
    return std::move(log.Append(std::move(group))).value();
  }

  static std::vector<StoredEvent> All(const EventLog& log) {
    std::vector<StoredEvent> events;
    EXPECT_TRUE(log.Scan(1, UINT64_MAX, [&](const StoredEvent& e) {
      events.push_back(e);
      return true;
    }).ok());
    return events;
  }

  static std::vector<std::string> Types(const EventLog& log) {
    std::vector<std::string> types;
    for (const StoredEvent& e : All(log)) types.push_back(e.event.type + "@" + e.event.time);
    return types;
  }

  static size_t TimerKeys(const EventLog& log) {
    size_t keys = 0;
    EXPECT_TRUE(log.ScanColumnFamily(log_format::kTimers, [&](std::string_view, std::string_view) {
      ++keys;
      return true;
    }).ok());
    return keys;
  }

  static size_t Count(const EventLog& log, std::string_view type) {
    size_t n = 0;
    for (const StoredEvent& e : All(log)) n += e.event.type == type;
    return n;
  }

  static SchemaRegistry* schemas_;
  testing::TempDir dir_;
};
SchemaRegistry* TimerTest::schemas_ = nullptr;

TEST_F(TimerTest, ScheduledEventPutsTheTimerInTheTimersFamily) {
  auto log = Open();
  Append(*log, {Scheduled("s1", "tm-1", "2026-03-03T10:00:00+01:00")});
  auto timer = log->GetTimer("acme", "tm-1");
  ASSERT_TRUE(timer.ok() && timer->has_value());
  EXPECT_EQ((*timer)->fire_micros, Micros("2026-03-03T09:00:00Z"));
  EXPECT_EQ((*timer)->scheduled_for, "2026-03-03T10:00:00+01:00");
  EXPECT_EQ((*timer)->scheduled_by, "s1");
  EXPECT_EQ((*timer)->subject, "task/T-1");
  EXPECT_EQ(TimerKeys(*log), 2u);  // the due entry and the by-id entry
  EXPECT_FALSE(log->GetTimer("globex", "tm-1")->has_value()) << "timer ids are per workspace";
  EXPECT_EQ(*log->NextTimerDue(), Micros("2026-03-03T09:00:00Z"));
}

TEST_F(TimerTest, CancelledTimerLeavesTheFamily) {
  auto log = Open();
  Append(*log, {Scheduled("s1", "tm-1", "2026-03-03T09:00:00Z"), Cancelled("c1", "tm-1")});
  EXPECT_FALSE(log->GetTimer("acme", "tm-1")->has_value());
  EXPECT_EQ(TimerKeys(*log), 0u);
  // Cancelling a timer that is not pending is accepted and changes nothing.
  EXPECT_EQ(Append(*log, {Cancelled("c2", "tm-9")})[0].outcome, AppendOutcome::kAppended);
  EXPECT_EQ(TimerKeys(*log), 0u);
}

TEST_F(TimerTest, SchedulingAPendingTimerIdAgainReschedulesIt) {
  auto log = Open();
  Append(*log, {Scheduled("s1", "tm-1", "2026-03-03T09:00:00Z")});
  Append(*log, {Scheduled("s2", "tm-1", "2026-03-05T09:00:00Z")});
  EXPECT_EQ((*log->GetTimer("acme", "tm-1"))->fire_micros, Micros("2026-03-05T09:00:00Z"));
  EXPECT_EQ(TimerKeys(*log), 2u) << "the old due entry is gone";
  FakeClock clock(Micros("2026-03-04T00:00:00Z"));
  Scheduler scheduler(log.get(), &clock);
  EXPECT_EQ(*scheduler.FireDue(), 0u) << "nothing is due at the old time";
}

TEST_F(TimerTest, SchedulerFiresOnlyWhatIsDueAsTimerFired) {
  auto log = Open();
  Append(*log, {Scheduled("s1", "tm-late", "2026-03-03T10:00:00Z"), Scheduled("s2", "tm-early", "2026-03-03T09:00:00Z")});
  FakeClock clock(Micros("2026-03-03T09:30:00Z"));
  Scheduler scheduler(log.get(), &clock);
  EXPECT_EQ(*scheduler.FireDue(), 1u);
  std::vector<StoredEvent> events = All(*log);
  ASSERT_EQ(events.size(), 3u);
  const Event& fired = events[2].event;
  EXPECT_EQ(fired.type, "timer.fired");
  EXPECT_EQ(fired.time, "2026-03-03T09:00:00Z") << "the scheduled time, not the clock's";
  EXPECT_EQ(fired.causation_id, "s2");
  EXPECT_EQ(fired.subject, "task/T-1");
  EXPECT_EQ(fired.workspace, "acme");
  EXPECT_EQ(fired.id.substr(0, 2), "f-");
  // Fired half an hour late: the clock of the firing is recorded (engine/log/timer.h).
  EXPECT_EQ(json::parse(fired.data()), json::parse(R"({"timer":"tm-early","name":"remind","scheduled_for":"2026-03-03T09:00:00Z",)"
                                                   R"("fired_at":"2026-03-03T09:30:00Z"})"));
  // The fired event is a valid timer.fired.
  EventDecoder decoder(schemas_);
  auto valid = decoder.DecodeDerived(fired.canonical);
  EXPECT_TRUE(valid.ok()) << valid.status().ToString();
  EXPECT_FALSE(log->GetTimer("acme", "tm-early")->has_value());
  EXPECT_EQ(*scheduler.FireDue(), 0u) << "time has not moved: nothing more is due";
  clock.Set(Micros("2026-03-03T10:00:00Z"));
  EXPECT_EQ(*scheduler.FireDue(), 1u) << "due at exactly now fires";
  EXPECT_EQ(Count(*log, "timer.fired"), 2u);
  EXPECT_FALSE(log->NextTimerDue()->has_value());
}

TEST_F(TimerTest, TimersThatFellDueWhileDownFireOnceAfterRestartInTimeOrder) {
  {
    auto log = Open();
    Append(*log, {Scheduled("s1", "tm-b", "2026-03-04T09:00:00Z"), Scheduled("s2", "tm-a", "2026-03-03T09:00:00Z"),
                  Scheduled("s3", "tm-c", "2026-04-01T09:00:00Z")});
  }
  auto log = Open();  // restart, a week later
  FakeClock clock(Micros("2026-03-10T00:00:00Z"));
  Scheduler scheduler(log.get(), &clock, {.timers_per_batch = 1});
  EXPECT_EQ(*scheduler.FireDue(), 2u);
  EXPECT_EQ(Types(*log), (std::vector<std::string>{"timer.scheduled@2026-03-02T09:00:00Z", "timer.scheduled@2026-03-02T09:00:00Z",
                                                   "timer.scheduled@2026-03-02T09:00:00Z", "timer.fired@2026-03-03T09:00:00Z",
                                                   "timer.fired@2026-03-04T09:00:00Z"}));
  EXPECT_EQ(*scheduler.FireDue(), 0u);
  log.reset();
  log = Open();  // and again: nothing fires twice
  Scheduler again(log.get(), &clock);
  EXPECT_EQ(*again.FireDue(), 0u);
  EXPECT_EQ(Count(*log, "timer.fired"), 2u);
  EXPECT_TRUE(log->GetTimer("acme", "tm-c")->has_value());
}

TEST_F(TimerTest, TimerScheduledEarlierThanOnesAlreadyFiredStillFires) {
  auto log = Open();
  Append(*log, {Scheduled("s1", "tm-1", "2026-03-03T10:00:00Z"), Scheduled("s2", "tm-2", "2026-03-03T11:00:00Z")});
  ASSERT_EQ(*log->FireDueTimers(Micros("2026-03-03T10:30:00Z"), 10), 1u);
  // Due scans start past the timers fired before; one scheduled before them
  // (catch-up of something late) must still be found.
  Append(*log, {Scheduled("s3", "tm-3", "2026-03-03T08:00:00Z")});
  EXPECT_EQ(*log->FireDueTimers(Micros("2026-03-03T10:30:00Z"), 10), 1u);
  EXPECT_FALSE(log->GetTimer("acme", "tm-3")->has_value());
  EXPECT_EQ(*log->FireDueTimers(Micros("2026-03-03T12:00:00Z"), 10), 1u);
  EXPECT_EQ(TimerKeys(*log), 0u);
}

TEST_F(TimerTest, ReplayedTimerFiredTakesItsTimerOffAndIsADuplicateTheSecondTime) {
  auto log = Open();
  Append(*log, {Scheduled("s1", "tm-1", "2026-03-03T09:00:00Z")});
  ASSERT_EQ(*log->FireDueTimers(Micros("2026-03-03T09:00:00Z"), 10), 1u);
  Event fired = All(*log).back().event;
  // A replay appends the recorded timer.fired as an input: in a fresh log
  // with the same scheduling it takes the timer off the list.
  testing::TempDir other;
  LogOptions options;
  options.create_if_missing = true;
  auto replay = std::move(EventLog::Open(other / "db", options)).value();
  Append(*replay, {Scheduled("s1", "tm-1", "2026-03-03T09:00:00Z")});
  EXPECT_EQ(Append(*replay, {fired})[0].outcome, AppendOutcome::kAppended);
  EXPECT_FALSE(replay->GetTimer("acme", "tm-1")->has_value());
  EXPECT_EQ(Append(*log, {fired})[0].outcome, AppendOutcome::kDuplicate);
}

TEST_F(TimerTest, FiredEventOfAnEarlierSchedulingLeavesTheLaterOnePending) {
  auto log = Open();
  Append(*log, {Scheduled("s1", "tm-1", "2026-03-03T09:00:00Z")});
  ASSERT_EQ(*log->FireDueTimers(Micros("2026-03-03T09:00:00Z"), 10), 1u);
  Event fired = All(*log).back().event;
  testing::TempDir other;
  LogOptions options;
  options.create_if_missing = true;
  auto second = std::move(EventLog::Open(other / "db", options)).value();
  Append(*second, {Scheduled("s1", "tm-1", "2026-03-03T09:00:00Z"), Scheduled("s2", "tm-1", "2026-03-09T09:00:00Z")});
  Append(*second, {fired});
  ASSERT_TRUE(second->GetTimer("acme", "tm-1")->has_value()) << "s2's timer is not the one that fired";
  EXPECT_EQ((*second->GetTimer("acme", "tm-1"))->scheduled_by, "s2");
}

TEST_F(TimerTest, IngestRefusesTimerFiredFromOutside) {
  EventDecoder decoder(schemas_);
  json fired = {{"specversion", "1.0"}, {"id", "x"},     {"source", "me"},         {"type", "timer.fired"},
                {"subject", "task/T-1"}, {"time", "2026-03-02T09:00:00Z"}, {"workspace", "acme"}, {"actor", "user:a"},
                {"data", {{"timer", "tm-1"}, {"name", "n"}, {"scheduled_for", "2026-03-02T09:00:00Z"}}}};
  auto decoded = decoder.DecodeInput(fired.dump());
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("appended by the engine only"), std::string::npos);
}

TEST_F(TimerTest, EventClockFiresDueTimersBeforeEachInputEventInTheSameBatch) {
  LogOptions options;
  options.fire_timers_at_event_time = true;
  auto log = Open(options);
  Append(*log, {Scheduled("s1", "tm-1", "2026-03-02T10:00:00Z"),
                MakeEvent({.id = "e1", .time = "2026-03-02T09:30:00Z", .data = {{"to", "doing"}}}),
                MakeEvent({.id = "e2", .time = "2026-03-02T10:00:00Z", .data = {{"to", "done"}}})});
  EXPECT_EQ(Types(*log), (std::vector<std::string>{"timer.scheduled@2026-03-02T09:00:00Z",
                                                   "task.status_changed@2026-03-02T09:30:00Z",
                                                   "timer.fired@2026-03-02T10:00:00Z",
                                                   "task.status_changed@2026-03-02T10:00:00Z"}));
}

TEST_F(TimerTest, EventClockAcrossBatchesFiresEachTimerBeforeTheFirstEventPastIt) {
  LogOptions options;
  options.fire_timers_at_event_time = true;
  auto log = Open(options);
  auto at = [](std::string id, const char* time) {
    return MakeEvent({.id = std::move(id), .time = time, .data = {{"to", "x"}}});
  };
  Append(*log, {Scheduled("s1", "tm-10", "2026-03-02T10:00:00Z"), Scheduled("s2", "tm-12", "2026-03-02T12:00:00Z")});
  Append(*log, {at("e1", "2026-03-02T11:00:00Z")});
  Append(*log, {at("e2", "2026-03-02T11:30:00Z")});
  Append(*log, {at("e3", "2026-03-02T12:00:00Z")});
  // Scheduled later for earlier than anything fired so far: fires before the next event.
  Append(*log, {Scheduled("s3", "tm-8", "2026-03-02T08:00:00Z", "2026-03-02T12:30:00Z")});
  Append(*log, {at("e4", "2026-03-02T12:31:00Z")});
  std::vector<std::string> order;
  for (const StoredEvent& e : All(*log)) order.push_back(e.event.type == "timer.fired" ? "fired " + e.event.time : e.event.id);
  EXPECT_EQ(order, (std::vector<std::string>{"s1", "s2", "fired 2026-03-02T10:00:00Z", "e1", "e2",
                                             "fired 2026-03-02T12:00:00Z", "e3", "s3", "fired 2026-03-02T08:00:00Z",
                                             "e4"}));
  // A restart forgets what it knew of the earliest timer, and finds it again.
  log.reset();
  log = Open(options);
  Append(*log, {Scheduled("s4", "tm-13", "2026-03-02T13:00:00Z", "2026-03-02T12:40:00Z")});
  log.reset();
  log = Open(options);
  Append(*log, {at("e5", "2026-03-02T13:00:00Z")});
  EXPECT_EQ(All(*log)[All(*log).size() - 2].event.type, "timer.fired");
}

TEST_F(TimerTest, TimerACascadeSchedulesFiresInTheSameCallWhenDue) {
  auto log = Open();
  log->SetReactor(std::make_shared<FakeReactor>([](const ReactionInput& in, StateReader& state, Reaction* out) {
    if (in.event.type != "timer.fired" || json::parse(in.event.data())["timer"] != "tm-1") return Status::OK();
    auto pending = state.GetTimer("acme", "tm-1");
    EXPECT_TRUE(pending.ok() && !pending->has_value()) << "the firing timer is off the list already";
    out->events.push_back({"r", "then[0]", "timer.scheduled", "task/T-1",
                           R"({"timer":"tm-2","name":"next","scheduled_for":"2026-03-03T09:30:00Z"})", {}});
    return Status::OK();
  }), schemas_);
  Append(*log, {Scheduled("s1", "tm-1", "2026-03-03T09:00:00Z")});
  EXPECT_EQ(*log->FireDueTimers(Micros("2026-03-03T12:00:00Z"), 100), 2u);
  EXPECT_EQ(Count(*log, "timer.fired"), 2u);
  EXPECT_EQ(TimerKeys(*log), 0u);
}

// Sooner than a minute after the firing (engine/log/timer_rearm.h) it is refused:
// a timer re-arming itself at once would fire again in the same call forever.
TEST_F(TimerTest, TimerACascadeSchedulesLessThanAMinuteAfterTheFiringIsRefused) {
  auto log = Open();
  log->SetReactor(std::make_shared<FakeReactor>([](const ReactionInput& in, StateReader&, Reaction* out) {
    if (in.event.type != "timer.fired") return Status::OK();
    out->events.push_back({"r", "then[0]", "timer.scheduled", "task/T-1",
                           R"({"timer":"tm-2","name":"next","scheduled_for":"2026-03-03T09:00:59Z"})", {}});
    return Status::OK();
  }), schemas_);
  Append(*log, {Scheduled("s1", "tm-1", "2026-03-03T09:00:00Z")});
  EXPECT_EQ(*log->FireDueTimers(Micros("2026-03-03T12:00:00Z"), 100), 1u);
  EXPECT_EQ(Count(*log, "timer.fired"), 1u);
  EXPECT_EQ(Count(*log, "rule.failed"), 1u);
  EXPECT_EQ(TimerKeys(*log), 0u);
}

TEST_F(TimerTest, ReactorSeesTheBatchsOwnTimers) {
  auto log = Open();
  std::vector<bool> seen;
  log->SetReactor(std::make_shared<FakeReactor>([&](const ReactionInput& in, StateReader& state, Reaction*) {
    if (in.event.type == "task.status_changed") seen.push_back(state.GetTimer("acme", "tm-1")->has_value());
    return Status::OK();
  }), schemas_);
  Append(*log, {MakeEvent({.id = "e0", .data = {{"to", "a"}}}), Scheduled("s1", "tm-1", "2026-03-03T09:00:00Z"),
                MakeEvent({.id = "e1", .data = {{"to", "b"}}}), Cancelled("c1", "tm-1"),
                MakeEvent({.id = "e2", .data = {{"to", "c"}}})});
  EXPECT_EQ(seen, (std::vector<bool>{false, true, false}));
}

TEST_F(TimerTest, OnlyTheSystemWorkspaceMayDeriveIntoAnotherWorkspace) {
  auto log = Open();
  log->SetReactor(std::make_shared<FakeReactor>([](const ReactionInput& in, StateReader&, Reaction* out) {
    if (in.event.type == "timer.scheduled") return Status::OK();
    DerivedEventRequest request{"r", "on", "timer.scheduled", "rule/r",
                                R"({"timer":"sch-1","name":"schedule:r","scheduled_for":"2026-03-09T09:00:00Z"})", "globex"};
    out->events.push_back(request);
    return Status::OK();
  }), schemas_);
  // A tenant's event cannot reach another workspace (invariant 8).
  auto refused = log->Append({{MakeEvent({.id = "e1", .data = {{"to", "done"}}}), std::nullopt}});
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(log->Head().seq, 0u);
  // The engine's activation event may: that is how schedules are armed.
  RuleSetActivation activation;
  activation.hash = std::string(64, 'a');
  activation.time = "2026-03-02T09:00:00Z";
  ASSERT_TRUE(log->ActivateRuleSet(activation).ok());
  auto timer = log->GetTimer("globex", "sch-1");
  ASSERT_TRUE(timer.ok() && timer->has_value());
  EXPECT_EQ(All(*log).back().event.workspace, "globex");
}

}  // namespace
}  // namespace keel
