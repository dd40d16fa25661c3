// WriterProcess: a crash test's writer as a child process, its standard
// output and error a pipe to the test, which reads its "ack" lines
// (crash_plan.h) until it kills it with SIGKILL.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/crash/crash_plan.h"

namespace keel::crash {

// A running writer (argv[0] and its arguments) whose standard output and
// error are a pipe to the test.
class WriterProcess {
 public:
  explicit WriterProcess(std::vector<std::string> args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::dup2(fds[1], STDERR_FILENO);  // its error messages reach the test's report
      std::vector<char*> argv;
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~WriterProcess() {
    if (pid_ > 0) KillAndWait();
    if (out_ >= 0) ::close(out_);
  }
  WriterProcess(const WriterProcess&) = delete;
  WriterProcess& operator=(const WriterProcess&) = delete;

  // Reads acknowledgements until `deadline`, or until `count` more have come,
  // or until the writer's output ends (it died on its own).
  void ReadAcks(std::chrono::steady_clock::time_point deadline, size_t count = SIZE_MAX) {
    size_t target = acks_.size() + std::min(count, SIZE_MAX - acks_.size());
    while (acks_.size() < target && !ended_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return;
      pollfd p{out_, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(left));
      if (ready < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      if (ready > 0) ReadSome();
    }
  }

  // SIGKILL, then reap it and collect every acknowledgement it wrote before
  // dying: those still in the pipe count as acknowledged too.
  void KillAndWait() {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &wait_status_, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    while (!ended_) ReadSome();
  }

  // True when the writer ran until the SIGKILL, rather than stopping on its own.
  bool DiedOfTheKill() const { return WIFSIGNALED(wait_status_) && WTERMSIG(wait_status_) == SIGKILL; }
  const std::vector<Ack>& acks() const { return acks_; }
  const std::string& other_output() const { return other_output_; }

 private:
  void ReadSome() {
    char buffer[4096];
    ssize_t n = ::read(out_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) return;
    if (n <= 0) {
      ended_ = true;
      return;
    }
    pending_.append(buffer, static_cast<size_t>(n));
    size_t end;
    while ((end = pending_.find('\n')) != std::string::npos) {
      std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      if (auto ack = crash::ParseAck(line)) {
        acks_.push_back(*ack);
      } else {
        other_output_ += line + "\n";
      }
    }
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int wait_status_ = 0;
  bool ended_ = false;
  std::string pending_;
  std::vector<Ack> acks_;
  std::string other_output_;
};

}  // namespace keel::crash
