// A child process started without waiting for it, to be killed at a moment
// the test picks: standard input from /dev/null, standard output and error
// to files (no pipe that could fill up and stall the child before the kill).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace keel::testing {

class SpawnedProcess {
 public:
  SpawnedProcess(const std::vector<std::string>& argv, const std::filesystem::path& out,
                 const std::filesystem::path& err) {
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
      int in = ::open("/dev/null", O_RDONLY);
      int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || out_fd < 0 || err_fd < 0) ::_exit(126);
      ::dup2(in, STDIN_FILENO);
      ::dup2(out_fd, STDOUT_FILENO);
      ::dup2(err_fd, STDERR_FILENO);
      std::vector<char*> args;
      for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~SpawnedProcess() {
    if (pid_ > 0) Kill();
  }
  SpawnedProcess(const SpawnedProcess&) = delete;
  SpawnedProcess& operator=(const SpawnedProcess&) = delete;

  // The exit status if the child has ended (exit code, or 128 + signal);
  // nullopt while it runs.
  std::optional<int> Poll() {
    if (pid_ <= 0) return status_;
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) Reaped(status);
    return pid_ > 0 ? std::nullopt : status_;
  }

  // SIGKILL and reap. True when the kill ended the child; false when it had
  // already ended on its own.
  bool Kill() {
    if (Poll()) return false;
    ::kill(pid_, SIGKILL);
    return Wait() == 128 + SIGKILL;
  }

  // Sends `signal` (SIGTERM, say) to a child still running.
  void Signal(int signal) {
    if (!Poll()) ::kill(pid_, signal);
  }

  int Wait() {
    if (pid_ > 0) {
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      Reaped(status);
    }
    return *status_;
  }

 private:
  void Reaped(int status) {
    pid_ = -1;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace keel::testing
