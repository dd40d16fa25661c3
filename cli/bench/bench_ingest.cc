// keel bench ingest: keel's whole ingest path (decode, validate, canonicalize,
// dedupe, hash chain, indexes, projections, one WriteBatch per group) against
// the same event bytes written raw to RocksDB, measured in the same run; and,
// between the two, the layout floor (engine/audit/write_floors.h): what keel's
// own keys cost RocksDB alone.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/bench/bench.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "connectors/synthetic_events.h"
#include "engine/audit/write_floors.h"
#include "engine/ingest/ingest.h"
#include "engine/schema/schema_registry.h"

namespace keel::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct IngestBenchFlags {
  uint64_t events = 1000000;
  size_t group = 1000;
  std::string dir;
  bool keep = false;
  bool json = false;
};

// Events are generated in chunks outside the timed sections, so both sides
// pay only for writing them.
constexpr uint64_t kChunk = 10000;

struct Measured {
  double seconds = 0;
  uint64_t bytes = 0;
  uint64_t failures = 0;
};

Result<Measured> MeasureKeel(const IngestBenchFlags& flags, const fs::path& db) {
  KEEL_ASSIGN_OR_RETURN(auto schemas, SchemaRegistry::LoadEmbedded());
  LogOptions options;
  options.create_if_missing = true;
  options.sync = SyncMode::kOff;
  KEEL_ASSIGN_OR_RETURN(auto log, EventLog::Open(db, options));
  Ingestor ingestor(log.get(), schemas.get());
  SyntheticEvents source;
  Measured measured;
  SyntheticChunk chunk;
  Progress progress("bench ingest (keel)");
  for (uint64_t first = 0; first < flags.events; first += kChunk) {
    GenerateSyntheticChunk(source, first, std::min(kChunk, flags.events - first), &chunk);
    measured.bytes += chunk.text.size();
    auto start = Clock::now();
    auto count_failures = [&](const std::vector<AppendResult>& results) {
      for (const auto& r : results) {
        if (r.outcome != AppendOutcome::kAppended) {
          if (measured.failures++ == 0) std::cerr << "first refused event: " << r.error.ToString() << "\n";
        }
      }
    };
    // Pipelined as `keel ingest` is. The pipeline drains at the end of each
    // chunk, inside the timed section, so no decoding hides in the untimed
    // generation of the next chunk.
    for (size_t i = 0; i < chunk.items.size(); i += flags.group) {
      std::span<const IngestItem> group(chunk.items.data() + i, std::min(flags.group, chunk.items.size() - i));
      KEEL_ASSIGN_OR_RETURN(auto results, ingestor.Submit(group));
      count_failures(results);
    }
    KEEL_ASSIGN_OR_RETURN(auto results, ingestor.Finish());
    count_failures(results);
    measured.seconds += std::chrono::duration<double>(Clock::now() - start).count();
    progress.Update(first + chunk.items.size(), flags.events);
  }
  return measured;
}

Result<Measured> MeasureRawRocksDB(const IngestBenchFlags& flags, const fs::path& db) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<RawEventWriter> writer, RawEventWriter::Open(db));
  SyntheticEvents source;
  Measured measured;
  SyntheticChunk chunk;
  Progress progress("bench ingest (raw RocksDB)");
  for (uint64_t first = 0; first < flags.events; first += kChunk) {
    GenerateSyntheticChunk(source, first, std::min(kChunk, flags.events - first), &chunk);
    measured.bytes += chunk.text.size();
    auto start = Clock::now();
    for (size_t i = 0; i < chunk.items.size(); i += 100) {
      std::span<const IngestItem> batch(chunk.items.data() + i, std::min<size_t>(100, chunk.items.size() - i));
      KEEL_RETURN_IF_ERROR(writer->Write(batch));  // WAL on, no fsync: as keel's --sync=off
    }
    measured.seconds += std::chrono::duration<double>(Clock::now() - start).count();
    progress.Update(first + chunk.items.size(), flags.events);
  }
  return measured;
}

