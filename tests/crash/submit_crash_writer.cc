// keel_submit_crash_writer DB_DIR SYNC_MODE THREADS
//
// Embedded keel serve's submit path until it is killed: THREADS threads
// submit deliveries of synthetic events through server::LocalIngest (sync
// always or batch: group commit), each thread waiting for its answer before
// the next. Once a delivery is answered it prints "ack <last index> <seq>"
// (crash_plan.h; the seq of the delivery's last event) and flushes: from
// then on the delivery must survive a crash.
//
// Thread t sends the events from index t * kThreadSpan, in deliveries of
// SubmitDeliverySizeAt(first) events, always from its start: what an earlier
// writer got in comes back as duplicates with the original seqs. A rejected
// event, or a failed submit, ends the writer with exit code 3.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "engine/mutex.h"
#include "engine/schema/schema_registry.h"
#include "server/local_ingest.h"
#include "tests/crash/submit_crash_plan.h"

namespace keel::crash {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailed = 3;

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "keel_submit_crash_writer: %s\n", message.c_str());
  std::fflush(stderr);
  std::_Exit(kExitFailed);
}

void SubmitForever(server::LocalIngest* ingest, uint64_t thread, Mutex* out_mu) {
  SyntheticEvents events(SubmitEventOptions());
  for (uint64_t first = thread * kThreadSpan;; first += SubmitDeliverySizeAt(first)) {
    std::vector<std::string> delivery(SubmitDeliverySizeAt(first));
    for (uint64_t i = 0; i < delivery.size(); ++i) events.Append(first + i, &delivery[i]);
    server::SubmitOutcome outcome = ingest->Submit(std::move(delivery)).get();
    if (!outcome.ok()) Fail("delivery at index " + std::to_string(first) + ": " + outcome.status().ToString());
    for (const AppendResult& result : *outcome) {
      if (result.outcome == AppendOutcome::kRejected) {
        Fail("delivery at index " + std::to_string(first) + " rejected: " + result.error.ToString());
      }
    }
    std::string ack = FormatAck({first + outcome->size() - 1, outcome->back().seq});
    MutexLock lock(out_mu);
    std::fwrite(ack.data(), 1, ack.size(), stdout);
    std::fflush(stdout);
  }
}

int Run(const std::string& db, SyncMode sync, uint64_t threads) {
  auto schemas = SchemaRegistry::LoadEmbedded();
  if (!schemas.ok()) Fail(schemas.status().ToString());
  PartitionHooks no_rules;
  ServeMetrics metrics;
  server::LocalIngestOptions options;
  options.dir = db;
  options.sync = sync;
  options.decode.time_window.days = 0;
  auto ingest = server::LocalIngest::Open(options, no_rules, schemas->get(), &metrics);
  if (!ingest.ok()) Fail(ingest.status().ToString());
  Mutex out_mu;
  std::vector<std::thread> submitters;
  for (uint64_t t = 0; t < threads; ++t) submitters.emplace_back(SubmitForever, ingest->get(), t, &out_mu);
  for (std::thread& submitter : submitters) submitter.join();  // never: killed first
  return 0;
}

}  // namespace
}  // namespace keel::crash

int main(int argc, char** argv) {
  auto sync = argc == 4 ? keel::ParseSyncMode(argv[2]) : keel::Status::InvalidArgument("usage");
  uint64_t threads = argc == 4 ? std::strtoull(argv[3], nullptr, 10) : 0;
  if (!sync.ok() || threads == 0 || threads > 64) {
    std::fprintf(stderr, "usage: keel_submit_crash_writer DB_DIR SYNC_MODE THREADS (1 to 64)\n");
    return keel::crash::kExitUsage;
  }
  return keel::crash::Run(argv[1], *sync, threads);
}
