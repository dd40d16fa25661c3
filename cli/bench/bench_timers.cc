// keel bench timers: durable timers at scale. N timer.scheduled events (fire
// times spread over 30 days) are appended, so N timers are pending in the
// `timers` family; then the scheduler, with a clock set past the last one,
// fires them all as timer.fired events, a batch of 1000 per WriteBatch. The
// timers live in RocksDB, not in memory: peak RSS is reported to show it
// stays bounded (RocksDB's memtables and block cache, whatever N is).
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <unistd.h>

#include "cli/bench/bench.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/rule_pack.h"
#include "engine/canonical_json.h"
#include "engine/log/event_record.h"
#include "engine/json_time.h"
#include "engine/ingest/scheduler.h"

namespace keel::cli {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

struct TimersBenchFlags {
  uint64_t timers = 1000000;
  std::string dir;
  bool json = false;
};

double Seconds(Steady::time_point start) { return std::chrono::duration<double>(Steady::now() - start).count(); }

constexpr int64_t kStart = 1772323200LL * 1000000;  // 2026-03-01T00:00:00Z
constexpr int64_t kSpread = 30LL * 86400 * 1000000;

uint64_t Mix(uint64_t x) {  // splitmix64: fire times in no particular order
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// timer.scheduled number `i`, canonical, for task/T-<i % 50000>.
Result<Event> ScheduledEvent(uint64_t i) {
  char id[32], timer[32], task[32];
  std::snprintf(id, sizeof id, "sched-%09llu", static_cast<unsigned long long>(i));
  std::snprintf(timer, sizeof timer, "tm-%09llu", static_cast<unsigned long long>(i));
  std::snprintf(task, sizeof task, "task/T-%llu", static_cast<unsigned long long>(i % 50000));
  std::string at =
      FormatRfc3339Micros(kStart + static_cast<int64_t>(Mix(i) % static_cast<uint64_t>(kSpread))).value_or("");
  std::string text = "{\"actor\":\"user:bench\",\"data\":{\"name\":\"reminder\",\"scheduled_for\":" + JsonQuote(at) +
                     ",\"timer\":" + JsonQuote(timer) + "},\"id\":" + JsonQuote(id) +
                     ",\"source\":\"bench\",\"specversion\":\"1.0\",\"subject\":" + JsonQuote(task) +
                     ",\"time\":\"2026-02-28T00:00:00Z\",\"type\":\"timer.scheduled\",\"workspace\":\"acme\"}";
  return EventFromCanonical(std::move(text));
}

int RunTimersBenchmark(const TimersBenchFlags& flags) {
  fs::path root = flags.dir.empty() ? fs::temp_directory_path() / ("keel-bench-timers-" + std::to_string(::getpid()))
                                    : fs::path(flags.dir);
  std::error_code ec;
  fs::remove_all(root, ec);
  auto fail = [&](const Status& s) {
    fs::remove_all(root, ec);
    return ReportError("bench timers", s);
  };
  LogOptions options;
  options.create_if_missing = true;
  options.sync = SyncMode::kOff;
  auto log = EventLog::Open(root / "log", options);
  if (!log.ok()) return fail(log.status());

  Progress scheduling("bench timers (scheduling)");
  auto start = Steady::now();
  for (uint64_t first = 0; first < flags.timers; first += 1000) {
    std::vector<AppendRequest> group;
    for (uint64_t i = first; i < std::min(flags.timers, first + 1000); ++i) {
      auto event = ScheduledEvent(i);
      if (!event.ok()) return fail(event.status());
      group.push_back({*std::move(event), std::nullopt});
    }
    auto appended = (*log)->Append(std::move(group));
    if (!appended.ok()) return fail(appended.status());
    scheduling.Update(first + 1000, flags.timers);
  }
  double schedule_seconds = Seconds(start);
  size_t rss_pending = PeakRssBytes();
  auto next = (*log)->NextTimerDue();
  if (!next.ok()) return fail(next.status());

  FakeClock clock(kStart + kSpread);
  Scheduler scheduler(log->get(), &clock);
  start = Steady::now();
  auto fired = scheduler.FireDue();
  double fire_seconds = Seconds(start);
  if (!fired.ok()) return fail(fired.status());
  size_t rss_end = PeakRssBytes();
  auto left = (*log)->NextTimerDue();
  if (!left.ok()) return fail(left.status());
  log->reset();
  fs::remove_all(root, ec);

  double schedule_rate = static_cast<double>(flags.timers) / schedule_seconds;
  double fire_rate = static_cast<double>(*fired) / fire_seconds;
  bool all_fired = *fired == flags.timers && !left->has_value();
  if (flags.json) {
    PrintJson({{"timers", flags.timers},
               {"schedule_timers_per_s", schedule_rate},
               {"fire_timers_per_s", fire_rate},
               {"fired", *fired},
               {"all_fired", all_fired},
               {"peak_rss_bytes_with_all_pending", rss_pending},
               {"peak_rss_bytes", rss_end}});
  } else {
    std::printf("pending timers   %llu (fire times over 30 days, in RocksDB)\n",
                static_cast<unsigned long long>(flags.timers));
    std::printf("scheduling       %.0f timers/s (timer.scheduled events, 1000 per batch)\n", schedule_rate);
    std::printf("firing           %.0f timers/s (timer.fired events, 1000 per batch), %s\n", fire_rate,
                all_fired ? "all fired" : "NOT ALL FIRED");
    std::printf("peak RSS         %.1f MiB with all pending, %.1f MiB at the end\n", rss_pending / 1048576.0,
                rss_end / 1048576.0);
  }
  return all_fired ? kExitOk : kExitFailed;
}

}  // namespace

void AddTimersBenchmark(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<TimersBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "timers", "Schedule N durable timers (pending in RocksDB), then fire them all with the scheduler; print "
                "scheduling and firing rates and peak RSS");
  command->add_option("--timers", flags->timers, "Pending timers")
      ->capture_default_str()
      ->check(WholeNumber("a timer count", 1));
  command->add_option("--dir", flags->dir, "Scratch folder (default: under the temp folder; removed afterwards)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunTimersBenchmark(*flags); });
}

}  // namespace keel::cli
