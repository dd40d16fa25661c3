// The HTTP server's prefix routes and streamed answers (Server-Sent Events
// are built on them): the longest prefix wins, an exact route wins over any
// prefix, a streamed answer goes out chunk by chunk past the request
// deadline, and a stop ends it.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "connectors/http/http_server.h"
#include "tests/connectors/http/raw_client_support.h"

namespace keel::testing {
namespace {

using namespace std::chrono_literals;
using http::HttpRequest;
using http::HttpResponse;
using http::HttpServer;

std::string Get(const std::string& path) { return "GET " + path + " HTTP/1.1\r\nHost: keel\r\n\r\n"; }

TEST(HttpServerPrefixRoutes, TheExactRouteThenTheLongestPrefixAnswers) {
  HttpServer server;
  server.Route("GET", "/api/v1/me", [](const HttpRequest&) { return HttpResponse::Text(200, "exact"); });
  server.RoutePrefix("GET", "/", [](const HttpRequest& r) { return HttpResponse::Text(200, "page " + r.path); });
  server.RoutePrefix("GET", "/api/", [](const HttpRequest& r) { return HttpResponse::Text(200, "api " + r.path); });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  auto ask = [&](const std::string& request) {
    RawClient client(server.port());
    client.Send(request);
    return client.ReadResponse(5s);
  };
  EXPECT_EQ(BodyOf(ask(Get("/api/v1/me"))), "exact");
  EXPECT_EQ(BodyOf(ask(Get("/api/v1/workspaces"))), "api /api/v1/workspaces");
  EXPECT_EQ(BodyOf(ask(Get("/okr.html"))), "page /okr.html");
  std::string post = ask("POST /api/v1/x HTTP/1.1\r\nHost: keel\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(StatusOf(post), 405);
}

TEST(HttpServerStreams, AStreamedAnswerGoesOutAsItIsWrittenPastTheDeadline) {
  http::HttpServerLimits limits;
  limits.request_deadline = 300ms;
  HttpServer server(limits);
  std::atomic<bool> second{false};
  server.Route("GET", "/stream", [&](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/event-stream";
    response.stream = [&](http::StreamWriter& out) {
      out.Write("data: one\n\n");
      while (!second.load() && !out.stopping()) std::this_thread::sleep_for(10ms);
      std::this_thread::sleep_for(500ms);  // past the request deadline
      out.Write("data: two\n\n");
    };
    return response;
  });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  RawClient client(server.port());
  client.Send(Get("/stream"));
  std::string head = client.ReadUntilClosed(1s);  // the head and the first chunk, before the answer ends
  EXPECT_EQ(StatusOf(head), 200);
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  EXPECT_NE(head.find("data: one"), std::string::npos) << head;
  EXPECT_EQ(head.find("data: two"), std::string::npos) << head;
  second.store(true);
  std::string rest = client.ReadUntilClosed(5s);
  EXPECT_NE(rest.find("data: two"), std::string::npos) << rest;
}

TEST(HttpServerStreams, StopEndsAStream) {
  HttpServer server;
  std::atomic<bool> ended{false};
  server.Route("GET", "/stream", [&](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/event-stream";
    response.stream = [&](http::StreamWriter& out) {
      out.Write(": open\n\n");
      while (!out.stopping()) std::this_thread::sleep_for(10ms);
      EXPECT_FALSE(out.Write("late\n"));
      ended.store(true);
    };
    return response;
  });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  RawClient client(server.port());
  client.Send(Get("/stream"));
  EXPECT_NE(client.ReadUntilClosed(1s).find(": open"), std::string::npos);
  server.Stop();
  EXPECT_TRUE(ended.load());
  EXPECT_TRUE(client.ClosedWithin(2s));
}

}  // namespace
}  // namespace keel::testing
