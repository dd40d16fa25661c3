// GET /api/v1/workspaces/{ws}/stream: Server-Sent Events of new events, live,
// resumed after Last-Event-ID, kept alive by comments, bounded in number, and
// ended when the server stops.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/server/api/api_test_support.h"

namespace keel::testing {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// A client reading one stream on a thread of its own.
class StreamReader {
 public:
  StreamReader(int port, const std::string& path, const std::string& token, const std::string& last_event_id = "") {
    thread_ = std::thread([this, port, path, token, last_event_id] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(30, 0);
      httplib::Headers headers = {{"Authorization", "Bearer " + token}};
      if (!last_event_id.empty()) headers.emplace("Last-Event-ID", last_event_id);
      auto result = client.Get(
          path, headers,
          [this](const httplib::Response& response) {
            std::lock_guard<std::mutex> lock(mu_);
            status_ = response.status;
            content_type_ = response.get_header_value("Content-Type");
            return true;
          },
          [this](const char* data, size_t length) {
            std::lock_guard<std::mutex> lock(mu_);
            text_.append(data, length);
            return !stop_.load();
          });
      ended_.store(true);
    });
  }
  ~StreamReader() {
    stop_.store(true);
    thread_.join();
  }

  // Waits until the text holds `needle`; false after `timeout`.
  bool WaitFor(const std::string& needle, std::chrono::milliseconds timeout = 10s) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (text().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  bool WaitEnded(std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until && !ended_.load()) std::this_thread::sleep_for(10ms);
    return ended_.load();
  }
  std::string text() {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }
  int status() {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }
  std::string content_type() {
    std::lock_guard<std::mutex> lock(mu_);
    return content_type_;
  }
  void Stop() { stop_.store(true); }

 private:
  std::mutex mu_;
  std::string text_;
  int status_ = 0;
  std::string content_type_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> ended_{false};
  std::thread thread_;
};

// The data of the stream event whose event id line is `id: SEQ` for the
// event `event_id`.
Json DataOf(const std::string& text, const std::string& event_id) {
  size_t start = 0;
  while ((start = text.find("data: ", start)) != std::string::npos) {
    size_t end = text.find('\n', start);
    Json data = Json::parse(text.substr(start + 6, end - start - 6), nullptr, false);
    if (data.is_object() && data.value("id", "") == event_id) return data;
    start = end;
  }
  return nullptr;
}

const std::string kStream04 = "/api/v1/workspaces/acme/stream";

// Comments every 200 ms: a client that stops reading notices at the next one
// (it sees only what arrives), and so does the server (its write fails).
api::ApiSettings Lively() {
  api::ApiSettings settings;
  settings.keep_alive = 200ms;
  return settings;
}

TEST(ApiStream, SendsNewEventsAsTheyAreAppended) {
  ApiHarness api(PackLog("04-sensitive-data-guardrails", 7), ApiHarness::Mode::kWritable, Lively());
  StreamReader reader(api.port(), kStream04, Token("priya"));
  ASSERT_TRUE(reader.WaitFor("retry: 3000\n\n")) << reader.text();
  EXPECT_EQ(reader.status(), 200);
  EXPECT_EQ(reader.content_type(), "text/event-stream");
  // Nothing old: the stream starts at the head.
  EXPECT_EQ(reader.text().find("data: "), std::string::npos);

  Reply grant = api.Post("/api/v1/workspaces/acme/approvals/a-35f66492b002dec9/grant", Token("priya"), "{}");
  ASSERT_EQ(grant.status, 200);
  uint64_t seq = grant.body["event"]["seq"];
  ASSERT_TRUE(reader.WaitFor("event: approval.granted\n")) << reader.text();
  std::string text = reader.text();
  EXPECT_NE(text.find("id: " + std::to_string(seq) + "\nevent: approval.granted\ndata: {"), std::string::npos) << text;
  Json data = DataOf(text, "api-approval-a-35f66492b002dec9-granted");
  ASSERT_TRUE(data.is_object()) << text;
  EXPECT_EQ(data["seq"], seq);
  EXPECT_EQ(data["type"], "approval.granted");
  EXPECT_EQ(data["subject"], "approval/a-35f66492b002dec9");
  EXPECT_EQ(data["actor"], "user:priya");
  EXPECT_EQ(SchemaMismatch("#/components/schemas/StreamEvent", data), "");
}

