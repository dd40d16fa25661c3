// The HTTP server on loopback with real sockets: routing, what a handler
// sees, keep-alive, and hostile clients (slow, oversized, malformed).
#include "connectors/http/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/connectors/http/raw_client_support.h"

namespace keel::testing {
namespace {

using namespace std::chrono_literals;
using http::HttpRequest;
using http::HttpResponse;
using http::HttpServer;
using http::HttpServerLimits;

std::string Post(const std::string& path, const std::string& body, const std::string& extra_headers = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: keel\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra_headers + "\r\n" + body;
}

class HttpServerTest : public ::testing::Test {
 protected:
  // Starts a server with an echoing POST /hooks/test and GET /healthz.
  void Start(HttpServerLimits limits = {}) {
    server_ = std::make_unique<HttpServer>(limits);
    server_->Route("POST", "/hooks/test", [this](const HttpRequest& request) {
      handled_.fetch_add(1);
      HttpResponse response = HttpResponse::Json(202, "{\"got\":" + std::to_string(request.body.size()) + "}");
      response.headers.emplace_back("X-Seen-Signature", request.Header("x-hub-signature-256"));
      return response;
    });
    server_->Route("GET", "/healthz", [](const HttpRequest&) { return HttpResponse::Text(200, "ok\n"); });
    Status started = server_->Start("127.0.0.1", 0);
    ASSERT_TRUE(started.ok()) << started.ToString();
    port_ = server_->port();
  }

  std::string Ask(const std::string& request) {
    RawClient client(port_);
    client.Send(request);
    return client.ReadResponse(10s);
  }

  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::atomic<int> handled_{0};
};

TEST_F(HttpServerTest, HandlerSeesTheWholeRequestAndAnswers) {
  HttpServer server;
  HttpRequest seen;
  server.Route("POST", "/hooks/github", [&](const HttpRequest& request) {
    seen = request;
    HttpResponse response = HttpResponse::Text(201, "stored\n");
    response.headers.emplace_back("X-Keel", "yes");
    return response;
  });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  RawClient client(server.port());
  client.Send(Post("/hooks/github?x=1", "{\"a\":1}",
                   "X-GitHub-Event: issues\r\nX-Repeated: one\r\nx-repeated: two\r\nContent-Type: application/json\r\n"));
  std::string response = client.ReadResponse(10s);
  EXPECT_EQ(StatusOf(response), 201) << response;
  EXPECT_EQ(BodyOf(response), "stored\n");
  EXPECT_NE(response.find("X-Keel: yes\r\n"), std::string::npos) << response;
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/hooks/github");
  EXPECT_EQ(seen.query, "x=1");
  EXPECT_EQ(seen.body, "{\"a\":1}");
  EXPECT_EQ(seen.Header("x-github-event"), "issues");
  EXPECT_EQ(seen.Header("x-repeated"), "one, two");
  EXPECT_EQ(seen.Header("content-type"), "application/json");
  EXPECT_EQ(seen.headers.count("remote_addr"), 0u);
  EXPECT_EQ(seen.remote_address.rfind("127.0.0.1:", 0), 0u) << seen.remote_address;
}

TEST_F(HttpServerTest, BodyThatStopsBeforeTheDeadlineIsAnswered408) {
  HttpServerLimits limits;
  limits.request_deadline = 1s;
  Start(limits);
  RawClient client(port_);
  client.Send("POST /hooks/test HTTP/1.1\r\nHost: keel\r\nContent-Length: 100\r\n\r\nonly part");
  std::string answer = client.ReadUntilClosed(10s);
  EXPECT_EQ(StatusOf(answer), 408) << answer;
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerTest, HandlerAnswersAreSentAsTheyAre) {
  HttpServer server;
  server.Route("POST", "/refuse", [](const HttpRequest&) { return HttpResponse::Text(400, ""); });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  RawClient client(server.port());
  for (int i = 0; i < 2; ++i) {  // and the connection stays open
    ASSERT_TRUE(client.Send(Post("/refuse", "{}")));
    std::string response = client.ReadResponse(10s);
    EXPECT_EQ(StatusOf(response), 400) << response;
    EXPECT_EQ(BodyOf(response), "") << response;
  }
}

TEST_F(HttpServerTest, KeepAliveAnswersSeveralRequestsOnOneConnection) {
  Start();
  RawClient client(port_);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.Send(Post("/hooks/test", std::string(100, 'x'))));
    std::string response = client.ReadResponse(10s);
    EXPECT_EQ(StatusOf(response), 202) << i << ": " << response;
    EXPECT_EQ(BodyOf(response), "{\"got\":100}");
  }
  // Two requests sent at once are answered in order.
  ASSERT_TRUE(client.Send(Post("/hooks/test", "ab") + "GET /healthz HTTP/1.1\r\nHost: keel\r\n\r\n"));
  EXPECT_EQ(BodyOf(client.ReadResponse(10s)), "{\"got\":2}");
  EXPECT_EQ(BodyOf(client.ReadResponse(10s)), "ok\n");
  EXPECT_EQ(handled_.load(), 6);
}

