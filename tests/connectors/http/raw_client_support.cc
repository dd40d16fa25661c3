#include "tests/connectors/http/raw_client_support.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace keel::testing {

RawClient::RawClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << "port " << port;
}

RawClient::~RawClient() { ::close(fd_); }

bool RawClient::Send(const std::string& bytes) {
  return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

bool RawClient::Receive(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0 || closed_) return false;
  pollfd polled{fd_, POLLIN, 0};
  if (::poll(&polled, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[65536];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  pending_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::string RawClient::ReadUntilClosed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Receive(deadline)) {
  }
  return std::exchange(pending_, {});
}

std::string RawClient::ReadResponse(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t head_end = pending_.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      size_t length = 0;
      size_t at = pending_.find("Content-Length: ");
      if (at != std::string::npos && at < head_end) length = std::stoul(pending_.substr(at + 16));
      if (pending_.size() >= head_end + 4 + length) {
        std::string response = pending_.substr(0, head_end + 4 + length);
        pending_.erase(0, response.size());
        return response;
      }
    }
    if (!Receive(deadline)) return "";
  }
}

bool RawClient::ClosedWithin(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Receive(deadline)) {
  }
  return closed_;
}

int StatusOf(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  return std::stoi(response.substr(9, 3));
}

std::string BodyOf(const std::string& response) {
  size_t head_end = response.find("\r\n\r\n");
  return head_end == std::string::npos ? "" : response.substr(head_end + 4);
}

}  // namespace keel::testing