int RunIngestBenchmark(const IngestBenchFlags& flags) {
  fs::path root = flags.dir.empty() ? fs::temp_directory_path() / ("keel-bench-" + std::to_string(::getpid()))
                                    : fs::path(flags.dir);
  std::error_code ec;
  fs::remove_all(root, ec);
  auto keel = MeasureKeel(flags, root / "keel");
  size_t keel_peak_rss = PeakRssBytes();
  if (!keel.ok()) return ReportError("bench ingest", keel.status());
  auto floor = MeasureLayoutFloor(root / "keel", root / "floor", flags.group);
  if (!floor.ok()) return ReportError("bench ingest", floor.status());
  auto raw = MeasureRawRocksDB(flags, root / "raw");
  if (!raw.ok()) return ReportError("bench ingest", raw.status());
  if (!flags.keep) fs::remove_all(root, ec);

  double keel_rate = static_cast<double>(flags.events) / keel->seconds;
  double raw_rate = static_cast<double>(flags.events) / raw->seconds;
  double ratio = keel_rate / raw_rate;
  // The floor writes every event of keel's log, input or not.
  double floor_rate = static_cast<double>(floor->events) / floor->seconds;
  if (flags.json) {
    PrintJson({{"events", flags.events},
               {"event_bytes_avg", static_cast<double>(keel->bytes) / static_cast<double>(flags.events)},
               {"keel_events_per_s", keel_rate},
               {"raw_rocksdb_events_per_s", raw_rate},
               {"ratio", ratio},
               {"layout_floor_events_per_s", floor_rate},
               {"layout_floor_bytes_per_event", static_cast<double>(floor->bytes) / static_cast<double>(floor->events)},
               {"layout_floor_ratio_to_raw", floor_rate / raw_rate},
               {"keel_ratio_to_layout_floor", keel_rate / floor_rate},
               {"keel_peak_rss_bytes", keel_peak_rss},
               {"refused", keel->failures}});
  } else {
    std::printf("events            %llu (avg %.0f bytes)\n", static_cast<unsigned long long>(flags.events),
                static_cast<double>(keel->bytes) / static_cast<double>(flags.events));
    std::printf("keel ingest       %.0f events/s (%.2f s)\n", keel_rate, keel->seconds);
    std::printf("raw RocksDB       %.0f events/s (%.2f s; WriteBatch of 100, WAL on, no fsync)\n", raw_rate,
                raw->seconds);
    std::printf("ratio             %.2f\n", ratio);
    std::printf("layout floor      %.0f events/s (%.0f bytes written per event; keel's keys and values, "
                "nothing else): %.2f of raw; keel is %.2f of it\n",
                floor_rate, static_cast<double>(floor->bytes) / static_cast<double>(floor->events), floor_rate / raw_rate,
                keel_rate / floor_rate);
    std::printf("peak RSS (keel)   %.1f MB\n", static_cast<double>(keel_peak_rss) / 1e6);
  }
  return keel->failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void GenerateSyntheticChunk(const SyntheticEvents& source, uint64_t first, uint64_t count, SyntheticChunk* chunk) {
  chunk->text.clear();
  chunk->items.clear();
  std::vector<std::pair<size_t, size_t>> spans;
  for (uint64_t n = first; n < first + count; ++n) {
    size_t start = chunk->text.size();
    source.Append(n, &chunk->text);
    spans.emplace_back(start, chunk->text.size() - start);
  }
  for (uint64_t i = 0; i < spans.size(); ++i) {
    chunk->items.push_back({std::string_view(chunk->text).substr(spans[i].first, spans[i].second), first + i + 1});
  }
}

size_t PeakRssBytes() {
  struct rusage usage;
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<size_t>(usage.ru_maxrss) * 1024;
}

double ProcessCpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t after_name = text.rfind(')');  // the command name may hold spaces
  if (after_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // state is field 3 of the line; utime and stime are 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

void AddIngestBenchmark(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<IngestBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "ingest", "Ingest N synthetic events (about 300 bytes, mixed types over 10k entities) with --sync=off, "
                "then write the same bytes raw to RocksDB (8-byte keys, WriteBatch of 100); print both rates, "
                "their ratio and keel's peak RSS, and the layout floor: keel's own keys and values written "
                "straight to RocksDB with the log's options");
  command->add_option("--events", flags->events, "Number of events")
      ->capture_default_str()
      ->check(WholeNumber("an event count", 1));
  command->add_option("--group", flags->group, "Events per keel WriteBatch")
      ->capture_default_str()
      ->check(WholeNumber("events per WriteBatch", 1, 100000));
  command->add_option("--dir", flags->dir, "Scratch folder (default: under the temp folder; removed afterwards)");
  command->add_flag("--keep", flags->keep,
                    "Leave the scratch folder: the `keel` log, the layout `floor` and the `raw` baseline databases");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunIngestBenchmark(*flags); });
}

}  // namespace keel::cli
