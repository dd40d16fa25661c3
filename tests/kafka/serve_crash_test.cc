// keel serve killed with SIGKILL in the middle of a stream and started
// again: every input is applied once, every expected derived event reaches
// the output topic, and a derived event published twice has the same id.
#include <algorithm>
#include <thread>

#include "tests/kafka/serve_fixture.h"

namespace keel::testing {
namespace {

TEST_F(ServeTest, KillNineMidStreamThenRestartLosesNothingAndAppliesOnce) {
  CreateTopics();
  constexpr int kEvents = 3000;
  std::vector<Record> inputs = TaskEvents("crash", kEvents);
  std::set<std::string> causes;
  for (const Record& r : inputs) causes.insert(JsonField(r.value, "id"));
  ServeSettings settings = Settings();
  // Small batches, so the kill lands between many WriteBatches.
  settings.extra["batch_max_messages"] = "50";
  settings.http_port = FreePort();
  auto serve = StartServe(settings);
  WaitForAssignment({settings.http_port}, {kInputPartitions}, 60s);
  // The input arrives while keel serves it, and keel is killed once some,
  // not all, of the output is there.
  std::string producer_error;
  std::thread producer([&] {
    try {
      for (size_t first = 0; first < inputs.size(); first += 100) {
        std::vector<Record> chunk(inputs.begin() + first, inputs.begin() + std::min(first + 100, inputs.size()));
        ProduceAll(cluster_->bootstrap(), "work-events", chunk);
        std::this_thread::sleep_for(100ms);
      }
    } catch (const std::exception& e) {
      producer_error = e.what();
    }
  });
  ConsumeUntil(
      cluster_->bootstrap(), "keel-out", kOutputPartitions,
      [](const std::vector<Record>& r) { return r.size() >= 200; }, 60s, "the first 200 derived events");
  serve->Kill();
  auto partial = InputEventsInLogs();
  producer.join();
  ASSERT_EQ(producer_error, "");
  EXPECT_GT(partial.size(), 0u);
  EXPECT_LT(partial.size(), static_cast<size_t>(kEvents)) << "the kill came too late to test anything";

  serve = StartServe(settings, "serve-restarted");
  auto derived = WaitForDerived(causes, 90s);
  ASSERT_EQ(serve->Stop(), 0);
  for (const auto& [cause, ids] : derived) {
    EXPECT_EQ(ids.size(), 1u) << "input " << cause << " derived events with different ids";
  }
  auto appended = InputEventsInLogs();
  EXPECT_EQ(appended.size(), static_cast<size_t>(kEvents));
  for (const auto& [id, times] : appended) EXPECT_EQ(times, 1) << id << " was appended " << times << " times";
}

}  // namespace
}  // namespace keel::testing
