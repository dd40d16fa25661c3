// `keel serve` with brokers delivering to a webhook sink: every assigned
// partition's log runs the sink, so each derived event reaches the loopback
// server once, in order per workspace, with its id as Idempotency-Key; the
// sink's metrics are summed over the partitions. An http sink's answer
// (the tool's id for the item it created) goes to the input topic and is
// appended by the partition that owns its workspace, and the tool's next
// events about that item land on the keel task there (the alias index).
#include <atomic>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "engine/log/aliases.h"
#include "tests/kafka/serve_fixture.h"
#include "tests/support/file_text.h"
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

// The fixture's pack, plus a rule that spawns a follow-up task for every
// task a tracker sends ("Follow up task/answer-3": the http sinks send only
// what the engine derived) and one that comments on every status change.
std::filesystem::path WriteFollowUpPack(const std::filesystem::path& dir) {
  std::filesystem::path pack = WriteCommentRulePack(dir);
  std::ofstream(pack / "rules" / "spawn.yaml") << "id: spawn-follow-up\n"
                                                  "on: task.created\n"
                                                  "if: event.source == \"tracker/test\"\n"
                                                  "then:\n"
                                                  "  - create_task: {title: \"Follow up {{ event.subject }}\"}\n";
  std::ofstream(pack / "rules" / "moved.yaml") << "id: comment-on-move\n"
                                                  "on: task.status_changed\n"
                                                  "then:\n"
                                                  "  - add_comment: \"Moved {{ event.subject }}\"\n";
  return pack;
}

// A loopback ClickUp: no task carries the marker yet; a created task gets
// the id "cu-" and the name's end ("Follow up task/answer-3" -> "cu-answer-3").
ScriptedAnswer ClickUpCreated(const RecordedRequest& request) {
  if (request.method == "GET") return ScriptedAnswer::Json(200, R"({"tasks":[]})");
  std::string name = nlohmann::json::parse(request.body).at("name");
  std::string_view prefix = "Follow up task/";
  return ScriptedAnswer::Json(200, nlohmann::json{{"id", "cu-" + name.substr(prefix.size())}, {"name", name}}.dump());
}

TEST_F(ServeTest, AnHttpSinksAnswerIsAppendedThroughTheInputTopicAndTheToolsEventsLandOnTheKeelTask) {
  RecordingHttpServer clickup;
  clickup.AnswerWith(ClickUpCreated);
  std::filesystem::path pack = WriteFollowUpPack(dir_ / "answer-pack");
  CreateTopics();
  ServeSettings settings = Settings();
  settings.rules = pack;
  settings.extra["sinks"] = "[{name: clickup, kind: http, action: clickup, types: [task.created], vars: {api_url: \"" +
                            clickup.Url("/api/v2") + "\", list_id: \"901\"}}]";
  settings.http_port = FreePort();
  auto serve = StartServe(settings);
  constexpr int kTasks = 6;
  ProduceAll(cluster_->bootstrap(), "work-events", TaskEvents("answer", kTasks));
  // Each task: a look-up by its marker, then the create.
  ASSERT_TRUE(clickup.WaitForRequests(2 * kTasks, 90s)) << clickup.RequestCount() << "\n" << serve->LogText();
  // Delivered once its answer was produced (acknowledged by the broker).
  for (int tries = 0;; ++tries) {
    std::string metrics = HttpGet(settings.http_port, "/metrics").second;
    if (metrics.find("keel_sink_delivered_total{sink=\"clickup\"} 6\n") != std::string::npos) break;
    ASSERT_LT(tries, 900) << metrics << "\n" << serve->LogText();
    std::this_thread::sleep_for(100ms);
  }
  // ClickUp's webhooks about the tasks it created: their mapping knows only
  // ClickUp's id. Produced after the answers, keyed by workspace as they are.
  std::vector<Record> moves;
  std::set<std::string> move_ids;
  for (int i = 0; i < kTasks; ++i) {
    std::string id = "moved-" + std::to_string(i), workspace = "ws" + std::to_string(i % 6);
    moves.push_back({workspace,
                     R"({"specversion":"1.0","id":")" + id + R"(","source":"clickup/test","type":"task.status_changed",)"
                     R"("time":"2026-03-02T10:00:00Z","subject":"task/clickup:cu-answer-)" + std::to_string(i) +
                         R"(","workspace":")" + workspace + R"(","actor":"clickup:183","data":{"from":"todo","to":"doing"}})",
                     {}});
    move_ids.insert(id);
  }
  ProduceAll(cluster_->bootstrap(), "work-events", moves);
  WaitForDerived(move_ids, 90s);
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
  EXPECT_EQ(clickup.RequestCount(), static_cast<size_t>(2 * kTasks));  // the moves came from ClickUp: not sent back

  // Each follow-up task (a derived task/t-...) is linked to its ClickUp
  // task, and ClickUp's event about that task landed on it.
  std::map<std::string, std::string> task_of;  // ClickUp's name -> the keel task
  std::map<std::string, std::string> moved, moved_from, comments;
  ForEachEventInLogs("data", [&](const StoredEvent& stored) {
    const Event& event = stored.event;
    if (event.type == "task.linked") task_of[nlohmann::json::parse(event.data()).at("target")] = event.subject;
    if (event.type == "task.status_changed") {
      moved[event.id] = event.subject;
      moved_from[event.id] = ResolvedFrom(event);
    }
    if (event.type == "comment.added" && event.causation_id.starts_with("moved-")) {
      comments[event.causation_id] = nlohmann::json::parse(event.data()).at("text");
    }
  });
  ASSERT_EQ(task_of.size(), static_cast<size_t>(kTasks));
  for (int i = 0; i < kTasks; ++i) {
    std::string n = std::to_string(i);
    std::string task = task_of["clickup:cu-answer-" + n];
    EXPECT_TRUE(task.starts_with("task/t-")) << task;
    EXPECT_EQ(moved["moved-" + n], task);
    EXPECT_EQ(moved_from["moved-" + n], "task/clickup:cu-answer-" + n);
    EXPECT_EQ(comments["moved-" + n], "Moved " + task);
  }
}

