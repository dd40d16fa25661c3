// keel bench audit: how fast a log can be audited. A log of N synthetic
// events is written with the 100 rules of `keel bench rules` active; then,
// measured in the same run: a raw RocksDB scan of its events (the floor:
// reading the bytes), `keel verify` (chain, indexes, projections, rule sets)
// and `keel replay` (every input event through its rule set again, into a
// fresh database, compared event by event).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <unistd.h>

#include "cli/bench/bench.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "connectors/synthetic_events.h"
#include "engine/ingest/ingest.h"
#include "engine/schema/schema_registry.h"
#include "engine/audit/read_floors.h"
#include "engine/audit/verify.h"
#include "rules/audit/replay.h"
#include "rules/react/attach_rule_set.h"
#include "rules/react/ruleset_store.h"

namespace keel::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct AuditBenchFlags {
  uint64_t events = 1000000;
  std::string dir;
  bool keep = false;
  bool json = false;
};

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The log to audit: N synthetic input events and what the rules derive.
Status WriteLog(const fs::path& db, uint64_t events) {
  KEEL_ASSIGN_OR_RETURN(rules::RuleSet set, rules::RuleSet::LoadFromSources(BenchRatioRules()));
  KEEL_ASSIGN_OR_RETURN(auto schemas, SchemaRegistry::LoadEmbedded());
  LogOptions options;
  options.create_if_missing = true;
  options.sync = SyncMode::kOff;
  KEEL_ASSIGN_OR_RETURN(auto log, EventLog::Open(db, options));
  rules::AttachRuleSet(*log, set, schemas.get());
  KEEL_ASSIGN_OR_RETURN(uint64_t activated, rules::ActivateRuleSet(*log, set, "2026-01-05T09:00:00Z"));
  (void)activated;
  Ingestor ingestor(log.get(), schemas.get());
  SyntheticEvents source;
  Progress progress("bench audit (writing the log)");
  SyntheticChunk chunk;
  for (uint64_t first = 0; first < events; first += 1000) {
    GenerateSyntheticChunk(source, first, std::min<uint64_t>(1000, events - first), &chunk);
    const std::vector<IngestItem>& items = chunk.items;
    KEEL_ASSIGN_OR_RETURN(auto results, ingestor.IngestGroup(items));
    (void)results;
    progress.Update(first + items.size(), events);
  }
  return log->Sync();
}

