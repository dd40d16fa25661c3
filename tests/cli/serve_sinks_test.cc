// `keel serve` (the real binary, embedded mode) delivering to sinks on
// loopback servers: a webhook sink and a slack sink get the notifications a
// rule derives from events posted to POST /events, in order per workspace,
// with the event id as Idempotency-Key and the body signed; a restart after a
// kill -9 does not send again what was confirmed before the stored cursor;
// a sink whose server answers 503 holds back only itself, and its lag shows
// in /metrics.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "connectors/http/signatures.h"
#include "tests/cli/run_keel_support.h"
#include "tests/support/file_text.h"
#include "tests/support/recording_http_server.h"
#include "tests/support/spawned_process.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr char kToken[] = "serve-sinks-token";
constexpr char kSecret[] = "serve-sinks-signing-secret";

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// A task.created the rule turns into a notification.requested.
std::string TaskCreated(const std::string& workspace, int n) {
  std::string id = workspace + "-" + std::to_string(n);
  return Json{{"specversion", "1.0"}, {"id", id}, {"source", "test"}, {"type", "task.created"},
              {"time", "2026-03-02T08:00:00Z"}, {"subject", "task/" + id}, {"workspace", workspace},
              {"actor", "user:dana"}, {"data", {{"title", "title of " + id}}}}
      .dump();
}

class ServeSinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "rules");
    std::ofstream(dir_ / "rules" / "notify.yaml") << "id: tell-about-new-tasks\n"
                                                     "description: Every new task is announced.\n"
                                                     "on: task.created\n"
                                                     "then:\n"
                                                     "  - notify:\n"
                                                     "      recipients: user:dana\n"
                                                     "      message: \"{{ event.data.title }}\"\n"
                                                     "      channel: slack\n";
    port_ = FreePort();
    ASSERT_GT(port_, 0);
    ::setenv("KEEL_SERVE_SINKS_TOKEN", kToken, 1);
    ::setenv("KEEL_SERVE_SINKS_SECRET", kSecret, 1);
    ::setenv("KEEL_SERVE_SINKS_SLACK_URL", chat_.Url("/services/T/B/X").c_str(), 1);
    std::ofstream(dir_ / "serve.yaml")
        << "data: " << (dir_ / "data").string() << "\n"
        << "rules: " << (dir_ / "rules").string() << "\n"
        << "http_address: 127.0.0.1\nhttp_port: " << port_ << "\n"
        << "events:\n  token_env: KEEL_SERVE_SINKS_TOKEN\n"
        << "sinks:\n"
        << "  - name: ops-feed\n"
        << "    kind: webhook\n"
        << "    types: [notification.requested]\n"
        << "    url: " << feed_.Url("/keel") << "\n"
        << "    secret_env: KEEL_SERVE_SINKS_SECRET\n"
        << "    retry: {max_attempts: 1000, initial_delay: 20ms, max_delay: 100ms}\n"
        << "  - name: team-chat\n"
        << "    kind: slack\n"
        << "    url_env: KEEL_SERVE_SINKS_SLACK_URL\n"
        << "    retry: {max_attempts: 1000, initial_delay: 20ms, max_delay: 100ms}\n";
  }

  void StartServe() {
    serve_ = std::make_unique<SpawnedProcess>(std::vector<std::string>{KeelPath(), "serve", "--config",
                                                                        (dir_ / "serve.yaml").string()},
                                              dir_ / "serve.out", dir_ / "serve.err");
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(30, 0);
    for (int tries = 0; tries < 300; ++tries) {
      auto health = client_->Get("/healthz");
      if (health && health->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "keel serve did not come up: " << ReadFileText(dir_ / "serve.err");
  }

  int StopServe() {
    serve_->Signal(SIGTERM);
    return serve_->Wait();
  }

  void Post(const std::string& event) {
    auto posted = client_->Post("/events", {{"Authorization", std::string("Bearer ") + kToken}}, event,
                                "application/cloudevents+json");
    ASSERT_TRUE(posted) << "POST /events: " << httplib::to_string(posted.error());
    ASSERT_EQ(posted->status / 100, 2) << posted->status << " " << posted->body;
  }

  // The value of `metric{sink="SINK"}` in /metrics, or -1.
  double Metric(const std::string& metric, const std::string& sink) {
    auto got = client_->Get("/metrics");
    if (!got || got->status != 200) return -1;
    std::smatch match;
    std::regex line(metric + "\\{sink=\"" + sink + "\"\\} ([0-9.e+]+)");
    return std::regex_search(got->body, match, line) ? std::stod(match[1]) : -1;
  }

  // The structured CloudEvents the webhook received, in order of arrival.
  std::vector<Json> FeedEvents() const {
    std::vector<Json> events;
    for (const RecordedRequest& request : feed_.Requests()) events.push_back(Json::parse(request.body));
    return events;
  }

  TempDir dir_;
  RecordingHttpServer feed_;
  RecordingHttpServer chat_;
  int port_ = 0;
  std::unique_ptr<SpawnedProcess> serve_;
  std::unique_ptr<httplib::Client> client_;
};

// Each workspace's notifications arrive in the order of their tasks.
void ExpectInOrderPerWorkspace(const std::vector<Json>& events) {
  std::map<std::string, uint64_t> last_seq;
  for (const Json& event : events) {
    std::string workspace = event["workspace"];
    uint64_t seq = event["seq"];
    EXPECT_GT(seq, last_seq[workspace]) << event.dump();
    last_seq[workspace] = seq;
  }
}

TEST_F(ServeSinksTest, DerivedNotificationsReachBothSinksInOrderSignedWithTheirIds) {
  ASSERT_NO_FATAL_FAILURE(StartServe());
  constexpr int kPerWorkspace = 20;
  for (int n = 0; n < kPerWorkspace; ++n) {
    for (const char* workspace : {"acme", "globex"}) ASSERT_NO_FATAL_FAILURE(Post(TaskCreated(workspace, n)));
  }
  ASSERT_TRUE(feed_.WaitForRequests(2 * kPerWorkspace, std::chrono::seconds(30))) << feed_.RequestCount();
  ASSERT_TRUE(chat_.WaitForRequests(2 * kPerWorkspace, std::chrono::seconds(30))) << chat_.RequestCount();
  ASSERT_EQ(StopServe(), 0) << ReadFileText(dir_ / "serve.err");

  std::vector<RecordedRequest> feed = feed_.Requests();
  ASSERT_EQ(feed.size(), 2u * kPerWorkspace);
  std::set<std::string> keys;
  for (const RecordedRequest& request : feed) {
    Json event = Json::parse(request.body);
    EXPECT_EQ(event["type"], "notification.requested");
    EXPECT_EQ(request.Header("idempotency-key"), event["id"]);
    EXPECT_EQ(request.Header("x-keel-signature"), "sha256=" + http::HmacSha256Hex(kSecret, request.body));
    EXPECT_EQ(request.Header("content-type"), "application/cloudevents+json; charset=utf-8");
    keys.insert(request.Header("idempotency-key"));
  }
  EXPECT_EQ(keys.size(), feed.size());  // each notification once
  ExpectInOrderPerWorkspace(FeedEvents());

  // Slack gets the message text, per workspace in the order of the tasks.
  std::map<std::string, int> next_of;  // "acme" -> the next task number expected
  std::vector<RecordedRequest> chat = chat_.Requests();
  ASSERT_EQ(chat.size(), 2u * kPerWorkspace);
  for (const RecordedRequest& request : chat) {
    EXPECT_EQ(request.path, "/services/T/B/X");
    std::string text = Json::parse(request.body)["text"];
    std::smatch match;
    ASSERT_TRUE(std::regex_match(text, match, std::regex("title of (acme|globex)-([0-9]+)"))) << text;
    EXPECT_EQ(std::stoi(match[2]), next_of[match[1]]++) << text;
  }
}

TEST_F(ServeSinksTest, AfterKillNineNothingConfirmedBeforeTheStoredCursorIsSentAgain) {
  ASSERT_NO_FATAL_FAILURE(StartServe());
  constexpr int kFirst = 10;
  for (int n = 0; n < kFirst; ++n) ASSERT_NO_FATAL_FAILURE(Post(TaskCreated("acme", n)));
  ASSERT_TRUE(feed_.WaitForRequests(kFirst, std::chrono::seconds(30)));
  // Every one confirmed (no lag), then time for an idle writer to store the cursor.
  for (int i = 0; i < 300 && Metric("keel_sink_lag_events", "ops-feed") != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(Metric("keel_sink_lag_events", "ops-feed"), 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_TRUE(serve_->Kill());

  ASSERT_NO_FATAL_FAILURE(StartServe());
  constexpr int kSecond = 5;
  for (int n = kFirst; n < kFirst + kSecond; ++n) ASSERT_NO_FATAL_FAILURE(Post(TaskCreated("acme", n)));
  ASSERT_TRUE(feed_.WaitForRequests(kFirst + kSecond, std::chrono::seconds(30)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // any re-send would have come by now
  ASSERT_EQ(StopServe(), 0) << ReadFileText(dir_ / "serve.err");
  std::vector<Json> events = FeedEvents();
  EXPECT_EQ(events.size(), static_cast<size_t>(kFirst + kSecond));
  std::set<std::string> ids;
  for (const Json& event : events) ids.insert(event["id"]);
  EXPECT_EQ(ids.size(), events.size()) << "a confirmed event was sent again";
  ExpectInOrderPerWorkspace(events);
}

TEST_F(ServeSinksTest, ASinkAnswering503DelaysOnlyItselfAndShowsItsLag) {
  chat_.AnswerAlways(ScriptedAnswer::Status(503, "down for maintenance"));
  ASSERT_NO_FATAL_FAILURE(StartServe());
  constexpr int kEvents = 30;
  for (int n = 0; n < kEvents; ++n) ASSERT_NO_FATAL_FAILURE(Post(TaskCreated("acme", n)));
  // Ingest and the other sink go on: every event is in and delivered.
  ASSERT_TRUE(feed_.WaitForRequests(kEvents, std::chrono::seconds(30))) << feed_.RequestCount();
  for (int i = 0; i < 300 && Metric("keel_sink_lag_events", "ops-feed") != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Metric("keel_sink_lag_events", "ops-feed"), 0);
  EXPECT_EQ(Metric("keel_sink_delivered_total", "ops-feed"), kEvents);
  // The chat sink holds on to its first event: nothing of it delivered, all of it behind.
  EXPECT_EQ(Metric("keel_sink_delivered_total", "team-chat"), 0);
  EXPECT_GE(Metric("keel_sink_lag_events", "team-chat"), kEvents);
  EXPECT_GT(Metric("keel_sink_retried_total", "team-chat"), 0);
  for (const RecordedRequest& request : chat_.Requests()) {
    EXPECT_NE(request.body.find("title of acme-0\""), std::string::npos) << "a later event passed the first";
  }

  // Back up: it catches up, in order.
  chat_.AnswerAlways(ScriptedAnswer::Status(200, "ok"));
  for (int i = 0; i < 1500 && Metric("keel_sink_delivered_total", "team-chat") < kEvents; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Metric("keel_sink_delivered_total", "team-chat"), kEvents);
  EXPECT_EQ(Metric("keel_sink_lag_events", "team-chat"), 0);
  ASSERT_EQ(StopServe(), 0) << ReadFileText(dir_ / "serve.err");
}

}  // namespace
}  // namespace keel::testing
