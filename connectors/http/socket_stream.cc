#include "connectors/http/socket_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace keel::http {
namespace {

constexpr size_t kReceiveChunk = 16384;
// Past this many gathered bytes a write sends them: a large answer (a
// metrics page, an export) does not sit in memory whole.
constexpr size_t kGatherLimit = 65536;

bool WouldBlock(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

void AddressOf(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    port = ntohs(v4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    port = ntohs(v6->sin6_port);
  }
  ip = text;
}

}  // namespace

SocketStream::SocketStream(int fd, std::chrono::milliseconds idle_timeout, size_t max_head)
    : fd_(fd), idle_timeout_(idle_timeout), max_head_(max_head) {}

void SocketStream::BeginRequest(Clock::time_point deadline) {
  deadline_ = deadline;
  in_head_ = true;
  head_bytes_ = 0;
}

bool SocketStream::Wait(short events) const {
  auto now = Clock::now();
  if (now >= deadline_) {
    deadline_passed_ = true;
    return false;
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - now);
  auto wait = std::min(left + std::chrono::milliseconds(1), idle_timeout_);
  for (;;) {
    pollfd polled{fd_, events, 0};
    int ready = ::poll(&polled, 1, static_cast<int>(wait.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0 && Clock::now() >= deadline_) deadline_passed_ = true;
    return ready > 0;
  }
}

bool SocketStream::WaitReadable(std::chrono::milliseconds wait) {
  if (taken_ < buffer_.size()) return true;
  for (;;) {
    pollfd polled{fd_, POLLIN, 0};
    int ready = ::poll(&polled, 1, static_cast<int>(wait.count()));
    if (ready < 0 && errno == EINTR) continue;
    return ready > 0;
  }
}

bool SocketStream::is_readable() const { return taken_ < buffer_.size() || Wait(POLLIN); }

// Writes only gather (Flush waits for the socket), so a write can go ahead
// while the request's time lasts.
bool SocketStream::is_writable() const {
  if (write_failed_) return false;
  if (Clock::now() < deadline_) return true;
  deadline_passed_ = true;
  return false;
}

ssize_t SocketStream::read(char* ptr, size_t size) {
  if (taken_ == buffer_.size()) {
    buffer_.clear();
    taken_ = 0;
    if (Clock::now() >= deadline_) {
      deadline_passed_ = true;
      return -1;
    }
    buffer_.resize(kReceiveChunk);
    ssize_t n;
    for (;;) {
      n = ::recv(fd_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
      if (n >= 0) break;
      if (errno == EINTR) continue;
      if (!WouldBlock(errno)) break;
      if (!Wait(POLLIN)) {
        buffer_.clear();
        return -1;
      }
    }
    buffer_.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (n <= 0) return n;
  }
  size_t n = std::min(size, buffer_.size() - taken_);
  if (in_head_) {
    if (head_bytes_ + n > max_head_) {
      head_too_large_ = true;
      return -1;
    }
    head_bytes_ += n;
  }
  std::memcpy(ptr, buffer_.data() + taken_, n);
  taken_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t SocketStream::write(const char* ptr, size_t size) {
  if (write_failed_) return -1;
  unsent_.append(ptr, size);
  if (unsent_.size() >= kGatherLimit && !Flush()) return -1;
  return static_cast<ssize_t>(size);
}

bool SocketStream::Flush() {
  size_t sent = 0;
  while (sent < unsent_.size() && !write_failed_) {
    ssize_t n = ::send(fd_, unsent_.data() + sent, unsent_.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && WouldBlock(errno)) {
      if (!Wait(POLLOUT)) write_failed_ = true;
    } else {
      write_failed_ = true;
    }
  }
  unsent_.clear();
  return !write_failed_;
}

void SocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) AddressOf(address, ip, port);
}

void SocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) AddressOf(address, ip, port);
}

}  // namespace keel::http
