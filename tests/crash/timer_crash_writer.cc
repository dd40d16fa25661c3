// keel_timer_crash_writer DB MODE: schedules one timer in DB, then stops
// where MODE says and waits there for the test's SIGKILL, saying so on
// standard output:
//   scheduled  the timer.scheduled is durable; nothing has fired
//   firing     the scheduler's batch (timer.fired) is built, not written
//   fired      the timer.fired batch is durable
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "engine/json_time.h"
#include "engine/ingest/scheduler.h"
#include "tests/support/events.h"

namespace {

[[noreturn]] void WaitForTheKill(const char* what) {
  std::printf("%s\n", what);
  std::fflush(stdout);
  while (true) ::pause();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace keel;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DB scheduled|firing|fired\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[2];
  LogOptions options;
  options.create_if_missing = true;
  options.sync = SyncMode::kAlways;
  bool firing = false;
  options.before_write = [&]() -> Status {
    if (firing && mode == "firing") WaitForTheKill("firing");
    return Status::OK();
  };
  auto log = EventLog::Open(argv[1], options);
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 1;
  }
  std::vector<AppendRequest> group;
  group.push_back({testing::MakeEvent({.id = "s1", .type = "timer.scheduled",
                                       .data = {{"timer", "tm-1"}, {"name", "remind"},
                                                {"scheduled_for", "2026-03-03T09:00:00Z"}}}),
                   std::nullopt});
  auto appended = (*log)->Append(std::move(group));
  if (!appended.ok()) return 1;
  if (mode == "scheduled") WaitForTheKill("scheduled");
  firing = true;
  FakeClock clock(ParseRfc3339Micros("2026-03-04T00:00:00Z").value());
  Scheduler scheduler(log->get(), &clock);
  auto fired = scheduler.FireDue();
  if (!fired.ok() || *fired != 1) return 1;
  WaitForTheKill("fired");
}