int RunAuditBenchmark(const AuditBenchFlags& flags) {
  fs::path root = flags.dir.empty() ? fs::temp_directory_path() / ("keel-bench-audit-" + std::to_string(::getpid()))
                                    : fs::path(flags.dir);
  std::error_code ec;
  fs::remove_all(root, ec);
  auto fail = [&](const Status& s) {
    fs::remove_all(root, ec);
    return ReportError("bench audit", s);
  };
  if (Status s = WriteLog(root / "log", flags.events); !s.ok()) return fail(s);
  LogOptions read_only;
  read_only.read_only = true;
  auto log = EventLog::Open(root / "log", read_only);
  if (!log.ok()) return fail(log.status());
  const uint64_t total = (*log)->Head().seq;

  // CPU per event, every thread of this process: the log is open read-only,
  // so no compaction of RocksDB's runs meanwhile.
  auto cpu_us_per_event = [&, cpu = ProcessCpuSeconds(::getpid())]() mutable {
    double now = ProcessCpuSeconds(::getpid());
    double used = (now - cpu) * 1e6 / static_cast<double>(total);
    cpu = now;
    return used;
  };
  auto start = Clock::now();
  auto scan = ScanEventRecords(**log);
  if (!scan.ok()) return fail(scan.status());
  double scan_seconds = Seconds(start);
  const uint64_t scanned = scan->records, bytes = scan->bytes;

  // What verify cannot go below: reading what it reads, laid out as it
  // reads it. The events on one thread while the two indexes are read on
  // another, then the entity states.
  cpu_us_per_event();
  start = Clock::now();
  if (Status s = ReadWhatVerifyReads(**log); !s.ok()) return fail(s);
  double read_floor_seconds = Seconds(start);
  double read_floor_cpu = cpu_us_per_event();

  start = Clock::now();
  auto verified = VerifyLog(**log);
  double verify_seconds = Seconds(start);
  double verify_cpu = cpu_us_per_event();
  if (!verified.ok()) return fail(verified.status());
  if (!verified->ok()) return fail(Status::Internal("verify found problems in the benchmark's log"));

  LogOptions fresh;
  fresh.create_if_missing = true;
  fresh.sync = SyncMode::kOff;
  auto target = EventLog::Open(root / "replay", fresh);
  if (!target.ok()) return fail(target.status());
  Progress progress("bench audit (replay)");
  rules::ReplayOptions options;
  options.progress = [&](uint64_t done, uint64_t all) { progress.Update(done, all); };
  start = Clock::now();
  auto replayed = rules::Replay(**log, **target, options);
  double replay_seconds = Seconds(start);
  if (!replayed.ok()) return fail(replayed.status());
  target->reset();
  log->reset();
  if (!flags.keep) fs::remove_all(root, ec);

  double scan_rate = static_cast<double>(scanned) / scan_seconds;
  double verify_rate = static_cast<double>(total) / verify_seconds;
  double read_floor_rate = static_cast<double>(total) / read_floor_seconds;
  double replay_rate = static_cast<double>(total) / replay_seconds;
  // What the cores allow when the reading alone costs what it costs: verify
  // reads the same records and checks them besides.
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double read_floor_cpu_bound = read_floor_cpu > 0 ? cores * 1e6 / read_floor_cpu : 0;
  if (flags.json) {
    PrintJson({{"input_events", flags.events},
               {"log_events", total},
               {"scan_events_per_s", scan_rate},
               {"verify_events_per_s", verify_rate},
               {"verify_ratio_to_scan", verify_rate / scan_rate},
               {"verify_read_floor_events_per_s", read_floor_rate},
               {"verify_ratio_to_read_floor", verify_rate / read_floor_rate},
               {"verify_cpu_us_per_event", verify_cpu},
               {"verify_read_floor_cpu_us_per_event", read_floor_cpu},
               {"cores", cores},
               {"verify_read_floor_cpu_bound_events_per_s", read_floor_cpu_bound},
               {"replay_events_per_s", replay_rate},
               {"replay_ratio_to_scan", replay_rate / scan_rate},
               {"replay_identical", replayed->identical}});
  } else {
    std::printf("log               %llu events (%llu input, the rest derived by 100 rules), %.0f bytes avg\n",
                static_cast<unsigned long long>(total), static_cast<unsigned long long>(flags.events),
                static_cast<double>(bytes) / static_cast<double>(scanned));
    std::printf("raw RocksDB scan  %.0f events/s\n", scan_rate);
    std::printf("verify            %.0f events/s (ratio to the scan %.3f)\n", verify_rate, verify_rate / scan_rate);
    std::printf("verify read floor %.0f events/s (events beside by_id and by_stream, then entities: what verify "
                "reads, nothing checked); verify is %.3f of it\n",
                read_floor_rate, verify_rate / read_floor_rate);
    std::printf("CPU per event     verify %.2f us, its read floor %.2f us: reading alone allows at most %.0f "
                "events/s on %u cores\n",
                verify_cpu, read_floor_cpu, read_floor_cpu_bound, cores);
    std::printf("replay            %.0f events/s (ratio to the scan %.3f), %s\n", replay_rate, replay_rate / scan_rate,
                replayed->identical ? "identical" : "DIVERGED");
  }
  return replayed->identical ? kExitOk : kExitFailed;
}

}  // namespace

void AddAuditBenchmark(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<AuditBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "audit", "Write a log of N synthetic events with 100 rules active, then time a raw RocksDB scan of it, "
               "keel verify and keel replay, and print their rates and ratios to the scan");
  command->add_option("--events", flags->events, "Input events")
      ->capture_default_str()
      ->check(WholeNumber("an event count", 1));
  command->add_option("--dir", flags->dir, "Scratch folder (default: under the temp folder; removed afterwards)");
  command->add_flag("--keep", flags->keep,
                    "Leave the scratch folder: its `log` and `replay` databases, for keel verify, replay or a profiler");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunAuditBenchmark(*flags); });
}

}  // namespace keel::cli
