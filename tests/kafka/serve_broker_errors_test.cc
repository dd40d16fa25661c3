// keel serve against a cluster that misbehaves: request errors injected
// into produce, fetch and offset-commit requests, and a broker taken off the
// network and back. Everything still arrives once in the logs.
#include <thread>

#include "tests/kafka/serve_fixture.h"

namespace keel::testing {
namespace {

// Kafka API keys and error codes (the protocol's numbers).
constexpr int kProduceApi = 0, kFetchApi = 1, kOffsetCommitApi = 8;
constexpr int kNotLeader = 6, kRequestTimedOut = 7, kNotCoordinator = 16;

TEST_F(ServeTest, RecoversFromInjectedRequestErrorsAndABrokerGoingDown) {
  CreateTopics();
  auto serve = StartServe(Settings());
  std::vector<Record> before = TaskEvents("before", 30);
  ProduceAll(cluster_->bootstrap(), "work-events", before);
  std::set<std::string> causes;
  for (const Record& r : before) causes.insert(JsonField(r.value, "id"));
  WaitForDerived(causes);

  auto errors = [](int api, int error, int count) {
    std::string command = "errors " + std::to_string(api);
    for (int i = 0; i < count; ++i) command += " " + std::to_string(error);
    return command;
  };
  cluster_->Command(errors(kProduceApi, kNotLeader, 5));
  cluster_->Command(errors(kProduceApi, kRequestTimedOut, 3));
  cluster_->Command(errors(kFetchApi, kNotLeader, 5));
  cluster_->Command(errors(kOffsetCommitApi, kNotCoordinator, 3));
  cluster_->Command("down 2");
  std::vector<Record> after = TaskEvents("after", 30);
  std::string producer_error;
  std::thread producer([&] {
    try {
      ProduceAll(cluster_->bootstrap(), "work-events", after);
    } catch (const std::exception& e) {
      producer_error = e.what();
    }
  });
  std::this_thread::sleep_for(2s);  // keel and the producer meet the down broker
  cluster_->Command("up 2");
  producer.join();
  ASSERT_EQ(producer_error, "");
  for (const Record& r : after) causes.insert(JsonField(r.value, "id"));
  auto derived = WaitForDerived(causes, 90s);
  for (const auto& [cause, ids] : derived) EXPECT_EQ(ids.size(), 1u) << cause;
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
  auto appended = InputEventsInLogs();
  EXPECT_EQ(appended.size(), 60u);
  for (const auto& [id, times] : appended) EXPECT_EQ(times, 1) << id;
}

}  // namespace
}  // namespace keel::testing
