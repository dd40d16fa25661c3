#include "server/serve_http.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "server/serve_http_routes.h"

namespace keel::server {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kListenBacklog = 64;
constexpr size_t kReadChunk = 4096;

Status ListenError(const std::string& where, int error) {
  if (error == EADDRINUSE) {
    return Status::IOError("cannot listen for HTTP on " + where +
                           ": the port is in use (another keel serve, or another program, listens on it); "
                           "choose another http_port");
  }
  return Status::IOError("cannot listen for HTTP on " + where + ": " + std::strerror(error));
}

// A listening socket on `address`:`port`. SO_REUSEADDR only lets a restart
// bind while connections of the previous process linger in TIME_WAIT; on
// Linux it never lets two sockets listen on one port (SO_REUSEPORT would,
// and is not set).
Result<int> Listen(const std::string& address, int port) {
  std::string where = address + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int error = getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found); error != 0) {
    return Status::InvalidArgument("cannot listen for HTTP on " + where + ": " + gai_strerror(error));
  }
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int error = fd < 0 ? errno : 0;
  if (fd >= 0) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(fd, found->ai_addr, found->ai_addrlen) != 0 || listen(fd, kListenBacklog) != 0) error = errno;
  }
  freeaddrinfo(found);
  if (error != 0) {
    if (fd >= 0) close(fd);
    return ListenError(where, error);
  }
  return fd;
}

}  // namespace

struct ServeHttp::Connection {
  Connection(int socket, SteadyClock::time_point until) : fd(socket), deadline(until) {}

  int fd;
  SteadyClock::time_point deadline;
  std::string received;  // the request head so far
  std::string answer;    // once the head is complete
  size_t sent = 0;
  bool done = false;

  // Reads what has arrived; answers once the head is complete.
  void Read(const ServeHttp& http) {
    char chunk[kReadChunk];
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      done = true;  // closed by the client, or broken
      return;
    }
    received.append(chunk, static_cast<size_t>(n));
    size_t end = received.find("\r\n\r\n");
    if (end != std::string::npos && end <= http.limits_.max_request_head) {
      answer = AnswerRequest(std::string_view(received).substr(0, end), *http.metrics_, http.healthy_->load());
    } else if (received.size() > http.limits_.max_request_head) {
      answer = AnswerHeadTooLarge();
    }
  }

  void Write() {
    ssize_t n = send(fd, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      done = true;
      return;
    }
    sent += static_cast<size_t>(n);
    done = sent == answer.size();
  }
};

ServeHttp::ServeHttp(const ServeMetrics* metrics, const std::atomic<bool>* healthy, ServeHttpLimits limits)
    : metrics_(metrics), healthy_(healthy), limits_(limits) {}

ServeHttp::~ServeHttp() {
  if (thread_.joinable()) {
    char byte = 0;
    ssize_t ignored = write(wake_write_, &byte, 1);
    (void)ignored;
    thread_.join();
  }
  for (int fd : {listen_fd_, wake_read_, wake_write_}) {
    if (fd >= 0) close(fd);
  }
}

Status ServeHttp::Start(const std::string& address, int port) {
  KEEL_ASSIGN_OR_RETURN(listen_fd_, Listen(address, port));
  int wake[2];
  if (pipe2(wake, O_CLOEXEC) != 0) return Status::IOError(std::string("cannot make a pipe: ") + std::strerror(errno));
  wake_read_ = wake[0];
  wake_write_ = wake[1];
  thread_ = std::thread([this] { Serve(); });
  return Status::OK();
}

void ServeHttp::Serve() {
  std::vector<Connection> connections;
  std::vector<pollfd> polled;
  for (;;) {
    // The wake pipe first, then the listening socket while there is room,
    // then one entry per connection, in order.
    polled.assign({{wake_read_, POLLIN, 0}});
    bool accepting = connections.size() < limits_.max_connections;
    if (accepting) polled.push_back({listen_fd_, POLLIN, 0});
    auto now = SteadyClock::now();
    auto next_deadline = SteadyClock::time_point::max();
    for (const Connection& c : connections) {
      polled.push_back({c.fd, static_cast<short>(c.answer.empty() ? POLLIN : POLLOUT), 0});
      next_deadline = std::min(next_deadline, c.deadline);
    }
    int timeout = -1;
    if (!connections.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next_deadline - now).count();
      timeout = static_cast<int>(std::max<int64_t>(0, left) + 1);
    }
    if (poll(polled.data(), polled.size(), timeout) < 0 && errno != EINTR) return;
    if (polled[0].revents != 0) break;

    size_t first_connection = accepting ? 2 : 1;
    for (size_t i = 0; i < connections.size(); ++i) {
      short events = polled[first_connection + i].revents;
      if (events == 0) continue;
      Connection& c = connections[i];
      if (c.answer.empty()) c.Read(*this);
      // The answer goes out as soon as it is made: a client that sent its
      // head in one piece is answered on this turn.
      if (!c.done && !c.answer.empty()) c.Write();
    }
    now = SteadyClock::now();
    std::erase_if(connections, [now](const Connection& c) {
      bool finished = c.done || now >= c.deadline;
      if (finished) close(c.fd);
      return finished;
    });
    while (accepting && connections.size() < limits_.max_connections) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) break;  // none waiting (or a connection that failed before it was taken)
      connections.emplace_back(fd, now + limits_.connection_deadline);
    }
  }
  for (const Connection& c : connections) close(c.fd);
}

}  // namespace keel::server