TEST_F(HttpServerTest, OversizedBodyIsRefusedBeforeItIsRead) {
  HttpServerLimits limits;
  limits.max_body_bytes = 1000;
  Start(limits);
  // 2 MiB announced, none of it sent: the answer cannot wait for the body.
  RawClient client(port_);
  client.Send("POST /hooks/test HTTP/1.1\r\nHost: keel\r\nContent-Length: 2097152\r\n\r\n");
  std::string answer = client.ReadUntilClosed(10s);
  EXPECT_EQ(StatusOf(answer), 413) << answer;
  EXPECT_NE(BodyOf(answer).find("at most 1000"), std::string::npos) << answer;
  EXPECT_EQ(handled_.load(), 0);
  // The limit itself is accepted.
  EXPECT_EQ(StatusOf(Ask(Post("/hooks/test", std::string(1000, 'y')))), 202);
  EXPECT_EQ(StatusOf(Ask(Post("/hooks/test", std::string(1001, 'y')))), 413);
  EXPECT_EQ(handled_.load(), 1);
}

TEST_F(HttpServerTest, OversizedBodyAfterExpectContinueIsRefusedWithoutContinue) {
  HttpServerLimits limits;
  limits.max_body_bytes = 1000;
  Start(limits);
  RawClient client(port_);
  client.Send("POST /hooks/test HTTP/1.1\r\nHost: keel\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  std::string answer = client.ReadUntilClosed(10s);
  EXPECT_EQ(StatusOf(answer), 413) << answer;
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerTest, BodiesThatCannotBeBoundedOrSignedAreRefused) {
  Start();
  EXPECT_EQ(StatusOf(Ask("POST /hooks/test HTTP/1.1\r\nHost: keel\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "5\r\nhello\r\n0\r\n\r\n")),
            411);
  EXPECT_EQ(StatusOf(Ask("POST /hooks/test HTTP/1.1\r\nHost: keel\r\n\r\n")), 411);
  EXPECT_EQ(StatusOf(Ask(Post("/hooks/test", "xxxx", "Content-Encoding: gzip\r\n"))), 415);
  EXPECT_EQ(StatusOf(Ask("POST /hooks/test HTTP/1.1\r\nHost: keel\r\nContent-Length: 12abc\r\n\r\n")), 400);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerTest, RoutesRefuseUnknownPathsMethodsAndBodies) {
  Start();
  EXPECT_EQ(StatusOf(Ask("GET /nowhere HTTP/1.1\r\nHost: keel\r\n\r\n")), 404);
  std::string wrong_method = Ask(Post("/healthz", ""));
  EXPECT_EQ(StatusOf(wrong_method), 405) << wrong_method;
  EXPECT_NE(wrong_method.find("Allow: GET\r\n"), std::string::npos) << wrong_method;
  EXPECT_EQ(StatusOf(Ask("GET /healthz HTTP/1.1\r\nHost: keel\r\nContent-Length: 10\r\n\r\n")), 413);
  EXPECT_EQ(StatusOf(Ask("GET /healthz HTTP/1.1\r\nHost: keel\r\nTransfer-Encoding: chunked\r\n\r\n")), 413);
  EXPECT_EQ(StatusOf(Ask("POST /healthz HTTP/1.1\r\nHost: keel\r\nContent-Length: 104857600\r\n\r\n")), 413);
  EXPECT_EQ(StatusOf(Ask("GET /healthz HTTP/1.1\r\nHost: keel\r\n\r\n")), 200);
}

TEST_F(HttpServerTest, MalformedRequestsAreAnswered400) {
  Start();
  for (const std::string& request : {
           std::string("NONSENSE\r\n\r\n"),
           std::string("GET /healthz\r\nHost: keel\r\n\r\n"),
           std::string("GET /healthz HTTP/9.9\r\nHost: keel\r\n\r\n"),
       }) {
    RawClient client(port_);
    client.Send(request);
    std::string answer = client.ReadResponse(10s);
    EXPECT_EQ(StatusOf(answer), 400) << request << "\nanswered:\n" << answer;
    EXPECT_TRUE(client.ClosedWithin(2s));
  }
  EXPECT_EQ(StatusOf(Ask("GET /healthz HTTP/1.1\r\nHost: keel\r\n\r\n")), 200);
}

TEST_F(HttpServerTest, RequestHeadPastTheLimitIsAnswered431) {
  HttpServerLimits limits;
  limits.max_request_head = 1024;
  Start(limits);
  std::string long_header = "GET /healthz HTTP/1.1\r\nHost: keel\r\nX-Long: " + std::string(2000, 'a') + "\r\n\r\n";
  RawClient client(port_);
  client.Send(long_header);
  EXPECT_EQ(StatusOf(client.ReadUntilClosed(10s)), 431);
  std::string long_line = "GET /healthz?" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: keel\r\n\r\n";
  RawClient other(port_);
  other.Send(long_line);
  EXPECT_EQ(StatusOf(other.ReadUntilClosed(10s)), 431);
  EXPECT_EQ(StatusOf(Ask("GET /healthz HTTP/1.1\r\nHost: keel\r\n\r\n")), 200);
}

// Clients that send a byte a second hold their workers only until the
// request deadline, and meanwhile the other workers answer.
TEST_F(HttpServerTest, SlowClientsDoNotStallOthersAndAreCutAtTheDeadline) {
  HttpServerLimits limits;
  limits.workers = 4;
  limits.request_deadline = 3s;
  limits.idle_timeout = 2s;
  Start(limits);
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 2; ++i) {
    slow.push_back(std::make_unique<RawClient>(port_));
    slow.back()->Send("POST /hooks/test HTTP/1.1\r\nHost: keel\r\nContent-Length: 100\r\n\r\n");
  }
  auto began = std::chrono::steady_clock::now();
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop.load()) {
      for (auto& client : slow) client->Send("z");
      std::this_thread::sleep_for(1s);
    }
  });
  for (int i = 0; i < 20; ++i) {
    auto asked = std::chrono::steady_clock::now();
    EXPECT_EQ(StatusOf(Ask(Post("/hooks/test", "{}"))), 202);
    EXPECT_LT(std::chrono::steady_clock::now() - asked, 1s) << "request " << i;
  }
  for (auto& client : slow) EXPECT_TRUE(client->ClosedWithin(10s));
  auto cut_after = std::chrono::steady_clock::now() - began;
  stop.store(true);
  trickle.join();
  EXPECT_GE(cut_after, 2500ms);
  EXPECT_LT(cut_after, 6s);
  EXPECT_EQ(handled_.load(), 20);  // the slow ones never reached the handler
}

