// The libcurl HttpClient against keel's own HTTP server on loopback: what
// the receiver sees, what comes back, and how failures read (never with a
// secret in them).
#include "connectors/http/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "connectors/http/http_server.h"
#include "tests/support/recording_http_server.h"

namespace keel::testing {
namespace {

using http::ClientRequest;
using http::ClientResponse;
using http::HttpClient;
using http::HttpClientOptions;
using http::HttpRequest;
using http::HttpResponse;
using http::HttpServer;

std::unique_ptr<HttpClient> MakeClient(HttpClientOptions options = {}) {
  auto client = HttpClient::Create(std::move(options));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

std::string HeaderOf(const ClientResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "<absent>";
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Echoes what it got into a copy the test reads, and answers what the
    // test put in `answer_`.
    for (const char* method : {"POST", "PUT", "PATCH", "DELETE", "GET"}) {
      server_.Route(method, "/in", [this](const HttpRequest& request) {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(request);
        return answer_;
      });
    }
    Status started = server_.Start("127.0.0.1", 0);
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  std::string Url(const std::string& path = "/in") const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }

  HttpRequest LastSeen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_.empty() ? HttpRequest{} : seen_.back();
  }

  HttpServer server_;
  std::mutex mu_;
  std::vector<HttpRequest> seen_;
  HttpResponse answer_ = HttpResponse::Text(200, "ok");
};

TEST_F(HttpClientTest, PostCarriesBodyAndHeadersAsGiven) {
  answer_ = HttpResponse::Json(202, R"({"queued":true})");
  answer_.headers.emplace_back("X-Request-Id", "r-17");
  ClientRequest request;
  request.url = Url();
  request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", "e-1"}};
  request.body = R"({"hello":"world"})";

  auto response = MakeClient()->Send(request);

  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->body, R"({"queued":true})");
  EXPECT_FALSE(response->body_truncated);
  EXPECT_EQ(HeaderOf(*response, "x-request-id"), "r-17");
  EXPECT_EQ(HeaderOf(*response, "content-type"), "application/json");
  HttpRequest seen = LastSeen();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/in");
  EXPECT_EQ(seen.body, R"({"hello":"world"})");
  EXPECT_EQ(seen.Header("content-type"), "application/json");
  EXPECT_EQ(seen.Header("idempotency-key"), "e-1");
  EXPECT_EQ(seen.Header("user-agent"), "keel");
  // libcurl's own additions are held back: the receiver gets what the channel built.
  EXPECT_EQ(seen.headers.count("accept"), 0u);
  EXPECT_EQ(seen.headers.count("expect"), 0u);
}

TEST_F(HttpClientTest, PostWithoutContentTypeGetsNoFormContentType) {
  ClientRequest request;
  request.url = Url();
  request.body = std::string(4096, 'x');  // large enough that libcurl would otherwise send Expect
  ASSERT_TRUE(MakeClient()->Send(request).ok());
  HttpRequest seen = LastSeen();
  EXPECT_EQ(seen.headers.count("content-type"), 0u);
  EXPECT_EQ(seen.headers.count("expect"), 0u);
  EXPECT_EQ(seen.body.size(), 4096u);
}

TEST_F(HttpClientTest, EachMethodArrivesAsItself) {
  auto client = MakeClient();
  for (const std::string method : {"PUT", "PATCH", "DELETE", "GET", "POST"}) {
    ClientRequest request;
    request.method = method;
    request.url = Url();
    if (method == "PUT" || method == "PATCH") request.body = "{}";
    auto response = client->Send(request);
    ASSERT_TRUE(response.ok()) << method << ": " << response.status().ToString();
    EXPECT_EQ(response->status, 200) << method;
    EXPECT_EQ(LastSeen().method, method);
    EXPECT_EQ(LastSeen().body, request.body) << method;
  }
}

TEST_F(HttpClientTest, ErrorStatusesAreAnswersNotFailures) {
  answer_ = HttpResponse::Text(503, "down for maintenance");
  answer_.headers.emplace_back("Retry-After", "7");
  ClientRequest request;
  request.url = Url();
  auto response = MakeClient()->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "down for maintenance");
  EXPECT_EQ(HeaderOf(*response, "retry-after"), "7");
}

TEST_F(HttpClientTest, RedirectIsNotFollowed) {
  answer_ = HttpResponse::Text(307, "");
  answer_.headers.emplace_back("Location", Url("/elsewhere"));
  ClientRequest request;
  request.url = Url();
  auto response = MakeClient()->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 307);
  EXPECT_EQ(HeaderOf(*response, "location"), Url("/elsewhere"));
  EXPECT_EQ(seen_.size(), 1u);
}

