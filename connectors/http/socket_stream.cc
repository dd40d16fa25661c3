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

bool SocketStream::is_writable() const { return Wait(POLLOUT); }

ssize_t SocketStream::read(char* ptr, size_t size) {
  if (taken_ == buffer_.size()) {
    buffer_.clear();
    taken_ = 0;
    if (!Wait(POLLIN)) return -1;
    buffer_.resize(kReceiveChunk);
    ssize_t n;
    do {
      n = ::recv(fd_, buffer_.data(), buffer_.size(), 0);
    } while (n < 0 && errno == EINTR);
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
  if (!Wait(POLLOUT)) return -1;
  ssize_t n;
  do {
    n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
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
