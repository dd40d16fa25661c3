// Two keel serve processes in one consumer group share a data folder (as
// on one machine, or a shared volume): they split the partitions, and when
// one stops the other takes its partitions over from their stored offsets
// with nothing lost and nothing applied twice.
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

}  // namespace
}  // namespace keel::testing