// More slow clients than workers: the others wait at most about a deadline.
TEST_F(HttpServerTest, SlowClientsOnEveryWorkerDelayOthersOnlyUntilTheDeadline) {
  HttpServerLimits limits;
  limits.workers = 2;
  limits.request_deadline = 2s;
  Start(limits);
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 2; ++i) {
    slow.push_back(std::make_unique<RawClient>(port_));
    slow.back()->Send("GET /healthz HTTP/1.1\r\nX-Slow: ");
  }
  std::this_thread::sleep_for(200ms);
  auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(StatusOf(Ask("GET /healthz HTTP/1.1\r\nHost: keel\r\n\r\n")), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);
}

// Kept-alive connections that went quiet hold every worker; a new
// connection is served at once, not after the keep-alive timeout.
TEST_F(HttpServerTest, IdleKeptAliveConnectionsGiveWayToWaitingOnes) {
  HttpServerLimits limits;
  limits.workers = 2;
  limits.keep_alive_timeout = 30s;
  Start(limits);
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 2; ++i) {
    idle.push_back(std::make_unique<RawClient>(port_));
    idle.back()->Send("GET /healthz HTTP/1.1\r\nHost: keel\r\n\r\n");
    EXPECT_EQ(StatusOf(idle.back()->ReadResponse(5s)), 200);
  }
  auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(StatusOf(Ask("GET /healthz HTTP/1.1\r\nHost: keel\r\n\r\n")), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 2s);
}

