// keel serve end to end: input in, derived events out, dead letters,
// binary-mode CloudEvents, metrics and health, clean shutdown.
#include <csignal>
#include <algorithm>

#include "tests/kafka/serve_fixture.h"

namespace keel::testing {
namespace {

std::set<std::string> IdsOf(const std::vector<Record>& inputs) {
  std::set<std::string> ids;
  for (const Record& r : inputs) ids.insert(JsonField(r.value, "id"));
  return ids;
}

TEST_F(ServeTest, DerivedEventsReachTheOutputTopicKeyedByWorkspace) {
  CreateTopics();
  std::vector<Record> inputs = TaskEvents("flow", 60);
  ProduceAll(cluster_->bootstrap(), "work-events", inputs);
  auto serve = StartServe(Settings());
  std::vector<Record> out = ConsumeUntil(
      cluster_->bootstrap(), "keel-out", kOutputPartitions,
      [](const std::vector<Record>& r) { return r.size() >= 60; }, 60s, "60 derived events");
  for (const Record& r : out) {
    EXPECT_EQ(JsonField(r.value, "type"), "comment.added") << r.value;
    EXPECT_EQ(r.key, JsonField(r.value, "workspace")) << r.value;
    EXPECT_EQ(JsonField(r.value, "ruleid"), "comment-on-new-task");
  }
  std::set<std::string> causes;
  for (const Record& r : out) causes.insert(JsonField(r.value, "causationid"));
  EXPECT_EQ(causes, IdsOf(inputs));
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
  for (int p = 0; p < kInputPartitions; ++p) {
    EXPECT_TRUE(std::filesystem::exists(dir_ / "data" / ("work-events-" + std::to_string(p))));
  }
  auto appended = InputEventsInLogs();
  EXPECT_EQ(appended.size(), 60u);
}

// Thousands of messages waiting before serve starts make batches of many
// partitions, appended on two threads; bad messages among them go to the
// dead letters from those threads. Nothing is lost, doubled or mixed up.
TEST_F(ServeTest, LargeBatchesAppendPartitionsOnSeveralThreads) {
  CreateTopics();
  int port = FreePort();
  ServeSettings settings = Settings();
  settings.http_port = port;
  settings.extra["ingest_threads"] = "2";
  // A large batch waits this long for the other partitions' first fetches.
  settings.extra["batch_max_wait_ms"] = "2000";
  std::vector<Record> inputs = TaskEvents("lanes", 3000);
  std::vector<Record> all = inputs;
  for (int i = 0; i < 12; ++i) all.push_back({"ws" + std::to_string(i % 6), "{broken " + std::to_string(i), {}});
  ProduceAll(cluster_->bootstrap(), "work-events", all);
  auto serve = StartServe(settings);
  std::vector<Record> out = ConsumeUntil(
      cluster_->bootstrap(), "keel-out", kOutputPartitions,
      [](const std::vector<Record>& r) { return r.size() >= 3000; }, 120s, "3000 derived events");
  std::set<std::string> causes;
  for (const Record& r : out) causes.insert(JsonField(r.value, "causationid"));
  EXPECT_EQ(out.size(), 3000u);
  EXPECT_EQ(causes, IdsOf(inputs));
  std::vector<Record> dead = ConsumeUntil(
      cluster_->bootstrap(), "keel-dead", 1, [](const std::vector<Record>& r) { return r.size() >= 12; }, 60s,
      "12 dead letters");
  EXPECT_EQ(dead.size(), 12u);
  auto [status, metrics] = HttpGet(port, "/metrics");
  EXPECT_EQ(status, 200);
  EXPECT_NE(metrics.find("keel_events_in_total 3000\n"), std::string::npos) << metrics;
  // At least one batch was big enough to spread over the threads.
  EXPECT_EQ(metrics.find("keel_parallel_batches_total 0\n"), std::string::npos) << metrics;
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
  EXPECT_EQ(InputEventsInLogs().size(), 3000u);
}

TEST_F(ServeTest, PublishAllSendsInputEventsToo) {
  CreateTopics();
  ServeSettings settings = Settings();
  settings.extra["publish"] = "all";
  ProduceAll(cluster_->bootstrap(), "work-events", TaskEvents("all", 10));
  auto serve = StartServe(settings);
  std::vector<Record> out = ConsumeUntil(
      cluster_->bootstrap(), "keel-out", kOutputPartitions,
      [](const std::vector<Record>& r) { return r.size() >= 20; }, 60s, "10 inputs and 10 derived events");
  size_t inputs = std::count_if(out.begin(), out.end(),
                                [](const Record& r) { return JsonField(r.value, "type") == "task.created"; });
  EXPECT_EQ(inputs, 10u);
  EXPECT_EQ(serve->Stop(), 0);
}

TEST_F(ServeTest, BadMessagesGoToDeadLettersWhileGoodOnesFlow) {
  CreateTopics(1);
  int port = FreePort();
  ServeSettings settings = Settings();
  settings.http_port = port;
  std::vector<Record> inputs = {
      {"ws0", TaskCreated("good-1", "ws0"), {}},
      {"ws0", "{not json", {}},
      {"ws0", R"({"specversion":"1.0","id":"no-title","source":"t","type":"task.created","time":"2026-03-02T09:00:00Z","subject":"task/X","workspace":"ws0","actor":"user:a","data":{}})", {}},
      {"ws1", TaskCreated("wrong-key", "ws0"), {}},
      {"", TaskCreated("no-key", "ws0"), {}},
      // Binary mode: attributes in ce_ headers, data as the value; the key is the workspace.
      {"ws2", R"({"title":"Binary task","status":"todo"})",
       {{"ce_specversion", "1.0"}, {"ce_id", "binary-1"}, {"ce_source", "tracker/test"}, {"ce_type", "task.created"},
        {"ce_time", "2026-03-02T09:00:00Z"}, {"ce_subject", "task/B-1"}, {"ce_actor", "user:bob"},
        {"content-type", "application/json"}}},
      {"ws2", "not json either",
       {{"ce_specversion", "1.0"}, {"ce_id", "binary-bad"}, {"ce_source", "t"}, {"ce_type", "task.created"},
        {"ce_time", "2026-03-02T09:00:00Z"}, {"ce_subject", "task/B-2"}, {"ce_actor", "user:bob"}}},
      {"ws0", TaskCreated("good-2", "ws0"), {}},
  };
  ProduceAll(cluster_->bootstrap(), "work-events", inputs);
  auto serve = StartServe(settings);
  auto derived = WaitForDerived({"good-1", "binary-1", "good-2"});
  EXPECT_EQ(derived.size(), 3u);
  std::vector<Record> dead = ConsumeUntil(
      cluster_->bootstrap(), "keel-dead", 1, [](const std::vector<Record>& r) { return r.size() >= 5; }, 60s,
      "5 dead letters");
  ASSERT_EQ(dead.size(), 5u);
  std::vector<int64_t> offsets;
  for (const Record& r : dead) {
    EXPECT_EQ(r.Header("keel_source_topic"), "work-events");
    EXPECT_EQ(r.Header("keel_source_partition"), "0");
    EXPECT_FALSE(r.Header("keel_reason").empty());
    offsets.push_back(std::stoll(r.Header("keel_source_offset")));
  }
  EXPECT_EQ(offsets, (std::vector<int64_t>{1, 2, 3, 4, 6}));
  EXPECT_EQ(dead[0].value, "{not json");
  EXPECT_NE(dead[2].Header("keel_reason").find("is not its message key"), std::string::npos)
      << dead[2].Header("keel_reason");
  EXPECT_NE(dead[3].Header("keel_reason").find("no key"), std::string::npos);
  EXPECT_EQ(dead[4].Header("ce_id"), "binary-bad");  // the original headers travel along

  auto [status, metrics] = HttpGet(port, "/metrics");
  EXPECT_EQ(status, 200);
  EXPECT_NE(metrics.find("keel_dead_letters_total 5\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("keel_events_in_total 3\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("keel_batch_latency_seconds_bucket{le=\"+Inf\"}"), std::string::npos);
  EXPECT_NE(metrics.find("keel_consumer_lag{topic=\"work-events\",partition=\"0\"}"), std::string::npos) << metrics;
  EXPECT_EQ(HttpGet(port, "/healthz").first, 200);
  EXPECT_EQ(serve->Stop(), 0);
}

TEST_F(ServeTest, RestartResumesFromTheStoredOffsetsWithoutReapplying) {
  CreateTopics();
  std::vector<Record> first = TaskEvents("first", 30);
  ProduceAll(cluster_->bootstrap(), "work-events", first);
  auto serve = StartServe(Settings());
  WaitForDerived(IdsOf(first));
  ASSERT_EQ(serve->Stop(), 0);
  serve->WaitForLog("\"msg\":\"stopped\"", 5s);
  EXPECT_NE(serve->LogText().find("\"msg\":\"partition revoked\""), std::string::npos);

  std::vector<Record> second = TaskEvents("second", 30);
  ProduceAll(cluster_->bootstrap(), "work-events", second);
  // Another group id: Kafka holds no committed offsets for it, so only the
  // offsets stored in the logs keep keel from reading the first 30 again.
  ServeSettings renamed = Settings();
  renamed.group = "keel-renamed";
  renamed.http_port = FreePort();
  serve = StartServe(renamed, "serve2");
  WaitForDerived(IdsOf(second));
  auto [status, metrics] = HttpGet(renamed.http_port, "/metrics");
  EXPECT_NE(metrics.find("keel_events_in_total 30\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("keel_duplicates_total 0\n"), std::string::npos) << metrics;
  ASSERT_EQ(serve->Stop(), 0);
  // Every input appended once; a clean stop drained the outbox, so nothing
  // was published twice either.
  for (const auto& [id, times] : InputEventsInLogs()) EXPECT_EQ(times, 1) << id;
  EXPECT_EQ(InputEventsInLogs().size(), 60u);
  std::vector<Record> out = ConsumeUntil(
      cluster_->bootstrap(), "keel-out", kOutputPartitions, [](const std::vector<Record>& r) { return r.size() >= 60; },
      30s, "60 derived events");
  EXPECT_EQ(Ids(out).size(), out.size());
}

TEST_F(ServeTest, SigintFinishesTheWorkAndExitsZero) {
  CreateTopics();
  std::vector<Record> inputs = TaskEvents("int", 20);
  ProduceAll(cluster_->bootstrap(), "work-events", inputs);
  auto serve = StartServe(Settings());
  WaitForDerived(IdsOf(inputs));
  EXPECT_EQ(serve->Stop(SIGINT), 0) << serve->LogText();
  std::string log = serve->LogText();
  EXPECT_NE(log.find("\"msg\":\"shutting down\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"msg\":\"stopped\""), std::string::npos) << log;
}

TEST_F(ServeTest, StopEndsInBoundedTimeWhenTheClusterIsGone) {
  CreateTopics();
  std::vector<Record> inputs = TaskEvents("gone", 20);
  ProduceAll(cluster_->bootstrap(), "work-events", inputs);
  ServeSettings settings = Settings();
  settings.extra["drain_timeout_ms"] = "2000";
  auto serve = StartServe(settings);
  WaitForDerived(IdsOf(inputs));
  cluster_->Stop();
  auto start = std::chrono::steady_clock::now();
  serve->Stop(SIGTERM, 60s);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Not a timing assertion on keel's speed: a bound on waiting for a
  // cluster that will never answer (the drain timeout plus leaving the group).
  EXPECT_LT(seconds, 30) << serve->LogText();
  EXPECT_NE(serve->LogText().find("\"msg\":\"stopped\""), std::string::npos);
}

}  // namespace
}  // namespace keel::testing
