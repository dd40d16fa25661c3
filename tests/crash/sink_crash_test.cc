// The real `keel serve` (embedded mode) killed with SIGKILL while its webhook
// sink delivers 5,000 events (issue 22): the log is made first (`keel run`:
// 5,000 task.created over five workspaces, and the rule's comment.added on
// each, which the sink selects); then serve starts with a `webhook` sink to a
// RecordingHttpServer that answers one request in ten 500 (so retries are in
// flight at the kills), is killed at points spread over the deliveries (one
// restart in three is killed again while it starts), and restarted each time,
// until every event got a 2xx. Then it is stopped with SIGTERM and:
//   - every selected event of the log was delivered (answered 2xx) at least once;
//   - every request carries `Idempotency-Key` = its CloudEvent's id, and the
//     repeats of an event carry the same key and the same bytes;
//   - per workspace, the first requests of the events came in log order;
//   - nothing was sent for an event that is not a selected event of the log;
//   - no event became a dead letter.
// KEEL_CRASH_SINK_EVENTS=N sets the events (default 5,000), KEEL_CRASH_SEED=N
// the kill points; every failure names both.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_keel_support.h"
#include "tests/support/crash_trials.h"
#include "tests/support/file_text.h"
#include "tests/support/recording_http_server.h"
#include "tests/support/spawned_process.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr int kKills = 6;
constexpr int kWorkspaces = 5;
constexpr char kSelectedType[] = "comment.added";

// One event of the log the sink selects.
struct Selected {
  std::string id;
  std::string workspace;
};

class SinkCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    events_ = NumberFromEnvironment("KEEL_CRASH_SINK_EVENTS", 5000);
    seed_ = CrashSeed(20261207);
    // One rule: a comment on every new task, the events the sink delivers.
    fs::create_directories(dir_ / "rules");
    std::ofstream(dir_ / "rules" / "comment.yaml") << "id: comment-on-new-task\n"
                                                      "on: task.created\n"
                                                      "then:\n"
                                                      "  - add_comment: \"New: {{ event.data.title }}\"\n";
    std::ofstream input(dir_ / "input.ndjson");
    for (uint64_t i = 0; i < events_; ++i) {
      nlohmann::json event = {{"specversion", "1.0"},
                              {"id", "crash-task-" + std::to_string(i)},
                              {"source", "tests/sink-crash"},
                              {"type", "task.created"},
                              {"time", "2026-12-01T10:00:00Z"},
                              {"subject", "task/T-" + std::to_string(i)},
                              {"actor", "user:crash-test"},
                              {"workspace", "ws-" + std::to_string(i % kWorkspaces)},
                              {"data", {{"title", "Task " + std::to_string(i)}, {"status", "new"}}}};
      input << event.dump() << "\n";
    }
  }

  std::string Describe() const {
    return "KEEL_CRASH_SINK_EVENTS=" + std::to_string(events_) + " KEEL_CRASH_SEED=" + std::to_string(seed_);
  }

  void WriteServeConfig(const std::string& url) const {
    std::ofstream(dir_ / "serve.yaml") << "data: " << (dir_ / "data").string() << "\n"
                                       << "rules: " << (dir_ / "rules").string() << "\n"
                                       << "http_port: 0\n"
                                       << "sinks:\n"
                                       << "  - name: crash-feed\n"
                                       << "    kind: webhook\n"
                                       << "    types: [" << kSelectedType << "]\n"
                                       << "    url: " << url << "\n"
                                       << "    concurrency: 4\n"
                                       // 50 tries: a 500 in ten never makes a dead letter.
                                       << "    retry: {max_attempts: 50, initial_delay: 5ms, max_delay: 50ms}\n"
                                       << "    timeout: 5s\n";
  }

  std::unique_ptr<SpawnedProcess> StartServe() {
    ++incarnation_;
    return std::make_unique<SpawnedProcess>(
        std::vector<std::string>{KeelPath(), "serve", "--config", (dir_ / "serve.yaml").string()},
        dir_ / ("serve-" + std::to_string(incarnation_) + ".out"),
        dir_ / ("serve-" + std::to_string(incarnation_) + ".err"));
  }
  std::string ServeErr() const {
    return ReadFileText(dir_ / ("serve-" + std::to_string(incarnation_) + ".err"));
  }

  // The selected events of the log, in log order (export's order is seq order).
  std::vector<Selected> SelectedEvents(std::string* error) const {
    KeelRun exported = RunKeel({"export", "--db", (dir_ / "data" / "log").string()});
    if (exported.exit_code != 0) {
      *error = exported.Describe();
      return {};
    }
    std::vector<Selected> selected;
    for (const std::string& line : Lines(exported.out)) {
      if (line.empty()) continue;
      nlohmann::json event = nlohmann::json::parse(line);
      if (event.value("type", "") == kSelectedType) selected.push_back({event["id"], event["workspace"]});
    }
    return selected;
  }

  TempDir dir_;
  uint64_t events_ = 0;
  uint64_t seed_ = 0;
  int incarnation_ = 0;
};