TEST_F(HttpServerTest, HandlersMayBlockWhileOthersAreAnswered) {
  HttpServerLimits limits;
  limits.workers = 2;
  HttpServer server(limits);
  std::atomic<bool> release{false};
  server.Route("POST", "/slow", [&](const HttpRequest&) {
    while (!release.load()) std::this_thread::sleep_for(10ms);
    return HttpResponse::Text(200, "late\n");
  });
  server.Route("GET", "/healthz", [](const HttpRequest&) { return HttpResponse::Text(200, "ok\n"); });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  RawClient blocked(server.port());
  blocked.Send(Post("/slow", "x"));
  RawClient other(server.port());
  other.Send("GET /healthz HTTP/1.1\r\nHost: keel\r\n\r\n");
  EXPECT_EQ(StatusOf(other.ReadResponse(5s)), 200);
  release.store(true);
  EXPECT_EQ(BodyOf(blocked.ReadResponse(5s)), "late\n");
}

TEST_F(HttpServerTest, SecondServerOnTheSamePortFailsToStart) {
  Start();
  HttpServer second;
  Status started = second.Start("127.0.0.1", port_);
  EXPECT_FALSE(started.ok());
  EXPECT_EQ(started.message(), "cannot listen for HTTP on 127.0.0.1:" + std::to_string(port_) +
                                   ": the port is in use (another keel serve, or another program, listens on it)");
  EXPECT_EQ(StatusOf(Ask("GET /healthz HTTP/1.1\r\nHost: keel\r\n\r\n")), 200);
}

TEST_F(HttpServerTest, UnknownAddressIsAClearError) {
  HttpServer server;
  Status started = server.Start("no-such-host.invalid", 0);
  EXPECT_FALSE(started.ok());
  EXPECT_EQ(started.message().rfind("cannot listen for HTTP on no-such-host.invalid:0: ", 0), 0u) << started.message();
}

TEST_F(HttpServerTest, StopClosesIdleKeptAliveConnectionsPromptly) {
  Start();
  RawClient client(port_);
  client.Send("GET /healthz HTTP/1.1\r\nHost: keel\r\n\r\n");
  EXPECT_EQ(StatusOf(client.ReadResponse(5s)), 200);
  auto began = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - began, 2s);
  EXPECT_TRUE(client.ClosedWithin(1s));
}

}  // namespace
}  // namespace keel::testing
