// One accepted connection as cpp-httplib's Stream, with keel's limits on it:
// every read and write waits at most until the current request's deadline
// (and at most the idle timeout between two reads), and the request head may
// not exceed its limit. A client that trickles bytes is therefore cut off at
// the deadline, so it holds a worker for a bounded time.
//
// Writes are gathered and sent by Flush: cpp-httplib writes an answer's head
// and body separately, and on a TCP_NODELAY connection each send is a segment
// the client wakes up for; one send per answer halves that. Reads and writes
// try the socket first and wait only when it is not ready, so a request that
// is already there costs one recv instead of a poll and a recv.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <string>

namespace keel::http {

class SocketStream final : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  // `fd` stays owned by the caller.
  SocketStream(int fd, std::chrono::milliseconds idle_timeout, size_t max_head);

  // A new request begins: it must be read and answered by `deadline`.
  void BeginRequest(Clock::time_point deadline);
  // The deadline passed while reading: `grace` more to send the refusal.
  void AllowRefusal(std::chrono::milliseconds grace) { deadline_ = Clock::now() + grace; }
  // The head is complete; later reads are the body and are not counted.
  void EndHead() { in_head_ = false; }
  bool head_too_large() const { return head_too_large_; }
  bool deadline_passed() const { return deadline_passed_; }
  // Whether a byte arrives within `wait` (buffered bytes count).
  bool WaitReadable(std::chrono::milliseconds wait);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  // Gathers `size` bytes to send; sends when enough have gathered.
  ssize_t write(const char* ptr, size_t size) override;
  using httplib::Stream::write;
  // Sends what write gathered, waiting for the socket until the deadline.
  // False when the connection failed or the deadline passed.
  bool Flush();
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override { return fd_; }

 private:
  // Waits for `events` on the socket until the deadline or the idle timeout,
  // whichever is first.
  bool Wait(short events) const;

  int fd_;
  std::chrono::milliseconds idle_timeout_;
  size_t max_head_;
  Clock::time_point deadline_ = Clock::time_point::max();
  mutable bool deadline_passed_ = false;
  bool in_head_ = true;
  bool head_too_large_ = false;
  size_t head_bytes_ = 0;
  // Bytes received and not yet taken: cpp-httplib reads the head a byte at
  // a time, so reads go through this buffer rather than one recv each.
  std::string buffer_;
  size_t taken_ = 0;
  std::string unsent_;  // gathered by write, sent by Flush
  bool write_failed_ = false;
};

}  // namespace keel::http