TEST_F(SinkCrashTest, EveryEventIsDeliveredAtLeastOnceInOrderPerWorkspaceAfterKills) {
  KeelRun made = RunKeel({"run", "--rules", (dir_ / "rules").string(), "--events", (dir_ / "input.ndjson").string(),
                          "--db", (dir_ / "data" / "log").string()});
  ASSERT_EQ(made.exit_code, 0) << made.Describe();
  std::string error;
  std::vector<Selected> selected = SelectedEvents(&error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(selected.size(), events_) << "the rule comments on every task";

  // The receiver: one request in ten answered 500 (by its arrival number,
  // so the same in every run); the keys it answered 2xx.
  RecordingHttpServer receiver;
  std::atomic<uint64_t> arrivals{0};
  std::mutex delivered_mu;
  std::set<std::string> delivered;
  receiver.AnswerWith([&](const RecordedRequest& request) {
    uint64_t n = arrivals.fetch_add(1);
    if ((n * 2654435761u) % 10 == 3) return ScriptedAnswer::Status(500, "try again");
    std::lock_guard<std::mutex> lock(delivered_mu);
    delivered.insert(request.Header("idempotency-key"));
    return ScriptedAnswer::Status(200, "ok");
  });
  auto delivered_count = [&] {
    std::lock_guard<std::mutex> lock(delivered_mu);
    return delivered.size();
  };
  WriteServeConfig(receiver.Url("/keel"));

  std::mt19937_64 rng(seed_);
  std::vector<uint64_t> kill_at;  // numbers of requests received, spread over the deliveries
  std::uniform_int_distribution<uint64_t> point(events_ / 20, events_ * 19 / 20);
  for (int k = 0; k < kKills; ++k) kill_at.push_back(point(rng));
  std::sort(kill_at.begin(), kill_at.end());

  auto start = Clock::now();
  auto deadline = start + std::chrono::minutes(5);
  std::unique_ptr<SpawnedProcess> serve = StartServe();
  size_t kills = 0, early_kills = 0;
  std::string serve_problem;
  while (delivered_count() < events_ && Clock::now() < deadline) {
    if (std::optional<int> ended = serve->Poll()) {
      serve_problem = "keel serve ended on its own with " + std::to_string(*ended) + ":\n" + ServeErr();
      break;
    }
    if (kills < kill_at.size() && receiver.RequestCount() >= kill_at[kills]) {
      // A little later than the count, so the kill lands anywhere in a send.
      std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(rng)));
      if (!serve->Kill()) {
        serve_problem = "keel serve ended before its kill:\n" + ServeErr();
        break;
      }
      ++kills;
      serve = StartServe();
      if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {  // killed again while it starts
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 150)(rng)));
        if (!serve->Kill()) {
          serve_problem = "keel serve ended before its kill:\n" + ServeErr();
          break;
        }
        ++early_kills;
        serve = StartServe();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(serve_problem, "") << Describe();
  serve->Signal(SIGTERM);
  ASSERT_EQ(serve->Wait(), 0) << Describe() << ": keel serve did not stop cleanly:\n" << ServeErr();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  receiver.Stop();
  EXPECT_EQ(kills, kill_at.size()) << Describe();

  // The log is as it was made (the sink only adds its cursor).
  std::vector<Selected> after = SelectedEvents(&error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(after.size(), selected.size()) << Describe();
  std::map<std::string, const Selected*> by_id;
  for (const Selected& event : after) by_id[event.id] = &event;

  // Each request: its key is its CloudEvent's id, an event of the log the
  // sink selects; a repeat carries the same bytes.
  std::vector<RecordedRequest> requests = receiver.Requests();
  std::map<std::string, std::string> body_of;
  std::map<std::string, std::vector<std::string>> first_sends;  // workspace -> ids by first arrival
  size_t repeats = 0;
  for (const RecordedRequest& request : requests) {
    std::string key = request.Header("idempotency-key");
    auto event = by_id.find(key);
    ASSERT_NE(event, by_id.end()) << Describe() << ": a request for " << key << ", which is no selected event of the log";
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << Describe() << ": " << request.body;
    EXPECT_EQ(body.value("id", ""), key) << Describe();
    EXPECT_EQ(body.value("workspace", ""), event->second->workspace) << Describe();
    auto [known, first] = body_of.emplace(key, request.body);
    if (first) {
      first_sends[event->second->workspace].push_back(key);
    } else {
      ++repeats;
      EXPECT_EQ(known->second, request.body) << Describe() << ": a repeat of " << key << " differs";
    }
  }
  // Every selected event was delivered, and each workspace's first sends
  // follow its events' log order.
  std::map<std::string, std::vector<std::string>> log_order;
  for (const Selected& event : after) {
    EXPECT_TRUE(delivered.count(event.id)) << Describe() << ": " << event.id << " was never delivered";
    log_order[event.workspace].push_back(event.id);
  }
  EXPECT_EQ(log_order.size(), static_cast<size_t>(kWorkspaces));
  for (const auto& [workspace, ids] : log_order) {
    EXPECT_TRUE(first_sends[workspace] == ids) << Describe() << ": workspace " << workspace
                                               << "'s first sends are not in log order";
  }
  std::error_code ec;
  EXPECT_TRUE(fs::is_empty(dir_ / "data" / "sink-dead-letters", ec) || ec) << Describe() << ": dead letters were made";

  std::printf("[ figures  ] %llu events over %d workspaces, %zu requests (%zu repeats, 500 for one in ten), "
              "%zu kills (and %zu while starting), %.1f s\n",
              static_cast<unsigned long long>(events_), kWorkspaces, requests.size(), repeats, kills, early_kills,
              seconds);
}

}  // namespace
}  // namespace keel::testing
