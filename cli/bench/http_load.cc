#include "cli/bench/http_load.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>

namespace keel::cli {
namespace {

using Clock = std::chrono::steady_clock;

Result<int> Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError(std::string("socket: ") + std::strerror(errno));
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    int error = errno;
    ::close(fd);
    return Status::IOError("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(error));
  }
  // Connected while blocking (loopback answers at once); from here on the
  // one client thread never waits on a single connection.
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// A request's head up to where the delivery id header goes, and the rest
// (the Content-Length line and the body), sent with one writev so the body
// is never copied on the client's side.
struct RequestParts {
  std::string head;
  std::string rest;
};

RequestParts Request(const HttpLoad& load, size_t k) {
  const std::string empty;
  const std::string& body = load.bodies.empty() ? empty : load.bodies[k];
  const std::string& extra = load.body_headers.empty() ? empty : load.body_headers[k];
  return {"POST " + load.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + load.headers +
              extra,
          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body};
}

// One keep-alive connection and the request it has in flight.
struct Connection {
  int fd = -1;
  bool busy = false;
  uint64_t index = 0;  // of the request in flight
  Clock::time_point began;
  const RequestParts* parts = nullptr;
  std::string id_line;  // the delivery id header of this request, or empty
  size_t sent = 0;      // bytes of head + id_line + rest already sent
  std::string received;
  bool retried = false;  // this request was already sent again on a new connection

  size_t Total() const { return parts->head.size() + id_line.size() + parts->rest.size(); }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
    received.clear();
  }
};

// Runs the whole load on one thread with epoll: the client costs a fraction
// of a core, and the server's cores are not spent switching between one
// client thread per connection.
class LoadLoop {
 public:
  LoadLoop(const HttpLoad& load, std::vector<RequestParts> requests)
      : load_(load), requests_(std::move(requests)), connections_(static_cast<size_t>(load.connections)) {}
  ~LoadLoop() {
    for (Connection& c : connections_) c.Close();
    if (epoll_ >= 0) ::close(epoll_);
  }