// With brokers each partition log keeps its sinks' dead letters; `keel
// deliveries list` finds them as TOPIC-PARTITION/SINK-SEQ and `redrive`
// sends them again, reading each event from its partition log, and produces
// the answers to the input topic.
TEST_F(ServeTest, APartitionsSinkDeadLettersAreListedAndRedriven) {
  std::atomic<bool> fixed{false};
  RecordingHttpServer clickup;
  clickup.AnswerWith([&fixed](const RecordedRequest& request) {
    if (request.method != "GET" && !fixed) {
      return ScriptedAnswer::Json(400, R"({"err":"List not found","ECODE":"SUBCAT_016"})");
    }
    return ClickUpCreated(request);
  });
  CreateTopics();
  ServeSettings settings = Settings();
  settings.rules = WriteFollowUpPack(dir_ / "late-pack");
  settings.extra["sinks"] = "[{name: clickup, kind: http, action: clickup, types: [task.created], vars: {api_url: \"" +
                            clickup.Url("/api/v2") + "\", list_id: \"901\"}}]";
  settings.http_port = FreePort();
  auto serve = StartServe(settings);
  ProduceAll(cluster_->bootstrap(), "work-events", TaskEvents("late", 2, 2));
  for (int tries = 0;; ++tries) {
    std::string metrics = HttpGet(settings.http_port, "/metrics").second;
    if (metrics.find("keel_sink_dead_lettered_total{sink=\"clickup\"} 2\n") != std::string::npos) break;
    ASSERT_LT(tries, 900) << metrics << "\n" << serve->LogText();
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();

  auto keel = [&](std::vector<std::string> args, const std::string& name) {
    args.insert(args.begin(), std::string(KEEL_BINARY_DIR) + "/keel");
    ChildProcess process(args, dir_ / (name + ".err"), /*pipes=*/true);
    std::string out;
    while (auto line = process.ReadLine(30s)) out += *line + "\n";
    std::optional<int> code = process.Wait(30s);
    return std::make_pair(code.value_or(-1), out);
  };
  auto [listed_code, listed] = keel({"deliveries", "list", "--db", (dir_ / "data").string(), "--json"}, "list");
  ASSERT_EQ(listed_code, 0) << listed;
  nlohmann::json letters = nlohmann::json::parse(listed).at("sink_dead_letters");
  ASSERT_EQ(letters.size(), 2u) << listed;
  std::set<std::string> workspaces;
  for (const nlohmann::json& letter : letters) {
    std::string id = letter.at("id"), log = letter.at("log");
    EXPECT_TRUE(log.starts_with("work-events-")) << id;
    EXPECT_EQ(id, log + "/clickup-" + std::to_string(letter.at("seq").get<uint64_t>()));
    EXPECT_EQ(letter.at("status"), 400);
    workspaces.insert(letter.at("workspace"));
  }
  EXPECT_EQ(workspaces, (std::set<std::string>{"ws0", "ws1"}));

  fixed = true;
  auto [redrive_code, redriven] = keel({"deliveries", "redrive", "--config", (dir_ / "serve.yaml").string()}, "redrive");
  EXPECT_EQ(redrive_code, 0) << redriven << testing::ReadFileText(dir_ / "redrive.err");
  EXPECT_NE(redriven.find("2 of 2 dead letter(s) redriven"), std::string::npos) << redriven;
  auto [after_code, after] = keel({"deliveries", "list", "--db", (dir_ / "data").string(), "--json"}, "list-after");
  ASSERT_EQ(after_code, 0) << after;
  EXPECT_EQ(nlohmann::json::parse(after).at("sink_dead_letters").size(), 0u) << after;
  // The answers wait in the input topic for the partitions' owner.
  std::map<std::string, std::string> linked;  // ClickUp's name -> the keel task
  ConsumeUntil(
      cluster_->bootstrap(), "work-events", kInputPartitions,
      [&](const std::vector<Record>& records) {
        for (const Record& record : records) {
          if (JsonField(record.value, "type") != "task.linked") continue;
          nlohmann::json event = nlohmann::json::parse(record.value);
          linked[event.at("data").at("target")] = event.at("subject");
          EXPECT_EQ(record.key, event.at("workspace"));
        }
        return linked.size() == 2;
      },
      60s, "the two answers");
  ASSERT_EQ(linked.size(), 2u);
  EXPECT_TRUE(linked["clickup:cu-late-0"].starts_with("task/t-")) << linked.begin()->second;
  EXPECT_TRUE(linked["clickup:cu-late-1"].starts_with("task/t-")) << linked.rbegin()->second;
}

}  // namespace
}  // namespace keel::testing
