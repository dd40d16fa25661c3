// A writer killed with SIGKILL between scheduling a timer and firing it, while
// firing it, and right after: whatever the moment, after a restart the timer
// fires exactly once (DESIGN.md invariants 2 and 10).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "engine/json_time.h"
#include "engine/ingest/scheduler.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

// Runs the writer until it prints its line (or ends), then kills it.
std::string RunAndKill(const std::filesystem::path& db, const std::string& mode) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::string writer = KEEL_TIMER_CRASH_WRITER, path = db.string();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    char* argv[] = {writer.data(), path.data(), const_cast<char*>(mode.c_str()), nullptr};
    ::execv(argv[0], argv);
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string said;
  char buffer[256];
  while (said.find('\n') == std::string::npos) {
    ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    said.append(buffer, static_cast<size_t>(n));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::close(fds[0]);
  return said;
}

size_t FiredEvents(const EventLog& log) {
  size_t fired = 0;
  EXPECT_TRUE(log.Scan(1, UINT64_MAX, [&](const StoredEvent& e) {
    fired += e.event.type == "timer.fired";
    return true;
  }).ok());
  return fired;
}

// Restarts after the kill and runs the scheduler twice, past the timer's time.
void ExpectExactlyOneFiredAfterRestart(const std::filesystem::path& db) {
  LogOptions options;
  options.sync = SyncMode::kOff;
  auto log = EventLog::Open(db, options);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  FakeClock clock(ParseRfc3339Micros("2026-03-05T00:00:00Z").value());
  Scheduler scheduler(log->get(), &clock);
  ASSERT_TRUE(scheduler.FireDue().ok());
  ASSERT_TRUE(scheduler.FireDue().ok());
  EXPECT_EQ(FiredEvents(**log), 1u);
  EXPECT_FALSE((*log)->GetTimer("acme", "tm-1")->has_value());
}

TEST(TimerCrashTest, KillAfterSchedulingBeforeFiringFiresOnceAfterRestart) {
  testing::TempDir dir;
  ASSERT_EQ(RunAndKill(dir / "db", "scheduled"), "scheduled\n");
  ExpectExactlyOneFiredAfterRestart(dir / "db");
}

TEST(TimerCrashTest, KillWhileTheFiringBatchIsBeingWrittenFiresOnceAfterRestart) {
  testing::TempDir dir;
  ASSERT_EQ(RunAndKill(dir / "db", "firing"), "firing\n");
  ExpectExactlyOneFiredAfterRestart(dir / "db");
}

TEST(TimerCrashTest, KillRightAfterFiringDoesNotFireAgainAfterRestart) {
  testing::TempDir dir;
  ASSERT_EQ(RunAndKill(dir / "db", "fired"), "fired\n");
  ExpectExactlyOneFiredAfterRestart(dir / "db");
}

}  // namespace
}  // namespace keel