  Result<HttpLoadResult> Run() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) return Status::IOError(std::string("epoll_create1: ") + std::strerror(errno));
    result_.latencies_ms.reserve(load_.requests);
    start_ = Clock::now();
    for (size_t c = 0; c < connections_.size(); ++c) idle_.push_back(c);
    while (answered_ < load_.requests) {
      KEEL_RETURN_IF_ERROR(StartDueRequests());
      if (answered_ >= load_.requests) break;
      epoll_event events[64];
      timespec wait = Wait();
      int n = ::epoll_pwait2(epoll_, events, 64, &wait, nullptr);
      if (n < 0 && errno != EINTR) return Status::IOError(std::string("epoll_pwait2: ") + std::strerror(errno));
      for (int k = 0; k < n; ++k) KEEL_RETURN_IF_ERROR(Progress(connections_[events[k].data.u64]));
    }
    result_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    return std::move(result_);
  }

 private:
  Clock::time_point Due(uint64_t i) const {
    return start_ + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(static_cast<double>(i) / load_.rate));
  }

  // How long epoll may sleep: until the next request is due at a rate,
  // else until a connection has news. Nanoseconds (epoll_pwait2), so a
  // steady rate starts each request on time without spinning.
  timespec Wait() const {
    if (load_.rate <= 0 || idle_.empty() || next_ >= load_.requests) return {1, 0};
    auto until = std::chrono::duration_cast<std::chrono::nanoseconds>(Due(next_) - Clock::now()).count();
    if (until <= 0) return {0, 0};
    return {static_cast<time_t>(until / 1'000'000'000), static_cast<long>(until % 1'000'000'000)};
  }

  Status StartDueRequests() {
    while (!idle_.empty() && next_ < load_.requests) {
      Clock::time_point began = Clock::now();
      if (load_.rate > 0) {
        Clock::time_point due = Due(next_);
        if (due > began) return Status::OK();
        began = due;  // latency counts from when it was due
      }
      size_t c = idle_.front();
      idle_.pop_front();
      Connection& connection = connections_[c];
      connection.busy = true;
      connection.index = next_++;
      connection.began = began;
      connection.parts = &requests_[connection.index % requests_.size()];
      connection.id_line = load_.id_header.empty() ? std::string()
                                                   : load_.id_header + ": " + load_.id_prefix +
                                                         std::to_string(connection.index) + "\r\n";
      connection.retried = false;
      KEEL_RETURN_IF_ERROR(Send(c));
    }
    return Status::OK();
  }

  // (Re)sends the connection's request from its first byte, connecting first
  // when the connection is closed.
  Status Send(size_t c) {
    Connection& connection = connections_[c];
    if (connection.fd < 0) {
      KEEL_ASSIGN_OR_RETURN(connection.fd, Connect(load_.port));
      epoll_event event{};
      event.events = EPOLLIN | EPOLLOUT | EPOLLET;
      event.data.u64 = c;
      if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, connection.fd, &event) != 0) {
        return Status::IOError(std::string("epoll_ctl: ") + std::strerror(errno));
      }
    }
    connection.sent = 0;
    connection.received.clear();
    return Progress(connection);
  }

  // Sends what is left of the request, reads what has come of the answer,
  // and finishes the request when its answer is whole.
  Status Progress(Connection& connection) {
    if (!connection.busy || connection.fd < 0) return Status::OK();
    while (connection.sent < connection.Total()) {
      iovec pieces[3];
      int count = 0;
      size_t skip = connection.sent;
      const std::string* all[] = {&connection.parts->head, &connection.id_line, &connection.parts->rest};
      for (const std::string* piece : all) {
        if (skip >= piece->size()) {
          skip -= piece->size();
          continue;
        }
        pieces[count++] = {const_cast<char*>(piece->data()) + skip, piece->size() - skip};
        skip = 0;
      }
      msghdr message{};
      message.msg_iov = pieces;
      message.msg_iovlen = static_cast<size_t>(count);
      ssize_t n = ::sendmsg(connection.fd, &message, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Status::OK();  // EPOLLOUT brings it back
      if (n <= 0) return Lost(connection, "the server closed the connection");
      connection.sent += static_cast<size_t>(n);
    }
    for (;;) {
      if (Answered(connection)) return Status::OK();
      char chunk[16384];
      ssize_t n = ::recv(connection.fd, chunk, sizeof chunk, 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Status::OK();
      if (n <= 0) return Lost(connection, "the server closed the connection before answering");
      connection.received.append(chunk, static_cast<size_t>(n));
    }
  }

  // True when a whole answer is in; then the request is done.
  bool Answered(Connection& connection) {
    const std::string& received = connection.received;
    size_t head_end = received.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    size_t length = 0;
    size_t at = received.find("Content-Length: ");
    if (at != std::string::npos && at < head_end) length = std::strtoul(received.c_str() + at + 16, nullptr, 10);
    if (received.size() < head_end + 4 + length) return false;
    int status = received.size() > 12 ? std::atoi(received.c_str() + 9) : 0;
    bool closing = received.find("Connection: close") < head_end;
    result_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - connection.began).count());
    if (status < 200 || status > 299) ++result_.not_2xx;
    ++answered_;
    connection.busy = false;
    connection.received.erase(0, head_end + 4 + length);
    if (closing) connection.Close();  // the server's requests-per-connection limit
    idle_.push_back(static_cast<size_t>(&connection - connections_.data()));
    return true;
  }

  // The connection went away with a request in flight: send it again once on
  // a new connection (a keep-alive connection the server closed as the
  // request went out), then give up with the error.
  Status Lost(Connection& connection, const char* what) {
    connection.Close();
    if (connection.retried) return Status::IOError(what);
    connection.retried = true;
    return Send(static_cast<size_t>(&connection - connections_.data()));
  }

  const HttpLoad& load_;
  const std::vector<RequestParts> requests_;
  std::vector<Connection> connections_;
  std::deque<size_t> idle_;
  int epoll_ = -1;
  Clock::time_point start_;
  uint64_t next_ = 0;
  uint64_t answered_ = 0;
  HttpLoadResult result_;
};

}  // namespace

double HttpLoadResult::RequestsPerSecond() const {
  return seconds > 0 ? static_cast<double>(latencies_ms.size()) / seconds : 0;
}

double HttpLoadResult::LatencyPercentileMs(double p) const {
  if (latencies_ms.empty()) return 0;
  std::vector<double> sorted = latencies_ms;
  size_t index = std::min(sorted.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size())));
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<ptrdiff_t>(index), sorted.end());
  return sorted[index];
}

Result<HttpLoadResult> RunHttpLoad(const HttpLoad& load) {
  if (!load.body_headers.empty() && load.body_headers.size() != load.bodies.size()) {
    return Status::InvalidArgument("body_headers must be empty or one per body");
  }
  if (load.connections < 1) return Status::InvalidArgument("an HTTP load needs at least one connection");
  std::vector<RequestParts> requests;
  for (size_t k = 0; k < std::max<size_t>(1, load.bodies.size()); ++k) requests.push_back(Request(load, k));
  return LoadLoop(load, std::move(requests)).Run();
}

}  // namespace keel::cli
