// The benchmarks' HTTP load client (cli/bench/http_load.h) against a
// recording server: every request sent once with its own delivery id and
// its body's headers, answers counted by status, connections the server
// closes replaced, a rate kept, a refused connection an error.
#include "cli/bench/http_load.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/support/recording_http_server.h"

namespace keel::testing {
namespace {

using cli::HttpLoad;
using cli::HttpLoadResult;
using cli::RunHttpLoad;

HttpLoad TwoBodies(int port, uint64_t requests, int connections) {
  HttpLoad load;
  load.port = port;
  load.path = "/hooks/test";
  load.headers = "X-Common: yes\r\n";
  load.bodies = {R"({"n":"even"})", R"({"n":"odd","padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})"};
  load.body_headers = {"X-Body: even\r\n", "X-Body: odd\r\n"};
  load.id_header = "X-Delivery";
  load.id_prefix = "d-";
  load.requests = requests;
  load.connections = connections;
  return load;
}

TEST(HttpLoad, SendsEveryRequestOnceWithItsIdAndItsBodysHeaders) {
  RecordingHttpServer server;
  Result<HttpLoadResult> result = RunHttpLoad(TwoBodies(server.port(), 200, 4));
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->latencies_ms.size(), 200u);
  EXPECT_EQ(result->not_2xx, 0u);
  std::set<std::string> ids;
  for (const RecordedRequest& request : server.Requests()) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.path, "/hooks/test");
    EXPECT_EQ(request.Header("x-common"), "yes");
    std::string id = request.Header("x-delivery");
    ids.insert(id);
    // Request k carries body k % 2: even ids the first body, odd the second.
    int k = std::stoi(id.substr(2));
    EXPECT_EQ(request.Header("x-body"), k % 2 == 0 ? "even" : "odd") << id;
    EXPECT_EQ(request.body.find(k % 2 == 0 ? "even" : "odd") != std::string::npos, true) << id;
  }
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(*ids.begin(), "d-0");
  EXPECT_TRUE(ids.count("d-199"));
}

TEST(HttpLoad, CountsAnswersThatAreNot2xx) {
  RecordingHttpServer server;
  server.AnswerNext({ScriptedAnswer::Status(503), ScriptedAnswer::Status(401), ScriptedAnswer::Status(202)});
  Result<HttpLoadResult> result = RunHttpLoad(TwoBodies(server.port(), 10, 1));
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->latencies_ms.size(), 10u);
  EXPECT_EQ(result->not_2xx, 2u);
}

TEST(HttpLoad, ReconnectsWhenTheServerClosesTheConnection) {
  RecordingHttpServer server;
  server.AnswerAlways(ScriptedAnswer::Status(200, "ok").WithHeader("Connection", "close"));
  Result<HttpLoadResult> result = RunHttpLoad(TwoBodies(server.port(), 30, 3));
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->latencies_ms.size(), 30u);
  EXPECT_EQ(server.RequestCount(), 30u);
}

TEST(HttpLoad, AtARateTheLastRequestIsNotSentBeforeItIsDue) {
  RecordingHttpServer server;
  HttpLoad load = TwoBodies(server.port(), 20, 2);
  load.rate = 200;  // request 19 is due 95 ms after the start
  Result<HttpLoadResult> result = RunHttpLoad(load);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->latencies_ms.size(), 20u);
  EXPECT_GE(result->seconds, 0.095);
}

TEST(HttpLoad, ARefusedConnectionIsAnError) {
  int port = 0;
  {
    RecordingHttpServer server;
    port = server.port();
  }  // stopped: nothing listens there now
  Result<HttpLoadResult> result = RunHttpLoad(TwoBodies(port, 5, 1));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << result.status().message();
}

TEST(HttpLoad, RefusesBodyHeadersThatDoNotMatchTheBodies) {
  HttpLoad load = TwoBodies(1, 5, 1);
  load.body_headers.pop_back();
  EXPECT_FALSE(RunHttpLoad(load).ok());
}

}  // namespace
}  // namespace keel::testing
