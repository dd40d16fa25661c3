// A raw TCP client for the HTTP server's tests: sends exactly the bytes a
// test gives, so malformed, slow and oversized requests can be made.
#pragma once

#include <chrono>
#include <string>

namespace keel::testing {

class RawClient {
 public:
  explicit RawClient(int port);  // connects to 127.0.0.1:port (fails the test when it cannot)
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // False once the server closed the connection.
  bool Send(const std::string& bytes);
  // Everything until the server closes the connection or `timeout` passes.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout);
  // One response: the head and Content-Length bytes of body; "" on timeout.
  std::string ReadResponse(std::chrono::milliseconds timeout);
  // Whether the server closed the connection within `timeout`.
  bool ClosedWithin(std::chrono::milliseconds timeout);

 private:
  bool Receive(std::chrono::steady_clock::time_point deadline);
  int fd_;
  std::string pending_;
  bool closed_ = false;
};

// The status code of a response ("HTTP/1.1 413 ..." -> 413); 0 if none.
int StatusOf(const std::string& response);
// The body of a response.
std::string BodyOf(const std::string& response);

}  // namespace keel::testing
