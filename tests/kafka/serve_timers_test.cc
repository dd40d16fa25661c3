// keel serve fires due timers: a rule with an overdue trigger runs while
// serve runs, and after a restart for a timer that fell due while serve was
// down, once. Due dates are set from the wall clock a few seconds ahead;
// the only waits are deadlines for something to appear.
#include <ctime>
#include <fstream>
#include <thread>

#include "tests/kafka/serve_fixture.h"

namespace keel::testing {
namespace {

using WallClock = std::chrono::system_clock;

std::string Rfc3339(WallClock::time_point when) {
  std::time_t seconds = WallClock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// A task.created at the wall clock's now, due at `due`.
Record TaskDue(const std::string& id, const std::string& workspace, WallClock::time_point due) {
  std::string value = R"({"specversion":"1.0","id":")" + id + R"(","source":"tracker/test","type":"task.created",)" +
                      R"("time":")" + Rfc3339(WallClock::now()) + R"(","subject":"task/)" + id +
                      R"(","workspace":")" + workspace + R"(","actor":"user:alice","data":{"title":"Task )" + id +
                      R"(","status":"todo","due":")" + Rfc3339(due) + R"("}})";
  return {workspace, value, {}};
}

class ServeTimersTest : public ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    pack_ = dir_ / "timer-pack";
    std::filesystem::create_directories(pack_ / "rules");
    std::ofstream(pack_ / "rules" / "overdue.yaml") << "id: overdue-comment\n"
                                                       "on: {overdue: task}\n"
                                                       "then:\n"
                                                       "  - add_comment: \"Overdue since {{ entity.due }}\"\n";
  }

  // Reads the output until `count` comment.added events have come; returns
  // everything read, in the order of its partitions.
  std::vector<Record> WaitForComments(size_t count, std::chrono::milliseconds timeout = 90s) {
    return ConsumeUntil(
        cluster_->bootstrap(), "keel-out", kOutputPartitions,
        [count](const std::vector<Record>& records) { return Count(records, "comment.added") >= count; }, timeout,
        std::to_string(count) + " comments derived from timer.fired");
  }

  static size_t Count(const std::vector<Record>& records, const std::string& type) {
    return std::count_if(records.begin(), records.end(),
                         [&](const Record& r) { return JsonField(r.value, "type") == type; });
  }

  static std::map<std::string, Record> ById(const std::vector<Record>& records) {
    std::map<std::string, Record> by_id;
    for (const Record& r : records) by_id[JsonField(r.value, "id")] = r;
    return by_id;
  }

  // The timer.fired events in every partition log.
  int TimersFiredInLogs() {
    int fired = 0;
    ForEachEventInLogs("data", [&](const StoredEvent& stored) { fired += stored.event.type == "timer.fired"; });
    return fired;
  }

  static uint64_t Counter(int port, const std::string& name) {
    auto [status, text] = HttpGet(port, "/metrics");
    size_t at = text.find("\n" + name + " ");
    if (status != 200 || at == std::string::npos) return UINT64_MAX;
    return std::stoull(text.substr(at + name.size() + 2));
  }
};

TEST_F(ServeTimersTest, OverdueTimersFireWhileServingAndWhatTheyDeriveReachesTheOutput) {
  CreateTopics();
  ServeSettings settings = Settings();
  settings.http_port = FreePort();
  auto serve = StartServe(settings);
  // One task already overdue (its timer fires at once), one due in a few seconds.
  ProduceAll(cluster_->bootstrap(), "work-events",
             {TaskDue("late", "ws0", WallClock::now() - std::chrono::hours(24)),
              TaskDue("soon", "ws1", WallClock::now() + 3s)});
  std::vector<Record> out = WaitForComments(2);
  auto by_id = ById(out);
  std::set<std::string> fired_for;
  for (const Record& comment : out) {
    if (JsonField(comment.value, "type") != "comment.added") continue;
    EXPECT_EQ(JsonField(comment.value, "ruleid"), "overdue-comment") << comment.value;
    // comment.added <- timer.fired <- timer.scheduled <- the task.created.
    auto fired = by_id.find(JsonField(comment.value, "causationid"));
    ASSERT_NE(fired, by_id.end()) << "the timer.fired behind " << comment.value << " is not in the output";
    EXPECT_EQ(JsonField(fired->second.value, "type"), "timer.fired");
    EXPECT_EQ(fired->second.key, JsonField(comment.value, "workspace"));
    auto scheduled = by_id.find(JsonField(fired->second.value, "causationid"));
    ASSERT_NE(scheduled, by_id.end()) << fired->second.value;
    EXPECT_EQ(JsonField(scheduled->second.value, "type"), "timer.scheduled");
    fired_for.insert(JsonField(comment.value, "correlationid"));
  }
  EXPECT_EQ(fired_for, (std::set<std::string>{"late", "soon"}));
  EXPECT_EQ(Counter(settings.http_port, "keel_timers_fired_total"), 2u);
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
}

TEST_F(ServeTimersTest, ATimerThatFellDueWhileServeWasDownFiresOnceAfterRestart) {
  CreateTopics();
  ServeSettings settings = Settings();
  settings.http_port = FreePort();
  auto serve = StartServe(settings);
  WaitForAssignment({settings.http_port}, {kInputPartitions}, 60s);
  // Far enough ahead for serve to take the task in and stop before it falls due.
  auto due = WallClock::now() + 12s;
  ProduceAll(cluster_->bootstrap(), "work-events", {TaskDue("downtime", "ws2", due)});
  ConsumeUntil(
      cluster_->bootstrap(), "keel-out", kOutputPartitions,
      [](const std::vector<Record>& r) { return Count(r, "timer.scheduled") >= 1; }, 60s, "the timer.scheduled");
  ASSERT_EQ(serve->Stop(), 0) << serve->LogText();
  ASSERT_LT(WallClock::now(), due) << "serve took too long to stop for this test to mean anything";
  ASSERT_EQ(TimersFiredInLogs(), 0);

  std::this_thread::sleep_until(due + 1s);  // serve is down when the timer falls due
  settings.http_port = FreePort();
  serve = StartServe(settings, "serve2");
  std::vector<Record> out = WaitForComments(1);
  EXPECT_EQ(Counter(settings.http_port, "keel_timers_fired_total"), 1u);
  ASSERT_EQ(serve->Stop(), 0) << serve->LogText();
  EXPECT_EQ(TimersFiredInLogs(), 1);
  EXPECT_EQ(Count(out, "timer.fired"), 1u);
  EXPECT_EQ(Count(out, "comment.added"), 1u);

  // A third start finds nothing left to fire.
  settings.http_port = FreePort();
  serve = StartServe(settings, "serve3");
  WaitForAssignment({settings.http_port}, {kInputPartitions}, 60s);
  std::this_thread::sleep_for(1s);  // several timer checks (every 100 ms)
  EXPECT_EQ(Counter(settings.http_port, "keel_timers_fired_total"), 0u);
  ASSERT_EQ(serve->Stop(), 0) << serve->LogText();
  EXPECT_EQ(TimersFiredInLogs(), 1);
}

}  // namespace
}  // namespace keel::testing
