#include "cli/bench/http_load.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "engine/mutex.h"

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
  return fd;
}

// One keep-alive connection; reconnects when the server closed it (after
// its requests-per-connection limit).
class Connection {
 public:
  explicit Connection(int port) : port_(port) {}
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Sends `request` and reads one answer; its status, or an error.
  Result<int> Exchange(const std::string& request) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0) {
        KEEL_ASSIGN_OR_RETURN(fd_, Connect(port_));
      }
      Result<int> status = TryExchange(request);
      if (status.ok()) return status;
      ::close(fd_);
      fd_ = -1;
      received_.clear();
      if (attempt == 1) return status;
    }
    return Status::Internal("unreachable");
  }

 private:
  Result<int> TryExchange(const std::string& request) {
    for (size_t sent = 0; sent < request.size();) {
      ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return Status::IOError("the server closed the connection");
      sent += static_cast<size_t>(n);
    }
    for (;;) {
      size_t head_end = received_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t length = 0;
        size_t at = received_.find("Content-Length: ");
        if (at != std::string::npos && at < head_end) length = std::strtoul(received_.c_str() + at + 16, nullptr, 10);
        size_t total = head_end + 4 + length;
        if (received_.size() >= total) {
          int status = received_.size() > 12 ? std::atoi(received_.c_str() + 9) : 0;
          bool closing = received_.find("Connection: close") < head_end;
          received_.erase(0, total);
          if (closing) {
            ::close(fd_);
            fd_ = -1;
            received_.clear();
          }
          return status;
        }
      }
      char chunk[16384];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return Status::IOError("the server closed the connection before answering");
      received_.append(chunk, static_cast<size_t>(n));
    }
  }

  int port_;
  int fd_ = -1;
  std::string received_;
};

// A request's head up to where the delivery id header goes, and the rest.
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
  std::vector<RequestParts> requests;
  for (size_t k = 0; k < std::max<size_t>(1, load.bodies.size()); ++k) requests.push_back(Request(load, k));
  std::atomic<uint64_t> next{0};
  Mutex mutex;
  HttpLoadResult result;
  Status failure;
  auto start = Clock::now();
  auto due = [&](uint64_t i) {
    return start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(static_cast<double>(i) / load.rate));
  };
  std::vector<std::thread> threads;
  for (int c = 0; c < load.connections; ++c) {
    threads.emplace_back([&] {
      Connection connection(load.port);
      std::vector<double> latencies;
      std::string request;
      uint64_t not_2xx = 0;
      Status error;
      for (uint64_t i = next.fetch_add(1); i < load.requests; i = next.fetch_add(1)) {
        auto began = Clock::now();
        if (load.rate > 0) {
          began = due(i);
          std::this_thread::sleep_until(began);
        }
        const RequestParts& parts = requests[i % requests.size()];
        request = parts.head;
        if (!load.id_header.empty()) request += load.id_header + ": " + load.id_prefix + std::to_string(i) + "\r\n";
        request += parts.rest;
        Result<int> status = connection.Exchange(request);
        if (!status.ok()) {
          error = status.status();
          break;
        }
        latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - began).count());
        if (*status < 200 || *status > 299) ++not_2xx;
      }
      MutexLock lock(&mutex);
      result.latencies_ms.insert(result.latencies_ms.end(), latencies.begin(), latencies.end());
      result.not_2xx += not_2xx;
      if (!error.ok() && failure.ok()) failure = error;
    });
  }
  for (std::thread& thread : threads) thread.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!failure.ok()) return failure;
  return result;
}

}  // namespace keel::cli