TEST_F(HttpClientTest, LongBodyIsCutAtTheBound) {
  answer_ = HttpResponse::Text(200, std::string(100000, 'b'));
  HttpClientOptions options;
  options.max_response_bytes = 1000;
  ClientRequest request;
  request.url = Url();
  auto response = MakeClient(options)->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, std::string(1000, 'b'));
  EXPECT_TRUE(response->body_truncated);
}

TEST_F(HttpClientTest, SendsFromManyThreadsAtOnce) {
  auto client = MakeClient();
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        ClientRequest request;
        request.url = Url();
        request.body = std::to_string(t) + "-" + std::to_string(i);
        auto response = client->Send(request);
        if (response.ok() && response->status == 200) answered.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(answered.load(), 120);
  EXPECT_EQ(seen_.size(), 120u);
}

// A port that nobody listens on: bound, then closed.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(HttpClientFailureTest, RefusedConnectionNamesTheOriginButNotThePath) {
  int port = FreePort();
  ClientRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/services/T000/B000/secret-token?key=hidden";
  request.headers = {{"Authorization", "Bearer sekrit"}};
  auto response = MakeClient()->Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kIOError);
  const std::string& message = response.status().message();
  EXPECT_NE(message.find("connect to http://127.0.0.1:" + std::to_string(port)), std::string::npos) << message;
  EXPECT_EQ(message.find("secret-token"), std::string::npos) << message;
  EXPECT_EQ(message.find("hidden"), std::string::npos) << message;
  EXPECT_EQ(message.find("sekrit"), std::string::npos) << message;
}

TEST(HttpClientFailureTest, SilentReceiverTimesOut) {
  // A listening socket nobody accepts from: the connection completes in the
  // kernel, the request goes out, and no answer ever comes.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  HttpClientOptions options;
  options.timeout = std::chrono::milliseconds(200);
  ClientRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/hook/secret-path";
  auto response = MakeClient(options)->Send(request);
  ::close(fd);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kIOError);
  EXPECT_NE(response.status().message().find("timed out"), std::string::npos) << response.status().message();
  EXPECT_EQ(response.status().message().find("secret-path"), std::string::npos) << response.status().message();
}

TEST(HttpClientFailureTest, BadRequestsAreRefusedBeforeSending) {
  auto client = MakeClient();
  ClientRequest request;
  request.url = "not a url";
  EXPECT_EQ(client->Send(request).status().code(), StatusCode::kInvalidArgument);
  request.url = "ftp://127.0.0.1/file";
  auto ftp = client->Send(request);
  EXPECT_EQ(ftp.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ftp.status().message().find("only http and https"), std::string::npos) << ftp.status().message();
  request.url = "http://127.0.0.1:1/";
  request.headers = {{"X-Token", "abc\r\nX-Injected: 1"}};
  auto injected = client->Send(request);
  EXPECT_EQ(injected.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(injected.status().message().find("X-Token"), std::string::npos) << injected.status().message();
  EXPECT_EQ(injected.status().message().find("abc"), std::string::npos) << injected.status().message();
  request.headers = {{"Bad Name", "v"}};
  EXPECT_EQ(client->Send(request).status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpClientFailureTest, OptionsAreChecked) {
  HttpClientOptions options;
  options.timeout = std::chrono::milliseconds(0);
  EXPECT_EQ(HttpClient::Create(options).status().code(), StatusCode::kInvalidArgument);
  options = {};
  options.max_response_bytes = 0;
  EXPECT_EQ(HttpClient::Create(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpClientTlsTest, CertificateIsVerifiedByDefault) {
  RecordingHttpServer server(RecordingHttpServerOptions{.tls = true});
  ClientRequest request;
  request.url = server.Url("/secure");
  ASSERT_EQ(request.url.substr(0, 8), "https://");
  auto response = MakeClient()->Send(request);  // the self-signed certificate is in no trusted store
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kIOError);
  EXPECT_NE(response.status().message().find("https://127.0.0.1:" + std::to_string(server.port())), std::string::npos)
      << response.status().message();
  EXPECT_EQ(server.RequestCount(), 0u);
}

TEST(HttpClientTlsTest, GivenCaFileIsTrusted) {
  RecordingHttpServer server(RecordingHttpServerOptions{.tls = true});
  HttpClientOptions options;
  options.ca_file = server.CertificateFile();
  ClientRequest request;
  request.url = server.Url("/secure");
  request.body = "over tls";
  auto response = MakeClient(options)->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  ASSERT_EQ(server.RequestCount(), 1u);
  EXPECT_EQ(server.Requests()[0].body, "over tls");
}

TEST(HttpClientTlsTest, VerifyingCanBeTurnedOff) {
  RecordingHttpServer server(RecordingHttpServerOptions{.tls = true});
  HttpClientOptions options;
  options.verify_tls = false;
  ClientRequest request;
  request.url = server.Url("/secure");
  auto response = MakeClient(options)->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
}

}  // namespace
}  // namespace keel::testing
