#include "tests/cli/run_keel_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace keel::testing {
namespace {

struct Pipe {
  int read = -1;
  int write = -1;
};

Pipe MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  return {fds[0], fds[1]};
}

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

[[noreturn]] void ExecKeel(const std::vector<std::string>& args, const Pipe& in, const Pipe& out,
                           const Pipe& err) {
  ::dup2(in.read, STDIN_FILENO);
  ::dup2(out.write, STDOUT_FILENO);
  ::dup2(err.write, STDERR_FILENO);
  std::string path = KeelPath();
  std::vector<char*> argv;
  argv.push_back(path.data());
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  ::execv(path.c_str(), argv.data());
  std::string message = "cannot run " + path + ": " + std::strerror(errno) + "\n";
  (void)!::write(STDERR_FILENO, message.data(), message.size());
  ::_exit(127);
}

// Feeds `input` to the child and collects its output; poll() keeps a large
// input and a large output from blocking each other.
void Exchange(int* to_child, int* from_out, int* from_err, std::string_view input, KeelRun* run) {
  size_t written = 0;
  if (input.empty()) CloseFd(to_child);
  char buffer[65536];
  while (*from_out >= 0 || *from_err >= 0) {
    std::vector<pollfd> fds;
    if (*to_child >= 0) fds.push_back({*to_child, POLLOUT, 0});
    if (*from_out >= 0) fds.push_back({*from_out, POLLIN, 0});
    if (*from_err >= 0) fds.push_back({*from_err, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    }
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == *to_child) {
        ssize_t n = ::write(*to_child, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if (n < 0 || written == input.size()) CloseFd(to_child);  // EPIPE: keel stopped reading
        continue;
      }
      int* fd = p.fd == *from_out ? from_out : from_err;
      std::string& sink = p.fd == *from_out ? run->out : run->err;
      ssize_t n = ::read(*fd, buffer, sizeof buffer);
      if (n > 0) {
        sink.append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        CloseFd(fd);
      }
    }
  }
  CloseFd(to_child);
}

}  // namespace

std::string KeelRun::Describe() const {
  return "exit " + std::to_string(exit_code) + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
}

std::string KeelPath() { return std::string(KEEL_BINARY_DIR) + "/keel"; }

KeelRun RunKeel(const std::vector<std::string>& args, std::string_view input) {
  return RunKeel(args, input, [] {});
}

KeelRun RunKeel(const std::vector<std::string>& args, std::string_view input, const std::function<void()>& in_child) {
  // Writing to a child that has exited must fail with EPIPE, not kill the test.
  ::signal(SIGPIPE, SIG_IGN);
  Pipe in = MakePipe(), out = MakePipe(), err = MakePipe();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    in_child();
    ExecKeel(args, in, out, err);
  }
  CloseFd(&in.read);
  CloseFd(&out.write);
  CloseFd(&err.write);
  KeelRun run;
  Exchange(&in.write, &out.read, &err.read, input, &run);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    lines.emplace_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return lines;
}

}  // namespace keel::testing
