// Two keel serve processes in one consumer group share a data folder (as
// on one machine, or a shared volume): they split the partitions, and when
// one stops the other takes its partitions over from their stored offsets
// with nothing lost and nothing applied twice.
#include <regex>
#include <thread>

#include "tests/kafka/serve_fixture.h"

namespace keel::testing {
namespace {

int AssignedPartitions(int port) {
  auto [status, text] = HttpGet(port, "/metrics");
  std::smatch match;
  static const std::regex kGauge("keel_assigned_partitions (\\d+)");
  if (status != 200 || !std::regex_search(text, match, kGauge)) return -1;
  return std::stoi(match[1]);
}

// Waits until the instances on `ports` hold `expected` partitions each.
void WaitForAssignment(const std::vector<int>& ports, const std::vector<int>& expected,
                       std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string seen;
  while (std::chrono::steady_clock::now() < deadline) {
    seen.clear();
    bool all = true;
    for (size_t i = 0; i < ports.size(); ++i) {
      int held = AssignedPartitions(ports[i]);
      seen += std::to_string(held) + " ";
      all = all && held == expected[i];
    }
    if (all) return;
    std::this_thread::sleep_for(200ms);
  }
  throw std::runtime_error("partitions held: " + seen + "; expected them split as wanted within " +
                           std::to_string(timeout.count()) + " ms");
}

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

}  // namespace
}  // namespace keel::testing
