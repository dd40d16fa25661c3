// `keel serve` (embedded) with an http sink on the built-in jira action
// mapping, against a loopback server playing Jira: the tasks pack 01 spawns
// are looked up, created, and Jira's answers come back into the log as
// task.linked events with derived ids and source keel/sink/jira.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "engine/log/event_log.h"
#include "tests/cli/run_keel_support.h"
#include "tests/support/file_text.h"
#include "tests/support/recording_http_server.h"
#include "tests/support/spawned_process.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

TEST(ServeActionSinkTest, SpawnedTasksAreCreatedInJiraAndLinkedBack) {
  TempDir dir;
  RecordingHttpServer jira;
  std::atomic<int> created{0};
  jira.AnswerWith([&created](const RecordedRequest& request) {
    if (request.path == "/rest/api/3/search/jql") return ScriptedAnswer::Json(200, R"({"issues":[]})");
    int n = 100 + created.fetch_add(1);
    return ScriptedAnswer::Json(201, R"({"id":")" + std::to_string(n) + R"(","key":"ACME-)" + std::to_string(n) +
                                         R"(","self":"x"})");
  });
  ::setenv("KEEL_SERVE_ACTION_TOKEN", "serve-action-token", 1);
  ::setenv("KEEL_SERVE_ACTION_JIRA_USER", "keel@example.com", 1);
  ::setenv("KEEL_SERVE_ACTION_JIRA_TOKEN", "jira-api-token", 1);
  int port = 0;
  {  // a loopback port nobody listens on now
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
      port = ntohs(address.sin_port);
    }
    ::close(fd);
  }
  ASSERT_GT(port, 0);
  std::ofstream(dir / "serve.yaml") << "data: " << (dir / "data").string() << "\n"
                                    << "rules: " << KEEL_SOURCE_DIR << "/examples/01-initiative-kickoff\n"
                                    << "http_address: 127.0.0.1\nhttp_port: " << port << "\n"
                                    << "event_time_window_days: 0\n"
                                    << "events: {token_env: KEEL_SERVE_ACTION_TOKEN}\n"
                                    << "sinks:\n"
                                    << "  - name: jira\n"
                                    << "    kind: http\n"
                                    << "    action: jira\n"
                                    << "    types: [task.created]\n"
                                    << "    vars: {base_url: \"" << jira.Url("")
                                    << "\", project: ACME}\n"
                                    << "    auth: {scheme: basic, username_env: KEEL_SERVE_ACTION_JIRA_USER, "
                                       "password_env: KEEL_SERVE_ACTION_JIRA_TOKEN}\n";
  SpawnedProcess serve({KeelPath(), "serve", "--config", (dir / "serve.yaml").string()}, dir / "serve.out",
                       dir / "serve.err");
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30, 0);
  bool up = false;
  for (int tries = 0; tries < 300 && !up; ++tries) {
    auto health = client.Get("/healthz");
    up = health && health->status == 200;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(up) << ReadFileText(dir / "serve.err");
  for (const std::string& line : Lines(ReadFileText(fs::path(KEEL_SOURCE_DIR) / "examples/01-initiative-kickoff/events.ndjson"))) {
    if (line.empty()) continue;
    auto posted = client.Post("/events", {{"Authorization", "Bearer serve-action-token"}}, line,
                              "application/cloudevents+json");
    ASSERT_TRUE(posted && posted->status / 100 == 2) << line << (posted ? posted->body : "");
  }
  for (int i = 0; i < 300 && created.load() < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the answers appended
  auto metrics = client.Get("/metrics");
  std::string metrics_text = metrics ? metrics->body : "";
  serve.Signal(SIGTERM);
  ASSERT_EQ(serve.Wait(), 0) << ReadFileText(dir / "serve.err") << metrics_text;
  EXPECT_EQ(created.load(), 4) << "pack 01 spawns four tasks; requests: " << jira.RequestCount() << "\n"
                               << ReadFileText(dir / "serve.err") << metrics_text;
  for (const RecordedRequest& request : jira.Requests()) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.Header("authorization"), "Basic a2VlbEBleGFtcGxlLmNvbTpqaXJhLWFwaS10b2tlbg==");
  }

  auto log = EventLog::Open(dir / "data" / "log", {});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  int linked = 0;
  ASSERT_TRUE((*log)->Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
    const Event& event = stored.event;
    if (event.type == "task.linked" && Json::parse(event.canonical)["source"] == "keel/sink/jira") {
      ++linked;
      EXPECT_EQ(event.id.rfind("a-", 0), 0u) << event.id;
      Json data = Json::parse(event.data());
      EXPECT_EQ(data["relation"], "external");
      EXPECT_EQ(std::string(data["target"]).rfind("jira:ACME-1", 0), 0u) << data.dump();
    }
    return true;
  }).ok());
  EXPECT_EQ(linked, 4);
}

}  // namespace
}  // namespace keel::testing
