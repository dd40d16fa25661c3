// The test server the sinks' tests send to (tests/support/
// recording_http_server.h), driven by keel's HttpClient: it records what
// arrives and answers as scripted.
#include "tests/support/recording_http_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "connectors/http/http_client.h"

namespace keel::testing {
namespace {

using namespace std::chrono_literals;
using http::ClientRequest;
using http::HttpClient;
using http::HttpClientOptions;

std::unique_ptr<HttpClient> MakeClient(HttpClientOptions options = {}) {
  auto client = HttpClient::Create(std::move(options));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

int StatusOfPost(const HttpClient& client, const std::string& url, const std::string& body = "{}") {
  ClientRequest request;
  request.url = url;
  request.body = body;
  auto response = client.Send(request);
  return response.ok() ? response->status : -1;
}

std::string HeaderOf(const http::ClientResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "<absent>";
}

TEST(RecordingHttpServerTest, RecordsEachRequestAsItArrived) {
  RecordingHttpServer server;
  auto client = MakeClient();
  ClientRequest request;
  request.method = "PUT";
  request.url = server.Url("/hooks/in?attempt=2");
  request.headers = {{"Content-Type", "application/json"}, {"X-Keel-Signature", "sha256=ab"}};
  request.body = R"({"n":1})";
  auto response = client->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok");
  request.method = "POST";
  request.url = server.Url("/second");
  ASSERT_TRUE(client->Send(request).ok());

  std::vector<RecordedRequest> seen = server.Requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].path, "/hooks/in");
  EXPECT_EQ(seen[0].query, "attempt=2");
  EXPECT_EQ(seen[0].Header("content-type"), "application/json");
  EXPECT_EQ(seen[0].Header("x-keel-signature"), "sha256=ab");
  EXPECT_FALSE(seen[0].HasHeader("remote_addr"));
  EXPECT_EQ(seen[0].body, R"({"n":1})");
  EXPECT_EQ(seen[1].method, "POST");
  EXPECT_EQ(seen[1].path, "/second");
  EXPECT_EQ(seen[1].query, "");
  EXPECT_LE(seen[0].arrived, seen[1].arrived);
  EXPECT_EQ(server.RequestCount(), 2u);
}

TEST(RecordingHttpServerTest, FixedAnswerWithHeaders) {
  RecordingHttpServer server;
  server.AnswerAlways(ScriptedAnswer::Status(429, "slow down").WithHeader("Retry-After", "1"));
  ClientRequest request;
  request.url = server.Url("/");
  auto response = MakeClient()->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 429);
  EXPECT_EQ(response->body, "slow down");
  EXPECT_EQ(HeaderOf(*response, "retry-after"), "1");
}

TEST(RecordingHttpServerTest, SequenceThenTheFixedAnswer) {
  RecordingHttpServer server;
  server.AnswerNext({ScriptedAnswer::Status(503), ScriptedAnswer::Status(503)});
  server.AnswerAlways(ScriptedAnswer::Json(201, R"({"id":"7"})"));
  auto client = MakeClient();
  EXPECT_EQ(StatusOfPost(*client, server.Url()), 503);
  EXPECT_EQ(StatusOfPost(*client, server.Url()), 503);
  EXPECT_EQ(StatusOfPost(*client, server.Url()), 201);
  EXPECT_EQ(StatusOfPost(*client, server.Url()), 201);
  EXPECT_EQ(server.RequestCount(), 4u);
}

TEST(RecordingHttpServerTest, AnswerComputedFromTheRequest) {
  RecordingHttpServer server;
  server.AnswerWith([](const RecordedRequest& request) { return ScriptedAnswer::Status(200, "got " + request.body); });
  ClientRequest request;
  request.url = server.Url();
  request.body = "abc";
  auto response = MakeClient()->Send(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->body, "got abc");
}

TEST(RecordingHttpServerTest, DelayedAnswerStillComes) {
  RecordingHttpServer server;
  server.AnswerAlways(ScriptedAnswer::Status(202).After(20ms));
  EXPECT_EQ(StatusOfPost(*MakeClient(), server.Url()), 202);
}

TEST(RecordingHttpServerTest, HeldRequestIsRecordedAndReleasedByStop) {
  RecordingHttpServer server;
  server.AnswerAlways(ScriptedAnswer::Never());
  HttpClientOptions options;
  options.timeout = 10s;  // far longer than the test: Stop() must end the wait
  auto client = MakeClient(options);
  std::thread sender([&] { StatusOfPost(*client, server.Url("/held")); });
  ASSERT_TRUE(server.WaitForRequests(1, 10s));
  EXPECT_EQ(server.Requests()[0].path, "/held");
  server.Stop();
  sender.join();
  server.Stop();  // idempotent
}

TEST(RecordingHttpServerTest, HeldRequestTimesTheClientOut) {
  RecordingHttpServer server;
  server.AnswerAlways(ScriptedAnswer::Never());
  HttpClientOptions options;
  options.timeout = 100ms;
  ClientRequest request;
  request.url = server.Url();
  auto response = MakeClient(options)->Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.status().message().find("timed out"), std::string::npos) << response.status().message();
}

TEST(RecordingHttpServerTest, WaitForRequestsGivesUp) {
  RecordingHttpServer server;
  EXPECT_FALSE(server.WaitForRequests(1, 10ms));
}

TEST(RecordingHttpServerTest, ManySendersAtOnce) {
  RecordingHttpServer server;
  auto client = MakeClient();
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&] {
      for (int i = 0; i < 25; ++i) StatusOfPost(*client, server.Url());
    });
  }
  for (std::thread& sender : senders) sender.join();
  EXPECT_TRUE(server.WaitForRequests(100, 10s));
  EXPECT_EQ(server.RequestCount(), 100u);
}

}  // namespace
}  // namespace keel::testing
