// `keel serve` with brokers delivering to a webhook sink: every assigned
// partition's log runs the sink, so each derived event reaches the loopback
// server once, in order per workspace, with its id as Idempotency-Key; the
// sink's metrics are summed over the partitions.
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "tests/kafka/serve_fixture.h"
#include "tests/support/recording_http_server.h"

namespace keel::testing {
namespace {

TEST_F(ServeTest, AWebhookSinkGetsEveryDerivedEventOfEveryPartitionInOrderPerWorkspace) {
  RecordingHttpServer feed;
  CreateTopics();
  ServeSettings settings = Settings();
  settings.http_port = FreePort();
  settings.extra["sinks"] = "[{name: ops-feed, kind: webhook, types: [comment.added], url: \"" + feed.Url("/keel") + "\"}]";
  auto serve = StartServe(settings);
  constexpr int kEvents = 60;
  ProduceAll(cluster_->bootstrap(), "work-events", TaskEvents("sink", kEvents));
  ASSERT_TRUE(feed.WaitForRequests(kEvents, 90s)) << feed.RequestCount() << "\n" << serve->LogText();
  std::this_thread::sleep_for(500ms);  // nothing more should come
  std::string metrics = HttpGet(settings.http_port, "/metrics").second;
  EXPECT_NE(metrics.find("keel_sink_delivered_total{sink=\"ops-feed\"} 60\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("keel_sink_lag_events{sink=\"ops-feed\"} 0\n"), std::string::npos) << metrics;
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
  // A second start finds the partitions' cursors (and dead-letter folders) and sends nothing again.
  serve = StartServe(settings, "serve-again");
  ProduceAll(cluster_->bootstrap(), "work-events", TaskEvents("more", 6));
  ASSERT_TRUE(feed.WaitForRequests(kEvents + 6, 90s)) << feed.RequestCount() << "\n" << serve->LogText();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();

  std::vector<RecordedRequest> requests = feed.Requests();
  ASSERT_EQ(requests.size(), static_cast<size_t>(kEvents + 6));
  std::set<std::string> keys;
  std::map<std::string, uint64_t> last_seq;  // a workspace lives in one partition's log
  for (const RecordedRequest& request : requests) {
    nlohmann::json event = nlohmann::json::parse(request.body);
    EXPECT_EQ(event["type"], "comment.added");
    EXPECT_EQ(request.Header("idempotency-key"), event["id"]);
    keys.insert(event["id"]);
    uint64_t seq = event["seq"];
    EXPECT_GT(seq, last_seq[event["workspace"]]) << request.body;
    last_seq[event["workspace"]] = seq;
  }
  EXPECT_EQ(keys.size(), requests.size());
}

}  // namespace
}  // namespace keel::testing
