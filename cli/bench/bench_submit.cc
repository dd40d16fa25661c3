// keel bench submit: embedded serve's durable submit path (server::
// LocalIngest) on its own, without HTTP: --threads threads, each a client
// that submits a delivery of --delivery synthetic events and waits for its
// answer before the next, as a webhook sender waits for its 2xx. Reports
// deliveries and events per second, how many deliveries shared a WriteBatch
// (group commit under --sync batch), the answer latency and the CPU spent
// per delivery. With --rate, the clients send at that steady rate between
// them instead, and the latency counts from when each delivery was due to be
// sent (a late send is latency too).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/bench/bench.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/report.h"
#include "engine/schema/schema_registry.h"
#include "server/local_ingest.h"

namespace keel::cli {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

struct SubmitBenchFlags {
  uint64_t deliveries = 100000;
  size_t threads = 32;
  size_t delivery = 1;
  uint64_t rate = 0;  // deliveries per second, all threads together; 0: as fast as answers come
  std::string sync = "batch";
  std::string dir;
  bool json = false;
};

struct ThreadRun {
  std::vector<std::vector<std::string>> deliveries;  // generated before the clock starts
  std::vector<double> latencies_ms;
  uint64_t failures = 0;
};

double Percentile(std::vector<double>* values, double p) {
  if (values->empty()) return 0;
  size_t at = std::min(values->size() - 1, static_cast<size_t>(p * static_cast<double>(values->size())));
  std::nth_element(values->begin(), values->begin() + static_cast<std::ptrdiff_t>(at), values->end());
  return (*values)[at];
}

// Thread `thread` of `threads` sends its k-th delivery at `start` + (k *
// threads + thread) / rate, or at once when rate is 0.
void Submitter(server::LocalIngest* ingest, ThreadRun* run, const SubmitBenchFlags& flags, size_t thread,
               Steady::time_point begin) {
  run->latencies_ms.reserve(run->deliveries.size());
  for (size_t k = 0; k < run->deliveries.size(); ++k) {
    std::vector<std::string>& delivery = run->deliveries[k];
    auto start = Steady::now();
    if (flags.rate > 0) {
      start = begin + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(
                          static_cast<double>(k * flags.threads + thread) / static_cast<double>(flags.rate)));
      std::this_thread::sleep_until(start);
    }
    server::SubmitOutcome outcome = ingest->Submit(std::move(delivery)).get();
    run->latencies_ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
    bool refused = !outcome.ok() || std::any_of(outcome->begin(), outcome->end(), [](const AppendResult& r) {
      return r.outcome != AppendOutcome::kAppended;
    });
    if (refused && run->failures++ == 0) {
      std::cerr << "first refused delivery: "
                << (outcome.ok() ? outcome->front().error.ToString() : outcome.status().ToString()) << "\n";
    }
  }
}

