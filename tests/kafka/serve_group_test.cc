// Two keel serve processes in one consumer group share a data folder (as
// on one machine, or a shared volume): they split the partitions, and when
// one stops the other takes its partitions over from their stored offsets
// with nothing lost and nothing applied twice. An instance restarted after a
// clean stop or a kill -9 joins the same group again and goes on from its
// stored offsets.
#include <csignal>
#include <regex>
#include <thread>

#include "tests/kafka/serve_fixture.h"

namespace keel::testing {
namespace {

TEST_F(ServeTest, TwoInstancesSplitThePartitionsAndOneTakesOverWhenTheOtherStops) {
  CreateTopics(6);
  ServeSettings a = Settings(), b = Settings();
  a.http_port = FreePort();
  b.http_port = FreePort();
  auto first = StartServe(a, "a");
  WaitForAssignment({a.http_port}, {6}, 60s);
  auto second = StartServe(b, "b");
  WaitForAssignment({a.http_port, b.http_port}, {3, 3}, 60s);

  std::vector<Record> batch1 = TaskEvents("one", 300, 12);
  ProduceAll(cluster_->bootstrap(), "work-events", batch1);
  std::set<std::string> causes;
  for (const Record& r : batch1) causes.insert(JsonField(r.value, "id"));
  WaitForDerived(causes);

  ASSERT_EQ(first->Stop(), 0) << first->LogText();
  WaitForAssignment({b.http_port}, {6}, 60s);
  std::vector<Record> batch2 = TaskEvents("two", 300, 12);
  ProduceAll(cluster_->bootstrap(), "work-events", batch2);
  for (const Record& r : batch2) causes.insert(JsonField(r.value, "id"));
  auto derived = WaitForDerived(causes, 90s);
  ASSERT_EQ(second->Stop(), 0) << second->LogText();

  for (const auto& [cause, ids] : derived) EXPECT_EQ(ids.size(), 1u) << cause;
  auto appended = InputEventsInLogs();
  EXPECT_EQ(appended.size(), 600u);
  for (const auto& [id, times] : appended) EXPECT_EQ(times, 1) << id;
  EXPECT_NE(first->LogText().find("partition revoked"), std::string::npos);
}

// The stored offsets a serve's log says it started its partitions at, added
// up (a partition with none starts at the beginning, -2, and counts 0).
int64_t AssignedOffsetsSum(const std::string& log) {
  static const std::regex kAssigned(R"re("msg":"partition assigned".*"offset":"(\d+)")re");
  int64_t sum = 0;
  for (std::sregex_iterator it(log.begin(), log.end(), kAssigned), end; it != end; ++it) sum += std::stoll((*it)[1]);
  return sum;
}

// Under librdkafka's mock a rejoin waits for its group coordinator's timers,
// never for keel (see WriteServeConfig): after a LeaveGroup the group stays
// Joining for session.timeout.ms - 1 s, and after a kill -9 the dead member
// is elected leader once and the rebalance runs again when its session
// expires, about 2 x session.timeout.ms in all.
class ServeRestartTest : public ServeTest {
 protected:
  // Serves until the first inputs' derived events are out, stops serve with
  // `signal` (SIGKILL: a crash), starts it again with the same settings (the
  // same group) and waits at most `wait` for the next inputs' output.
  void StopAndRestartInTheSameGroup(int signal, std::chrono::milliseconds wait) {
    CreateTopics();
    ServeSettings settings = Settings();
    settings.http_port = FreePort();
    std::vector<Record> before = TaskEvents("before", 60), after = TaskEvents("after", 60);
    std::set<std::string> causes = Ids(before);
    ProduceAll(cluster_->bootstrap(), "work-events", before);
    auto first = StartServe(settings, "first");
    WaitForDerived(causes);
    if (signal == SIGKILL) {
      first->Kill();
    } else {
      ASSERT_EQ(first->Stop(signal), 0) << first->LogText();
    }

    auto second = StartServe(settings, "second");
    ProduceAll(cluster_->bootstrap(), "work-events", after);
    for (const std::string& id : Ids(after)) causes.insert(id);
    auto derived = WaitForDerived(causes, wait);
    std::string second_log = second->LogText();
    ASSERT_EQ(second->Stop(), 0) << second_log;

    // Every partition started where the first serve's log left it.
    EXPECT_EQ(AssignedOffsetsSum(second_log), static_cast<int64_t>(before.size())) << second_log;
    for (const auto& [cause, ids] : derived) EXPECT_EQ(ids.size(), 1u) << cause;
    auto appended = InputEventsInLogs();
    EXPECT_EQ(appended.size(), before.size() + after.size());
    for (const auto& [id, times] : appended) EXPECT_EQ(times, 1) << id;
  }
};

TEST_F(ServeRestartTest, RestartAfterSigtermRejoinsTheSameGroup) { StopAndRestartInTheSameGroup(SIGTERM, 30s); }

TEST_F(ServeRestartTest, RestartAfterKillNineRejoinsTheSameGroup) { StopAndRestartInTheSameGroup(SIGKILL, 60s); }

}  // namespace
}  // namespace keel::testing
