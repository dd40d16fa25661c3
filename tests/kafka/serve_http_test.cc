// keel serve's HTTP port against hostile clients: slow clients, request
// bodies, and a second serve on the same port.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "tests/kafka/serve_fixture.h"

namespace keel::testing {
namespace {

// A TCP connection to 127.0.0.1:PORT, closed when it goes.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot connect to port " + std::to_string(port));
    }
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Errors are ignored: the server may have closed the connection.
  void Send(const std::string& text) { (void)::send(fd_, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT); }

  // What the server sends until it closes the connection, or what came
  // within `timeout`.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout) {
    std::string received;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd polled{fd_, POLLIN, 0};
      if (::poll(&polled, 1, 100) <= 0) continue;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      received.append(chunk, static_cast<size_t>(n));
    }
    return received;
  }

 private:
  int fd_;
};

class ServeHttpTest : public ServeTest {
 protected:
  // A serve with its HTTP port, answering /healthz.
  std::unique_ptr<KeelServe> StartHealthyServe(const std::string& name = "serve") {
    CreateTopics();
    port_ = FreePort();
    ServeSettings settings = Settings();
    settings.http_port = port_;
    auto serve = StartServe(settings, name);
    EXPECT_EQ(HealthzWithin(30s), 200) << serve->LogText();
    return serve;
  }

  // The status of GET /healthz, asked again until it answers or `timeout`
  // passes (0: no answer).
  int HealthzWithin(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (status == 0 && std::chrono::steady_clock::now() < deadline) status = HttpGet(port_, "/healthz").first;
    return status;
  }

  int port_ = 0;
};

// Each slow client sends its request head a byte at a time, never ending
// it. They used to hold every HTTP worker thread for as long as they kept
// sending, and /healthz went unanswered.
TEST_F(ServeHttpTest, SlowClientsDoNotBlockHealthz) {
  auto serve = StartHealthyServe();
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 16; ++i) {
    slow.push_back(std::make_unique<RawConnection>(port_));
    slow.back()->Send("GET /healthz HTTP/1.1\r\nHost: keel\r\nX-Slow: ");
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop.load()) {
      for (auto& connection : slow) connection->Send("a");
      std::this_thread::sleep_for(200ms);
    }
  });
  int status = HealthzWithin(20s);
  stop.store(true);
  trickle.join();
  EXPECT_EQ(status, 200) << serve->LogText();
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
}

// The request announces 100 MB and sends none of it: the refusal comes at
// once, so nothing waited for the body, let alone kept it.
TEST_F(ServeHttpTest, RequestBodyIsRefusedWithoutBeingRead) {
  auto serve = StartHealthyServe();
  for (const std::string& head : {
           std::string("POST /healthz HTTP/1.1\r\nHost: keel\r\nContent-Length: 104857600\r\n\r\n"),
           std::string("GET /metrics HTTP/1.1\r\nHost: keel\r\nContent-Length: 104857600\r\n\r\n"),
           std::string("GET /healthz HTTP/1.1\r\nHost: keel\r\nTransfer-Encoding: chunked\r\n\r\n"),
       }) {
    RawConnection connection(port_);
    connection.Send(head);
    std::string answer = connection.ReadUntilClosed(20s);
    EXPECT_EQ(answer.substr(0, 13), "HTTP/1.1 413 ") << head << "answered:\n" << answer;
  }
  EXPECT_EQ(HealthzWithin(10s), 200);
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
}

// A supervisor may stop a serve as soon as /healthz answers. The signal
// handlers used to come later, and such a SIGTERM killed serve (143) in
// about half the runs.
TEST_F(ServeHttpTest, SigtermRightAfterHealthzFirstAnswersIsACleanStop) {
  auto serve = StartHealthyServe();
  EXPECT_EQ(serve->Stop(), 0) << serve->LogText();
}

TEST_F(ServeHttpTest, SecondServeOnTheSamePortFailsToStart) {
  auto first = StartHealthyServe();
  ServeSettings settings = Settings("data2");
  settings.group = "other";
  settings.http_port = port_;
  auto second = StartServe(settings, "second");
  std::optional<int> code = second->WaitForExit(30s);
  EXPECT_EQ(code, std::optional<int>(2)) << second->LogText();
  EXPECT_NE(second->LogText().find("cannot listen for HTTP on 0.0.0.0:" + std::to_string(port_) +
                                   ": the port is in use"),
            std::string::npos)
      << second->LogText();
  EXPECT_EQ(HealthzWithin(10s), 200);
  EXPECT_EQ(first->Stop(), 0) << first->LogText();
}

}  // namespace
}  // namespace keel::testing
