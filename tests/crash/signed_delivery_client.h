// A webhook sender for the crash tests, as a tool such as GitHub behaves: one
// keep-alive connection on loopback, one POST at a time, and an answer read
// within a timeout. Any failure (refused connection, a peer that vanished, a
// timeout, a malformed answer) comes back as status 0 and closes the
// connection, so the caller retries the same delivery on a new one.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace keel::crash {

struct PostAnswer {
  int status = 0;  // 0: no answer (connection error or timeout)
  std::string body;
};

class SignedDeliveryClient {
 public:
  SignedDeliveryClient(int port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {}
  ~SignedDeliveryClient() { Close(); }
  SignedDeliveryClient(const SignedDeliveryClient&) = delete;
  SignedDeliveryClient& operator=(const SignedDeliveryClient&) = delete;

  // POSTs `body` to `path` with `headers` (name, value), on the open
  // connection or a new one.
  PostAnswer Post(const std::string& path, const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::string& body) {
    if (fd_ < 0 && !Connect()) return {};
    std::string request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    request += body;
    if (!SendAll(request)) return Failed();
    return ReadAnswer();
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    pending_.clear();
  }

 private:
  bool Connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    timeval limit{static_cast<time_t>(timeout_.count() / 1000),
                  static_cast<suseconds_t>(timeout_.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    int yes = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      Close();
      return false;
    }
    return true;
  }

  PostAnswer Failed() {
    Close();
    return {};
  }

  bool SendAll(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads until `pending_` holds at least `size` bytes; false on EOF, error
  // or timeout.
  bool Fill(size_t size) {
    char buffer[16384];
    while (pending_.size() < size) {
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      pending_.append(buffer, static_cast<size_t>(n));
    }
    return true;
  }

  PostAnswer ReadAnswer() {
    size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(pending_.size() + 1)) return Failed();
    }
    std::string head = pending_.substr(0, end + 2);
    pending_.erase(0, end + 4);
    if (head.compare(0, 9, "HTTP/1.1 ") != 0 || head.size() < 12) return Failed();
    PostAnswer answer;
    answer.status = std::atoi(head.c_str() + 9);
    size_t length = 0;
    bool close_after = false;
    for (size_t start = head.find("\r\n") + 2; start < head.size();) {
      size_t line_end = head.find("\r\n", start);
      std::string line = head.substr(start, line_end - start);
      start = line_end + 2;
      std::string name = line.substr(0, line.find(':'));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(line.find(':') + 1);
      if (name == "content-length") length = std::strtoull(value.c_str(), nullptr, 10);
      if (name == "connection" && value.find("close") != std::string::npos) close_after = true;
    }
    if (!Fill(length)) return Failed();
    answer.body = pending_.substr(0, length);
    pending_.erase(0, length);
    if (close_after) Close();
    return answer;
  }

  int port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::string pending_;
};

}  // namespace keel::crash