TEST(ApiStream, ResumesAfterLastEventIdAndGivesGuestsOnlyWhatTheySee) {
  ApiHarness api(PackLog("06-client-visibility"), ApiHarness::Mode::kReadOnly, Lively());
  StreamReader reader(api.port(), "/api/v1/workspaces/studio/stream", Token("fred"), "0");
  // The last event about a guest-visible task: T-4's notification of cv-014.
  ASSERT_TRUE(reader.WaitFor("d-94a793895d2c402ccfc39d4ca4f30093")) << reader.text();
  std::this_thread::sleep_for(300ms);  // anything after it would have come by now
  std::string text = reader.text();
  for (const char* visible : {"cv-002", "cv-004", "cv-005", "cv-009", "cv-010", "cv-014"}) {
    EXPECT_TRUE(DataOf(text, visible).is_object()) << visible;
  }
  // T-2 (internal), T-5 (internal), the initiative (no visibility).
  for (const char* hidden : {"cv-001", "cv-003", "cv-006", "cv-008", "cv-012", "cv-015",
                             "d-203aafa961412300992370550214a18c", "d-e3fa7b767175badae8e110e5f7288931"}) {
    EXPECT_FALSE(DataOf(text, hidden).is_object()) << hidden;
    EXPECT_EQ(text.find(hidden), std::string::npos) << hidden;
  }
  // A member gets them all.
  StreamReader member(api.port(), "/api/v1/workspaces/studio/stream", Token("studio"), "0");
  ASSERT_TRUE(member.WaitFor("d-afdbbb8ba2ac43d7065f63dae2915c72")) << member.text();
  EXPECT_TRUE(DataOf(member.text(), "cv-003").is_object());
}

TEST(ApiStream, KeepsAnIdleStreamAliveWithComments) {
  ApiHarness api(PackLog("06-client-visibility"), ApiHarness::Mode::kReadOnly, Lively());
  StreamReader reader(api.port(), "/api/v1/workspaces/studio/stream", Token("studio"));
  EXPECT_TRUE(reader.WaitFor(": keep-alive\n\n", 5s)) << reader.text();
}

TEST(ApiStream, OpenStreamsAreBounded) {
  api::ApiSettings settings = Lively();
  settings.max_streams = 1;
  ApiHarness api(PackLog("06-client-visibility"), ApiHarness::Mode::kReadOnly, settings);
  {
    StreamReader first(api.port(), "/api/v1/workspaces/studio/stream", Token("studio"));
    ASSERT_TRUE(first.WaitFor("retry: 3000"));
    Reply second = api.Get("/api/v1/workspaces/studio/stream", Token("studio"));
    EXPECT_EQ(second.status, 503);
    EXPECT_EQ(second.body["error"]["code"], "unavailable");
    // Other routes still answer.
    EXPECT_EQ(api.Get("/api/v1/me", Token("studio")).status, 200);
  }
  // The first one ended (its client went): its place is free again.
  bool reopened = false;
  for (int i = 0; i < 100 && !reopened; ++i) {
    StreamReader again(api.port(), "/api/v1/workspaces/studio/stream", Token("studio"));
    reopened = again.WaitFor("retry: 3000", 200ms);
  }
  EXPECT_TRUE(reopened);
}

TEST(ApiStream, StopEndsOpenStreams) {
  auto api = std::make_unique<ApiHarness>(PackLog("06-client-visibility"), ApiHarness::Mode::kReadOnly, Lively());
  StreamReader reader(api->port(), "/api/v1/workspaces/studio/stream", Token("studio"));
  ASSERT_TRUE(reader.WaitFor("retry: 3000"));
  auto start = std::chrono::steady_clock::now();
  api.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(reader.WaitEnded(5s));
}

TEST(ApiStream, NeedsAToken) {
  ApiHarness api(PackLog("06-client-visibility"), ApiHarness::Mode::kReadOnly, Lively());
  EXPECT_EQ(api.Get("/api/v1/workspaces/studio/stream", "").status, 401);
  EXPECT_EQ(api.Get("/api/v1/workspaces/studio/stream", Token("acme")).status, 404);
  EXPECT_EQ(api.Get("/api/v1/workspaces/studio/stream", Token("studio"), {{"Last-Event-ID", "x"}}).status, 400);
}

}  // namespace
}  // namespace keel::testing
