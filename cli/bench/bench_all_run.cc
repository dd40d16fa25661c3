// Running one benchmark of `keel bench all` in a forked child: its standard
// output (the JSON of `--json`) and its standard error come back through
// pipes; its error messages are passed on to this process's standard error
// as they come.
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/bench/bench_all.h"
#include "cli/report.h"

namespace keel::cli {
namespace {

// In the child: parse `keel bench NAME ARGS --json` with only that
// subcommand registered, run it, and end with its exit code.
[[noreturn]] void RunInChild(const BenchInvocation& invocation, int out, int err) {
  ::dup2(out, STDOUT_FILENO);
  ::dup2(err, STDERR_FILENO);
  CLI::App bench{"keel bench"};
  bench.require_subcommand(1);
  int exit_code = kExitOk;
  invocation.add(bench, &exit_code);
  std::vector<std::string> args = {invocation.name};
  args.insert(args.end(), invocation.args.begin(), invocation.args.end());
  args.push_back("--json");
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
  try {
    bench.parse(args);
  } catch (const CLI::ParseError& e) {
    std::cerr << "keel bench " << invocation.name << ": " << e.what() << "\n";
    exit_code = kExitUsage;
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  // _exit: the child must not run the parent's atexit handlers or destructors.
  ::_exit(exit_code);
}

// Reads both pipes to their end; stderr is echoed as it arrives.
void Collect(int out, int err, std::string* out_text, std::string* err_text) {
  char buffer[65536];
  std::vector<int> open = {out, err};
  while (!open.empty()) {
    std::vector<pollfd> fds;
    for (int fd : open) fds.push_back({fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      ssize_t n = ::read(p.fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        open.erase(std::find(open.begin(), open.end(), p.fd));
        continue;
      }
      if (p.fd == out) {
        out_text->append(buffer, static_cast<size_t>(n));
      } else {
        err_text->append(buffer, static_cast<size_t>(n));
        std::fwrite(buffer, 1, static_cast<size_t>(n), stderr);
      }
    }
  }
}

// The last non-empty line of `text`: a command's error message.
std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  size_t start = text.find_last_of('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace

BenchOutcome RunBenchmark(const BenchInvocation& invocation) {
  BenchOutcome outcome;
  outcome.name = invocation.name;
  if (!invocation.skipped.empty()) {
    outcome.skipped = invocation.skipped;
    return outcome;
  }
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    outcome.failure = std::string("pipe: ") + std::strerror(errno);
    return outcome;
  }
  std::fflush(nullptr);  // nothing buffered may be written twice
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid < 0) {
    outcome.failure = std::string("fork: ") + std::strerror(errno);
    return outcome;
  }
  if (pid == 0) RunInChild(invocation, out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);
  std::string out_text, err_text;
  Collect(out[0], err[0], &out_text, &err_text);
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  nlohmann::ordered_json figures = nlohmann::ordered_json::parse(out_text, nullptr, false);
  if (figures.is_object()) outcome.figures = std::move(figures);
  if (code != kExitOk) {
    std::string said = LastLine(err_text);
    outcome.failure = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                          : "exit " + std::to_string(code);
    if (!said.empty()) outcome.failure += ": " + said;
  } else if (!outcome.figures) {
    outcome.failure = "no JSON on its standard output";
  }
  return outcome;
}

}  // namespace keel::cli