int RunSubmitBenchmark(const SubmitBenchFlags& flags) {
  fs::path root = flags.dir.empty() ? fs::temp_directory_path() / ("keel-bench-" + std::to_string(::getpid()))
                                    : fs::path(flags.dir);
  std::error_code ec;
  fs::remove_all(root, ec);
  auto schemas = SchemaRegistry::LoadEmbedded();
  if (!schemas.ok()) return ReportError("bench submit", schemas.status());
  PartitionHooks no_rules;
  ServeMetrics metrics;
  server::LocalIngestOptions options;
  options.dir = root / "log";
  options.sync = *ParseSyncMode(flags.sync);
  options.decode.time_window.days = 0;
  auto ingest = server::LocalIngest::Open(options, no_rules, schemas->get(), &metrics);
  if (!ingest.ok()) return ReportError("bench submit", ingest.status());

  SyntheticEvents source;
  std::vector<ThreadRun> runs(flags.threads);
  for (uint64_t d = 0; d < flags.deliveries; ++d) {
    std::vector<std::string>& delivery = runs[d % flags.threads].deliveries.emplace_back(flags.delivery);
    for (size_t i = 0; i < flags.delivery; ++i) source.Append(d * flags.delivery + i, &delivery[i]);
  }
  double cpu_before = ProcessCpuSeconds(::getpid());
  auto start = Steady::now();
  std::vector<std::thread> threads;
  for (size_t t = 0; t < runs.size(); ++t) {
    threads.emplace_back(Submitter, ingest->get(), &runs[t], std::cref(flags), t, start);
  }
  for (std::thread& thread : threads) thread.join();
  double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  double cpu = ProcessCpuSeconds(::getpid()) - cpu_before;
  Status closed = (*ingest)->Close();
  if (!closed.ok()) return ReportError("bench submit", closed);
  fs::remove_all(root, ec);

  std::vector<double> latencies;
  uint64_t failures = 0;
  for (ThreadRun& run : runs) {
    latencies.insert(latencies.end(), run.latencies_ms.begin(), run.latencies_ms.end());
    failures += run.failures;
  }
  const double deliveries = static_cast<double>(flags.deliveries);
  const double batches = static_cast<double>(std::max<uint64_t>(1, metrics.batches.load()));
  double p50 = Percentile(&latencies, 0.50), p99 = Percentile(&latencies, 0.99);
  if (flags.json) {
    PrintJson({{"deliveries", flags.deliveries},
               {"events_per_delivery", flags.delivery},
               {"threads", flags.threads},
               {"sync", flags.sync},
               {"rate", flags.rate},
               {"deliveries_per_s", deliveries / seconds},
               {"events_per_s", deliveries * static_cast<double>(flags.delivery) / seconds},
               {"deliveries_per_write_batch", deliveries / batches},
               {"latency_p50_ms", p50},
               {"latency_p99_ms", p99},
               {"cpu_us_per_delivery", cpu * 1e6 / deliveries},
               {"refused", failures}});
  } else {
    std::printf("deliveries        %llu of %zu events, %zu threads, --sync %s%s\n",
                static_cast<unsigned long long>(flags.deliveries), flags.delivery, flags.threads, flags.sync.c_str(),
                flags.rate > 0 ? (", at " + std::to_string(flags.rate) + "/s").c_str() : "");
    std::printf("submit            %.0f deliveries/s, %.0f events/s (%.2f s)\n", deliveries / seconds,
                deliveries * static_cast<double>(flags.delivery) / seconds, seconds);
    std::printf("group commit      %.1f deliveries per WriteBatch\n", deliveries / batches);
    std::printf("answer latency    p50 %.2f ms, p99 %.2f ms\n", p50, p99);
    std::printf("CPU               %.1f us per delivery\n", cpu * 1e6 / deliveries);
  }
  return failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddSubmitBenchmark(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<SubmitBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "submit", "Embedded serve's durable submit path (no HTTP): --threads clients each submit a delivery of "
                "--delivery synthetic events and wait for the answer (durable under --sync) before the next; "
                "print deliveries/s, deliveries per WriteBatch, answer latency and CPU per delivery");
  command->add_option("--deliveries", flags->deliveries, "Number of deliveries")
      ->capture_default_str()
      ->check(WholeNumber("a delivery count", 1));
  command->add_option("--threads", flags->threads, "Submitting threads")
      ->capture_default_str()
      ->check(WholeNumber("a thread count", 1, 1024));
  command->add_option("--delivery", flags->delivery, "Events per delivery")
      ->capture_default_str()
      ->check(WholeNumber("events per delivery", 1, 1000));
  command->add_option("--rate", flags->rate,
                      "Deliveries per second, all threads together, latency counted from when each was due "
                      "(0: each thread sends as soon as its last answer came)")
      ->capture_default_str();
  AddSyncOption(command, &flags->sync);
  command->add_option("--dir", flags->dir, "Scratch folder (default: under the temp folder; removed afterwards)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunSubmitBenchmark(*flags); });
}

}  // namespace keel::cli
