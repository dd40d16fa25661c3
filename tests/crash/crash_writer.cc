// keel_crash_writer DB_DIR SYNC_MODE START_INDEX [MIN_GROUP MAX_GROUP]
//
// Writes synthetic events into the log until it is killed, the way a real
// writer would: each group goes through keel::Ingestor (decode, validate,
// one WriteBatch). Once IngestGroup has returned OK for a group, it prints
// "ack <last index> <head seq>" and flushes: from then on the events are
// acknowledged and must survive a crash. The crash test kills it with SIGKILL.
//
// Starting from an index the log already holds is harmless: those events come
// back as duplicates. Any rejected event, or a failed write, ends the writer
// with exit code 3 and a message on stderr, which the crash test reports.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/log/event_log.h"
#include "engine/ingest/ingest.h"
#include "engine/schema/schema_registry.h"
#include "tests/crash/crash_plan.h"

namespace keel::crash {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailed = 3;

int Fail(const std::string& message) {
  std::fprintf(stderr, "keel_crash_writer: %s\n", message.c_str());
  return kExitFailed;
}

bool ParseNumber(const char* text, uint64_t* value) {
  char* end = nullptr;
  *value = std::strtoull(text, &end, 10);
  return end != text && *end == '\0';
}

int Run(const std::string& db, SyncMode sync, uint64_t next, const GroupSizes& sizes) {
  auto schemas = SchemaRegistry::LoadEmbedded();
  if (!schemas.ok()) return Fail(schemas.status().ToString());
  LogOptions options;
  options.create_if_missing = true;
  options.sync = sync;
  auto log = EventLog::Open(db, options);
  if (!log.ok()) return Fail(log.status().ToString());
  Ingestor ingestor(log->get(), schemas->get());
  SyntheticEvents events(WriterEventOptions());

  std::string text;
  std::vector<size_t> ends;
  std::vector<IngestItem> items;
  while (true) {
    uint64_t size = GroupSizeAt(next, sizes);
    text.clear();
    ends.clear();
    for (uint64_t i = 0; i < size; ++i) {
      events.Append(next + i, &text);
      ends.push_back(text.size());
    }
    items.clear();
    for (uint64_t i = 0; i < size; ++i) {
      size_t begin = i == 0 ? 0 : ends[i - 1];
      items.push_back({std::string_view(text).substr(begin, ends[i] - begin), next + i});
    }
    auto results = ingestor.IngestGroup(items);
    if (!results.ok()) return Fail("group at index " + std::to_string(next) + ": " + results.status().ToString());
    for (size_t i = 0; i < results->size(); ++i) {
      if ((*results)[i].outcome == AppendOutcome::kRejected) {
        return Fail("event index " + std::to_string(items[i].position) +
                    " rejected: " + (*results)[i].error.ToString());
      }
    }
    next += size;
    std::string ack = FormatAck({next - 1, (*log)->Head().seq});
    std::fwrite(ack.data(), 1, ack.size(), stdout);
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace keel::crash

int main(int argc, char** argv) {
  using namespace keel::crash;
  if (argc != 4 && argc != 6) {
    std::fprintf(stderr, "usage: keel_crash_writer DB_DIR SYNC_MODE START_INDEX [MIN_GROUP MAX_GROUP]\n");
    return kExitUsage;
  }
  auto sync = keel::ParseSyncMode(argv[2]);
  uint64_t start = 0;
  GroupSizes sizes;
  bool args_ok = sync.ok() && ParseNumber(argv[3], &start);
  if (argc == 6) {
    args_ok = args_ok && ParseNumber(argv[4], &sizes.min_size) && ParseNumber(argv[5], &sizes.max_size) &&
              sizes.min_size >= 1 && sizes.min_size <= sizes.max_size;
  }
  if (!args_ok) {
    std::fprintf(stderr, "keel_crash_writer: bad arguments (SYNC_MODE is always, batch or off; "
                         "indexes and group sizes are numbers, 1 <= MIN_GROUP <= MAX_GROUP)\n");
    return kExitUsage;
  }
  return Run(argv[1], *sync, start, sizes);
}
